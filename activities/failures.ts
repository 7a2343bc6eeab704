// Maps domain errors to Temporal failures: bad input and failed guards become non-retryable
// ApplicationFailures (type = the error class name), as does a full disk (ENOSPC, EDQUOT);
// anything else is left to the retry policy.
import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_ERROR_TYPES } from '../contracts/errorTypes.js';
import { DiskFullError, isDiskFull } from '../core/errors.js';

const nonRetryable = new Set<string>(NON_RETRYABLE_ERROR_TYPES);

export function toFailure(e: unknown): unknown {
  if (e instanceof ApplicationFailure) return e;
  // A full disk met by a writer other than atomicWrite (which names its file itself).
  if (isDiskFull(e) && !(e instanceof DiskFullError)) e = new DiskFullError(e.path ?? `(${e.message})`, e.code!);
  if (e instanceof Error && nonRetryable.has(e.name)) {
    return ApplicationFailure.create({ message: e.message, type: e.name, nonRetryable: true, cause: e });
  }
  return e;
}

type AsyncFn = (...args: never[]) => Promise<unknown>;

/** Wrap every activity of an object so domain errors surface with the right retry semantics. */
export function withFailureMapping<T extends Record<string, AsyncFn>>(activities: T): T {
  const out: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        throw toFailure(e);
      }
    };
  }
  return out as T;
}
