// Typed configuration errors. Kept in config/ because schemas produce them; the CLI maps
// them to exit codes and the activities to non-retryable Temporal failures.
import type { z } from 'zod';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `design.folds` or `TEMPORAL_ADDRESS`. */
  field: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** What was being validated: `environment`, a study file path, … */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`${source}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }

  static fromZod(source: string, error: z.ZodError): ConfigError {
    return new ConfigError(
      source,
      error.issues.map((i) => ({
        field: i.path.length > 0 ? i.path.map(String).join('.') : '(root)',
        message: i.message,
      })),
    );
  }
}
