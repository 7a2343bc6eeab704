// Error types (class names) that retrying cannot fix: bad input, failed scientific guards,
// an incompatible store, a full disk (`study resume` once space is freed). Activities raise
// them; workflows list them in retry policies.
// Pure constant, safe to import from the workflow bundle.
export const NON_RETRYABLE_ERROR_TYPES = ['BadInputError', 'StoreSchemaError', 'GuardError', 'ConfigError', 'DiskFullError'] as const;
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERROR_TYPES)[number];
