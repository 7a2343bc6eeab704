// The first bytes and the size of a binary input (.bed, eigen files), for header validation
// before any bulk read; a path the user got wrong becomes a BadInputError naming it.
import { open } from 'node:fs/promises';
import { fsError } from './text.js';

export interface FileHead {
  size: number;
  /** Up to `n` bytes from offset 0 (`bytesRead` of them valid). */
  head: Buffer;
  bytesRead: number;
}

export async function readFileHead(path: string, n: number): Promise<FileHead> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(n);
    const { bytesRead } = await fh.read(head, 0, n, 0);
    return { size, head, bytesRead };
  } finally {
    await fh.close();
  }
}
