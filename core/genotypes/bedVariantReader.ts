// Random access to the packed rows of chosen variants across a cohort's filesets: a block's
// variants are read when the block is built, never the whole .bed at once. Consecutive
// indices are coalesced into one read.
import { type FileHandle, open } from 'node:fs/promises';
import type { GenotypeFiles } from './genotypeFiles.js';

const BED_HEADER = 3;

export class BedVariantReader {
  private constructor(
    private readonly g: GenotypeFiles,
    private readonly handles: FileHandle[],
  ) {}

  static async open(g: GenotypeFiles): Promise<BedVariantReader> {
    const handles: FileHandle[] = [];
    try {
      for (const fs of g.filesets) handles.push(await open(fs.paths.bed, 'r'));
    } catch (e) {
      await Promise.all(handles.map((h) => h.close()));
      throw e;
    }
    return new BedVariantReader(g, handles);
  }

  /** Packed rows of `variants` (global indices), row i at i × bytesPerVariant. */
  async read(variants: Int32Array): Promise<Uint8Array> {
    const bpv = this.g.bytesPerVariant;
    const out = new Uint8Array(variants.length * bpv);
    let i = 0;
    while (i < variants.length) {
      const first = variants[i]!;
      const f = this.filesetOf(first);
      const fs = this.g.filesets[f]!;
      // Extend the run while indices are consecutive and stay in this fileset.
      let j = i + 1;
      while (j < variants.length && variants[j] === first + (j - i) && variants[j]! < fs.first + fs.count) j++;
      await readFully(this.handles[f]!, out.subarray(i * bpv, j * bpv), BED_HEADER + (first - fs.first) * bpv, fs.paths.bed);
      i = j;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close()));
  }

  private filesetOf(variant: number): number {
    const sets = this.g.filesets;
    for (let f = 0; f < sets.length; f++) if (variant < sets[f]!.first + sets[f]!.count) return f;
    throw new RangeError(`variant ${variant} is past the last fileset (${this.g.nVariants} variants)`);
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fh.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) throw new Error(`${path}: file shrank while being read`);
    got += bytesRead;
  }
}
