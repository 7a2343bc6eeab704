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

// Metric errors extend GuardError, whose class name the failure mapping treats as non-retryable:
// re-running a fold cannot fix its samples.

/** Inputs a metric cannot be computed from: mismatched lengths, too few usable samples, bad codes. */
export class MetricInputError extends GuardError {}

/**
 * XᵀX of a regression design is singular. `columns` are design-column indices
 * (0 = intercept, k + 1 = the k-th predictor column as passed).
 */
export class SingularDesignError extends MetricInputError {
  constructor(
    readonly columns: readonly number[],
    what = 'design',
  ) {
    const names = columns.map((c) => (c === 0 ? 'intercept (column 0)' : `column ${c} (predictor ${c - 1})`));
    super(`${what} is singular: ${names.join(', ')} ${columns.length === 1 ? 'is' : 'are'} constant or a linear combination of earlier columns`);
  }
}

/** `pgsflow audit` asked for a run (or a history) the store does not hold. */
export class AuditNotFoundError extends Error {
  override readonly name = 'AuditNotFoundError';
}

/** An MCMC checkpoint that cannot be used (corrupt, truncated, or of other inputs). */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The spill file is missing, short or unreadable (removed or truncated while the chain ran). */
export class SpillReadError extends Error {
  override readonly name = 'SpillReadError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: Q spill file ${detail}`);
  }
}

/** The native LD eigen addon was asked for but is not built or does not load. */
export class NativeAddonMissingError extends Error {
  override readonly name = 'NativeAddonMissingError';
}

/** An iterative expansion failed to converge (not expected for valid arguments). */
export class ConvergenceError extends Error {
  override readonly name = 'ConvergenceError';
}

/** The symmetric eigen solver did not converge. */
export class EigenConvergenceError extends Error {
  override readonly name = 'EigenConvergenceError';
}

/** The covariates of a GWAS design are collinear: bad input, named by the file. */
export class SingularCovariatesError extends BadInputError {}
