// Streams bytes into a file while hashing them: the one pass both artifact backends use to stage
// an upload, a folder write or a download before it is checked and renamed into place. Memory use
// is one chunk whatever the size; the file is fsync'ed, so a rename after it publishes whole bytes.
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { DiskFullError, isDiskFull } from '../errors.js';

export interface Hashed {
  sha256: string;
  bytes: number;
}

let tmpSeq = 0;

/** A temporary name beside `path`, unique per process and call. */
export const tmpNameFor = (path: string): string => `${path}.tmp-${process.pid}-${Date.now()}-${++tmpSeq}`;

/**
 * Copies `source` into a new file `path` (which must not exist: `wx`), hashing on the way. On any
 * error the partial file is removed; a full disk is a DiskFullError naming `path`.
 */
export async function writeHashed(source: AsyncIterable<Uint8Array>, path: string, onProgress?: (bytes: number) => void): Promise<Hashed> {
  const hash = createHash('sha256');
  let bytes = 0;
  let fh;
  try {
    fh = await open(path, 'wx');
    for await (const chunk of source) {
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
      bytes += chunk.length;
      onProgress?.(bytes);
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(path, { force: true });
    throw isDiskFull(e) ? new DiskFullError(path, e.code!) : e;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** sha256 and size of a stream's bytes, without writing them anywhere. */
export async function hashStream(source: AsyncIterable<Uint8Array>): Promise<Hashed> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export const sha256Of = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
