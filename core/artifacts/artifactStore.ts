// The artifact store (issue 22): where compute workers on any host read and write the big binary
// things a study makes (sumstats exports, genotype slices, LD eigen blocks, MCMC checkpoints).
// Two backends behind this one interface: a folder (`file`, today's `<store>/artifacts`, or the
// same path mounted on every node of an HPC cluster) and an S3-compatible bucket + prefix (`s3`).
//
// - Every artifact is recorded with the sha256 of its bytes; `get` verifies the bytes it streams
//   against it (a mismatch is an ArtifactIntegrityError naming the key), so a corrupt or tampered
//   object never reaches a fit.
// - Writes are idempotent: putting a key again with the same bytes is a no-op returning the same
//   ref (a retried activity is safe); with other bytes it is an ArtifactConflictError, never an
//   overwrite. Without a key, the artifact is stored under its content key `sha256/<hex>`.
// - Objects stream both ways (multipart upload on S3); nothing holds a whole object in memory
//   except a ranged read, which returns just its range (an LD block out of a panel file).
import type { Readable } from 'node:stream';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { ArtifactKeyError } from './errors.js';

/** What to store: a local file, or a stream of bytes (spooled to a temporary file where the backend needs the hash first). */
export type ArtifactSource = { path: string } | { stream: Readable };

export interface PutOptions {
  /** Where to store it; default the content key `sha256/<hex>`. */
  key?: string;
  /** Called with the bytes sent so far (for activity heartbeats on long uploads). */
  onProgress?: (bytes: number) => void;
}

export interface GetOptions {
  /** Called with the bytes received so far. */
  onProgress?: (bytes: number) => void;
}

export interface RangeOptions {
  /** sha256 the range must have (e.g. an LD block's recorded hash); a mismatch is an ArtifactIntegrityError. */
  sha256?: string;
}

export interface ArtifactStore {
  /** The canonical location string (`/abs/folder` or `s3://bucket/prefix`), as `--artifacts` takes it. */
  readonly location: string;
  /** Store `source` (streamed); returns its key, hash and size. Same key + same bytes: no-op. */
  put(source: ArtifactSource, options?: PutOptions): Promise<ArtifactRef>;
  /**
   * Stream the artifact to `dest` (written to a temporary name, renamed into place only once its
   * hash matched). `what` is a key (checked against the hash recorded at put time) or a ref (checked
   * against the ref's hash and size). Missing: ArtifactNotFoundError.
   */
  get(what: string | ArtifactRef, dest: string, options?: GetOptions): Promise<ArtifactRef>;
  /** `length` bytes at `offset` of the artifact (an LD block out of a panel file). */
  readRange(key: string, offset: number, length: number, options?: RangeOptions): Promise<Buffer>;
  /** The recorded ref of `key`, or undefined when there is none. */
  head(key: string): Promise<ArtifactRef | undefined>;
  exists(key: string): Promise<boolean>;
  /** Keys under `prefix` (a key prefix, e.g. `checkpoints/<fit>/`), sorted. */
  list(prefix?: string): Promise<string[]>;
}

/** The key an artifact gets when none is given: `sha256/<hex>`. */
export const contentKey = (sha256: string): string => `sha256/${sha256}`;

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Throws ArtifactKeyError unless `key` is a relative path of plain segments: no empty, `.` or `..`
 * segment, no segment starting with `.` (the file backend keeps its temporary files in `.partial/`),
 * no backslash or control character, not ending in `.sha256` (the file backend's hash records).
 */
export function checkKey(key: string): string {
  const bad = (detail: string): never => {
    throw new ArtifactKeyError(key, detail);
  };
  if (key.length === 0) bad('is empty');
  if (key.length > 900) bad('is longer than 900 characters');
  if (key.startsWith('/')) bad('must be relative (no leading /)');
  if (/[\\\u0000-\u001f\u007f]/.test(key)) bad('holds a backslash or a control character');
  for (const seg of key.split('/')) {
    if (seg === '') bad('has an empty segment (// or a trailing /)');
    if (seg.startsWith('.')) bad(`segment ${JSON.stringify(seg)} starts with "." (., .. and hidden names are not keys)`);
  }
  if (key.endsWith('.sha256')) bad('ends in .sha256, the suffix of the file backend\'s hash records');
  return key;
}

/** Throws ArtifactKeyError unless `prefix` is empty or a key prefix (a key, or one ending in `/`). */
export function checkListPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
