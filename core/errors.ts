// Domain errors raised by the science and I/O modules. The activity adapters turn the
// non-retryable ones into `ApplicationFailure.nonRetryable` so Temporal does not retry bad input.

/** Malformed input: names the file and, where known, the line and column (1-based). */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = [file, line, column].filter((x) => x !== undefined).join(':');
    super(`${where}: ${detail}`);
  }
}

/** The store was written by a newer pgsflow, or is otherwise not one we can open. */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
}

/** Another process holds the DuckDB write lock on the store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/** A scientific guard refused to go on (e.g. QC dropped too much); retrying cannot help. */
export class GuardError extends Error {
  override readonly name = 'GuardError';
}

/**
 * The file system holding `file` is full (ENOSPC / EDQUOT). Not retried: an attempt seconds later
 * finds the disk as full, so the study fails at once, naming the path; once space is freed,
 * `pgsflow study resume` reuses every completed step.
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`${file}: disk full (${code}: no space left on device); free space on its file system, then \`pgsflow study resume\` the run`);
  }
}

/** A Node errno error for a full file system or exhausted quota. */
export const isDiskFull = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && ((e as NodeJS.ErrnoException).code === 'ENOSPC' || (e as NodeJS.ErrnoException).code === 'EDQUOT');
