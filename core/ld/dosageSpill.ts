// The kept samples' dosages of a reference, written once while it is scanned and read back block
// by block: VCF and BGEN can only be read front to back, and a panel's blocks want their
// variants in blocks-file order. A row of hard calls is stored as .bed codes (2 bits a sample),
// any other row as 1/16384 units (16 bits), so a hard-call reference takes a .bed's room on disk.
// Consecutive rows are contiguous in the file, so a block is a few large reads.
import { type FileHandle, open } from 'node:fs/promises';
import { DiskFullError, isDiskFull } from '../errors.js';
import { MISSING_DOSAGE, bytesPerVariant, packVariant } from '../genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { F64Column } from '../formats/text.js';
import type { BlockGenotypes, BlockReader } from './ldGenotypes.js';

export interface DosageSpill {
  path: string;
  /** Samples per row. */
  nSamples: number;
  /** Byte offset of each variant's row; −1 when it was not stored. */
  offset: Float64Array;
  /** 1 when the row is stored as .bed codes. */
  hard: Uint8Array;
}

/** .bed 2-bit code → units (A1 = ALT counted: 00 two copies, 01 missing, 10 one, 11 none). */
const CODE_TO_UNITS = Uint16Array.of(2 * DOSAGE_SCALE, DOSAGE_MISSING, DOSAGE_SCALE, 0);

export class DosageSpillWriter {
  private at = 0;
  private pending: Uint8Array[] = [];
  private readonly offset = new F64Column();
  private hard = new Uint8Array(1024);
  private count = 0;
  private readonly copies: Uint8Array;
  private readonly bpv: number;

  private constructor(
    readonly path: string,
    readonly nSamples: number,
    private readonly fh: FileHandle,
  ) {
    this.copies = new Uint8Array(nSamples);
    this.bpv = bytesPerVariant(nSamples);
  }

  static async create(path: string, nSamples: number): Promise<DosageSpillWriter> {
    return new DosageSpillWriter(path, nSamples, await open(path, 'w'));
  }

  /** The next variant's row (nSamples units, copied), or null when no block will read it. */
  add(row: Uint16Array | null, hard: boolean): void {
    if (this.count === this.hard.length) {
      const grown = new Uint8Array(this.hard.length * 2);
      grown.set(this.hard);
      this.hard = grown;
    }
    if (row === null) {
      this.offset.push(-1);
      this.count++;
      return;
    }
    let bytes: Uint8Array;
    if (hard) {
      for (let i = 0; i < this.nSamples; i++) {
        const u = row[i]!;
        this.copies[i] = u === DOSAGE_MISSING ? MISSING_DOSAGE : u / DOSAGE_SCALE;
      }
      bytes = new Uint8Array(this.bpv);
      packVariant(this.copies, bytes);
    } else {
      bytes = new Uint8Array(row.slice(0, this.nSamples).buffer);
    }
    this.offset.push(this.at);
    this.hard[this.count++] = hard ? 1 : 0;
    this.at += bytes.length;
    this.pending.push(bytes);
  }

  /** Write the rows added since the last flush. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    const start = this.at - data.length;
    try {
      let done = 0;
      while (done < data.length) done += (await this.fh.write(data, done, data.length - done, start + done)).bytesWritten;
    } catch (e) {
      if (isDiskFull(e)) throw new DiskFullError(this.path, e.code ?? 'ENOSPC');
      throw e;
    }
  }

  async finish(): Promise<DosageSpill> {
    await this.flush();
    await this.fh.close();
    return { path: this.path, nSamples: this.nSamples, offset: this.offset.finish(), hard: this.hard.slice(0, this.count) };
  }

  /** Close after a failure (the caller removes the folder). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Reads blocks back: .bed rows when every row of the block is hard calls, else dosage rows. */
export async function openSpillReader(spill: DosageSpill): Promise<BlockReader> {
  const fh = await open(spill.path, 'r');
  const n = spill.nSamples;
  const bpv = bytesPerVariant(n);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const size = (v: number): number => (spill.hard[v] ? bpv : 2 * n);
  return {
    async read(variants) {
      const m = variants.length;
      for (const v of variants) if (!(spill.offset[v]! >= 0)) throw new RangeError(`variant ${v} was not kept by the scan`);
      const packed = variants.every((v) => spill.hard[v] === 1);
      const out: BlockGenotypes = packed
        ? { kind: 'packed', packed: new Uint8Array(m * bpv), bytesPerVariant: bpv, kept: all }
        : { kind: 'dosage', units: new Uint16Array(m * n), nSamples: n };
      let i = 0;
      while (i < m) {
        // A run of rows stored back to back is one read.
        let bytes = size(variants[i]!);
        let j = i + 1;
        while (j < m && spill.offset[variants[j]!] === spill.offset[variants[j - 1]!]! + size(variants[j - 1]!)) bytes += size(variants[j++]!);
        const start = spill.offset[variants[i]!]!;
        if (out.kind === 'packed') await readFully(fh, out.packed.subarray(i * bpv, j * bpv), start, spill.path);
        else {
          const run = new Uint8Array(bytes);
          await readFully(fh, run, start, spill.path);
          const dest = new Uint8Array(out.units.buffer);
          for (let r = i, at = 0; r < j; at += size(variants[r]!), r++) {
            if (spill.hard[variants[r]!]) unpackUnits(run, at, n, out.units, r * n);
            else dest.set(run.subarray(at, at + 2 * n), 2 * r * n);
          }
        }
        i = j;
      }
      return out;
    },
    close: () => fh.close(),
  };
}

function unpackUnits(packed: Uint8Array, at: number, n: number, out: Uint16Array, base: number): void {
  for (let s = 0; s < n; s++) out[base + s] = CODE_TO_UNITS[(packed[at + (s >>> 2)]! >>> ((s & 3) << 1)) & 3]!;
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fh.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) throw new Error(`${path}: spill file shrank while being read`);
    got += bytesRead;
  }
}
