// Artifacts are written to a temporary name and renamed into place, so a crash never leaves a
// half-written file under the final name (DESIGN §7).
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** A binary file written in pieces; `commit()` renames it into place, `abort()` leaves no trace. */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number;
  bytes = 0;

  constructor(readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(chunk: Uint8Array, length = chunk.length): void {
    let off = 0;
    while (off < length) off += writeSync(this.fd, chunk, off, length - off);
    this.bytes += length;
  }

  commit(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.tmp, { force: true });
    }
  }
}
