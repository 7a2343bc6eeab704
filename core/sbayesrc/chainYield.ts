// Between two sweeps of a chain that runs on an activity's (or the CLI's) main thread: wait for
// what the sweep's callback returned (a checkpoint being written, so it is on disk when it is
// reported), otherwise give the event loop a turn at least every `yieldMs`, so heartbeats leave
// the process and cancellation arrives. Only the waiting differs, never the draws.

/** Returns the time of the last event-loop turn (pass it back in as `mark`). */
export async function betweenSweeps(wait: Promise<void> | void | undefined, mark: number, yieldMs: number): Promise<number> {
  if (wait) {
    await wait;
    return performance.now();
  }
  if (performance.now() - mark < yieldMs) return mark;
  await new Promise<void>((resolve) => setImmediate(resolve));
  return performance.now();
}
