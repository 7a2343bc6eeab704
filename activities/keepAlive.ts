// Store activities do their work in a few long awaits (a DuckDB scan, a bulk append) and cannot
// heartbeat from inside them. A timer heartbeat while the event loop is free lets Temporal
// notice a dead worker within the heartbeat timeout instead of waiting out start-to-close.
import { Context } from '@temporalio/activity';

/** Heartbeat interval; keep well under the workflows' heartbeat timeout for store activities. */
export const KEEP_ALIVE_MS = 2_000;

type AsyncFn = (...args: never[]) => Promise<unknown>;

export function withKeepAlive<T extends Record<string, AsyncFn>>(activities: T): T {
  const out: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      const ctx = Context.current();
      const timer = setInterval(() => ctx.heartbeat({ alive: name }), KEEP_ALIVE_MS);
      try {
        return await fn(...args);
      } finally {
        clearInterval(timer);
      }
    };
  }
  return out as T;
}
