// One artifact store from an `--artifacts` location: a folder → FileArtifactStore, s3://bucket/prefix
// → S3ArtifactStore (endpoint, region and credentials from `s3` options, else the environment).
import type { ArtifactStore } from './artifactStore.js';
import { FileArtifactStore } from './fileArtifactStore.js';
import { type ArtifactLocation, parseArtifactLocation } from './location.js';
import { S3ArtifactStore, type S3StoreOptions } from './s3ArtifactStore.js';

export function openArtifactStore(location: string | ArtifactLocation, options: { s3?: S3StoreOptions } = {}): ArtifactStore {
  const loc = typeof location === 'string' ? parseArtifactLocation(location) : location;
  return loc.kind === 'file' ? new FileArtifactStore(loc.dir) : new S3ArtifactStore(loc.bucket, loc.prefix, options.s3);
}
