// Error types (class names) that retrying cannot fix: bad input, failed scientific guards,
// an incompatible store, a full disk (`study resume` once space is freed). Activities raise
// them; workflows list them in retry policies.
// Pure constant, safe to import from the workflow bundle.
// Artifact store: a bad location or key, a key already holding other bytes, a stored object whose
// bytes do not match its recorded hash, a range outside the object. A missing artifact stays
// retryable (another worker may still be uploading it).
export const NON_RETRYABLE_ERROR_TYPES = [
  'BadInputError',
  'StoreSchemaError',
  'GuardError',
  'ConfigError',
  'DiskFullError',
  'ArtifactLocationError',
  'ArtifactKeyError',
  'ArtifactConflictError',
  'ArtifactIntegrityError',
  'ArtifactRangeError',
] as const;
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERROR_TYPES)[number];
