// Error types (class names) that retrying cannot fix: bad input, failed scientific guards,
// an incompatible store. Activities raise them; workflows list them in retry policies.
// Pure constant, safe to import from the workflow bundle.
export const NON_RETRYABLE_ERROR_TYPES = ['BadInputError', 'StoreSchemaError', 'GuardError', 'ConfigError'] as const;
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERROR_TYPES)[number];
