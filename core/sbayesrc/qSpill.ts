// Out-of-core Q: every block's Q (float32, SNP-major, block after block) in one spill file,
// read back block by block into a buffer each thread reuses. The descriptor is plain data so
// it reaches worker threads by structured clone; each reader opens the file itself (open per
// read: a worker thread ends without a hook to close a cached descriptor, and one open per
// block of megabytes costs nothing measurable).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { DiskFullError, isDiskFull, SpillReadError } from '../errors.js';

export interface QSpill {
  path: string;
  /** Byte offset of block b's Q in the file. */
  offsets: number[];
  /** Float32 count of block b's Q (m·k). */
  floats: number[];
}

/** Appends blocks' Q to a new spill file (truncating any stale one). */
export class QSpillWriter {
  private readonly fd: number;
  private at = 0;
  private readonly offsets: number[] = [];
  private readonly floats: number[] = [];

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  append(q: Float32Array): void {
    const bytes = new Uint8Array(q.buffer, q.byteOffset, q.byteLength);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.at + done);
    } catch (e) {
      if (isDiskFull(e)) throw new DiskFullError(this.path, e.code ?? 'ENOSPC');
      throw e;
    }
    this.offsets.push(this.at);
    this.floats.push(q.length);
    this.at += bytes.length;
  }

  /** Close the file; the descriptor readers use. */
  finish(): QSpill {
    closeSync(this.fd);
    return { path: this.path, offsets: this.offsets, floats: this.floats };
  }

  /** Close without a descriptor (construction failed). */
  abandon(): void {
    closeSync(this.fd);
  }
}

/** Read `into.byteLength` bytes at `position`, or fail naming the file. */
function readExactly(path: string, into: Uint8Array, position: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SpillReadError(path, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    let got = 0;
    while (got < into.length) {
      const n = readSync(fd, into, got, into.length - got, position + got);
      if (n === 0) throw new SpillReadError(path, `is short: ${got} of ${into.length} bytes at byte offset ${position} (removed or truncated while the chain ran?)`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** This thread's reusable buffer for a block's Q (grown to the largest block read). */
let scratch = new Float32Array(0);

/** Drop this thread's buffer (after a fit; sampler.ts releaseSweepMemory). */
export function releaseSpillBuffer(): void {
  scratch = new Float32Array(0);
}

/** Block b's Q, in this thread's buffer (valid until the next read on this thread). */
export function readSpilledBlock(s: QSpill, b: number): Float32Array {
  const floats = s.floats[b]!;
  if (scratch.length < floats) scratch = new Float32Array(floats);
  const q = scratch.subarray(0, floats);
  readSpilledBlockInto(s, b, new Uint8Array(q.buffer, q.byteOffset, q.byteLength));
  return q;
}

/** Block b's Q bytes into `into` (e.g. a WebAssembly kernel's memory), which must be 4·m·k bytes. */
export function readSpilledBlockInto(s: QSpill, b: number, into: Uint8Array): void {
  if (into.length !== 4 * s.floats[b]!) throw new RangeError(`block ${b}: ${into.length} bytes given for ${s.floats[b]} floats`);
  readExactly(s.path, into, s.offsets[b]!);
}

/** Row `row` (k floats) of block b's SNP-major Q. */
export function readSpilledRow(s: QSpill, b: number, row: number, k: number): Float32Array {
  const out = new Float32Array(k);
  readExactly(s.path, new Uint8Array(out.buffer), s.offsets[b]! + 4 * row * k);
  return out;
}
