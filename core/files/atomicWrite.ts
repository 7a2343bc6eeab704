// Artifacts are written to a temporary name and renamed into place, so a crash never leaves a
// half-written file under the final name (DESIGN §7). A failed write removes its temporary file
// (a full disk stays no fuller than before) and a full disk is a DiskFullError naming the path.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DiskFullError, isDiskFull } from '../errors.js';

const diskFull = (path: string, e: unknown): unknown => (isDiskFull(e) ? new DiskFullError(path, e.code!) : e);

let tmpSeq = 0;

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // Unique per call: two writers of one path in one process (two activities) must not share it.
  const tmp = `${path}.tmp-${process.pid}-${++tmpSeq}`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw diskFull(path, e);
  }
}

/** A binary file written in pieces; `commit()` renames it into place, `abort()` leaves no trace. */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number;
  private closed = false;
  bytes = 0;

  constructor(readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}-${++tmpSeq}`;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw diskFull(path, e);
    }
  }

  write(chunk: Uint8Array, length = chunk.length): void {
    let off = 0;
    try {
      while (off < length) off += writeSync(this.fd, chunk, off, length - off);
    } catch (e) {
      throw diskFull(this.path, e);
    }
    this.bytes += length;
  }

  commit(): void {
    try {
      fsyncSync(this.fd);
      this.closed = true;
      closeSync(this.fd);
      renameSync(this.tmp, this.path);
    } catch (e) {
      throw diskFull(this.path, e);
    }
  }

  abort(): void {
    try {
      // After a failed commit the descriptor may be closed already: closing it again would
      // throw EBADF over the error the caller is handling.
      if (!this.closed) closeSync(this.fd);
    } finally {
      this.closed = true;
      rmSync(this.tmp, { force: true });
    }
  }
}
