// Content hashes of input files (recorded with every ingest, re-checked by `audit verify`) and of
// texts such as a study file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fsError } from '../formats/text.js';
import type { FileHash } from '../../contracts/provenance.js';

export async function hashFile(path: string): Promise<FileHash> {
  try {
    const st = await stat(path);
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    return { path, bytes: st.size, sha256: h.digest('hex') };
  } catch (e) {
    throw fsError(path, e);
  }
}

/** One hash for a set of files: sha256 over their (name-free) hashes in order. */
export function combinedHash(files: readonly FileHash[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.sha256);
  return h.digest('hex');
}

/** sha256 of a text's UTF-8 bytes, hex. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
