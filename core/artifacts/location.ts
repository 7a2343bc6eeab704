// The `--artifacts DIR|s3://bucket/prefix` location string: a folder (relative to the working
// directory, or a file:// URL) or an S3 bucket with an optional key prefix.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactKeyError, ArtifactLocationError } from './errors.js';
import { checkKey } from './artifactStore.js';

export type ArtifactLocation = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/** S3 bucket naming rules (3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no `..`). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseArtifactLocation(text: string, cwd: string = process.cwd()): ArtifactLocation {
  const bad = (detail: string): never => {
    throw new ArtifactLocationError(text, detail);
  };
  if (text.trim() === '') bad('is empty (give a folder or s3://bucket/prefix)');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined && /^s3:/i.test(text)) bad('looks like a mistyped s3:// URL (s3://bucket/prefix)');
  if (scheme === undefined) return { kind: 'file', dir: isAbsolute(text) ? resolve(text) : resolve(cwd, text) };
  if (scheme === 'file') {
    try {
      return { kind: 'file', dir: resolve(fileURLToPath(text)) };
    } catch (e) {
      return bad(`not a usable file:// URL (${(e as Error).message})`);
    }
  }
  if (scheme !== 's3') return bad(`unknown scheme ${scheme}:// (give a folder or s3://bucket/prefix)`);
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === '') bad('names no bucket (s3://bucket/prefix)');
  if (!BUCKET.test(bucket) || bucket.includes('..')) bad(`${JSON.stringify(bucket)} is not an S3 bucket name (3–63 characters of a-z, 0-9, '.', '-')`);
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/\/+$/, '');
  if (prefix !== '') {
    try {
      checkKey(prefix);
    } catch (e) {
      if (e instanceof ArtifactKeyError) bad(`prefix ${JSON.stringify(prefix)} ${e.detail}`);
      throw e;
    }
  }
  return { kind: 's3', bucket, prefix };
}

/** The canonical string of a location (what `parseArtifactLocation` reads back to the same value). */
export function formatArtifactLocation(loc: ArtifactLocation): string {
  return loc.kind === 'file' ? loc.dir : `s3://${loc.bucket}${loc.prefix === '' ? '' : `/${loc.prefix}`}`;
}
