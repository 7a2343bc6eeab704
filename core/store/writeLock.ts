// Serialises use of the store's single DuckDB connection: activities run concurrently in one
// worker, and interleaving statements of two transactions on one connection would mix them.
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    // Keep the chain alive whether fn succeeds or fails.
    this.tail = next.catch(() => undefined);
    return next;
  }
}
