// Errors of the artifact stores (core/artifacts). None of them is worth a retry: reading the same
// corrupt object, re-writing a key with other bytes or asking for a missing key gives the same
// answer every time (S3 reads after writes are strongly consistent), so the compute activities'
// failure mapping should treat their names as non-retryable. Transport errors (network, 5xx) are
// the S3 client's own and stay retryable.

/** An `--artifacts` location string (a folder or `s3://bucket/prefix`) that cannot be used. */
export class ArtifactLocationError extends Error {
  override readonly name = 'ArtifactLocationError';
  constructor(
    readonly location: string,
    readonly detail: string,
  ) {
    super(`artifact location ${JSON.stringify(location)}: ${detail}`);
  }
}

/** A key that is not a relative, normalized path (no `..`, no hidden segments, no `.sha256` ending). */
export class ArtifactKeyError extends Error {
  override readonly name = 'ArtifactKeyError';
  constructor(
    readonly key: string,
    readonly detail: string,
  ) {
    super(`artifact key ${JSON.stringify(key)}: ${detail}`);
  }
}

/** No artifact under `key` in the store at `location`. */
export class ArtifactNotFoundError extends Error {
  override readonly name = 'ArtifactNotFoundError';
  constructor(
    readonly key: string,
    readonly location: string,
  ) {
    super(`artifact ${key} not found in ${location}`);
  }
}

/** A write of `key` with other bytes than those already stored under it (writes are idempotent, never overwrite). */
export class ArtifactConflictError extends Error {
  override readonly name = 'ArtifactConflictError';
  constructor(
    readonly key: string,
    readonly location: string,
    readonly storedSha256: string | undefined,
    readonly newSha256: string,
  ) {
    super(
      `artifact ${key} in ${location} already holds other content (stored sha256 ${storedSha256 ?? 'not recorded'}, new ${newSha256}); ` +
        'artifacts are never overwritten: write the new content under another key',
    );
  }
}

/** Bytes read from the store do not match the hash they were written with (corrupt or tampered object). */
export class ArtifactIntegrityError extends Error {
  override readonly name = 'ArtifactIntegrityError';
  constructor(
    readonly key: string,
    readonly location: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`artifact ${key} in ${location} is corrupt: expected ${expected}, read ${actual}`);
  }
}

/** A ranged read outside the object (offset + length past its end, or negative). */
export class ArtifactRangeError extends Error {
  override readonly name = 'ArtifactRangeError';
  constructor(
    readonly key: string,
    readonly offset: number,
    readonly length: number,
    readonly size: number,
  ) {
    super(`artifact ${key}: range [${offset}, ${offset + length}) is outside its ${size} bytes`);
  }
}
