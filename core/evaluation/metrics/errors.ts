// Errors from the evaluation metrics. They extend GuardError, whose class name the failure
// mapping treats as non-retryable: re-running a fold cannot fix its samples.
import { GuardError } from '../../errors.js';

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
