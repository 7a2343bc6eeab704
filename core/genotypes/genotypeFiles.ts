// One cohort's PLINK filesets (one, or one per chromosome with identical .fam) read as a single
// variant sequence in chunks, for the CLI paths of gwas/score (the store path streams the same
// chunk shape from DuckDB).
import { open } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { checkBed, readBim, readFam, resolveBfile } from '../formats/plink.js';
import type { BimTable, FamTable } from '../formats/types.js';
import type { GenotypeChunk } from './storeGenotypes.js';

export interface GenotypeFiles {
  fam: FamTable;
  famPath: string;
  bim: BimTable;
  nSamples: number;
  nVariants: number;
  bytesPerVariant: number;
  filesets: { bed: string; first: number; count: number }[];
}

export async function openGenotypeFiles(prefixes: string[]): Promise<GenotypeFiles> {
  if (prefixes.length === 0) throw new BadInputError('(none)', 'no --bfile given');
  let fam: FamTable | undefined;
  let famPath = '';
  const bims: BimTable[] = [];
  const filesets: GenotypeFiles['filesets'] = [];
  let total = 0;
  for (const prefix of prefixes) {
    const paths = await resolveBfile(prefix);
    const f = await readFam(paths.fam);
    if (!fam) {
      fam = f;
      famPath = paths.fam;
    } else if (f.iid.length !== fam.iid.length || f.iid.some((x, i) => x !== fam!.iid[i] || f.fid[i] !== fam!.fid[i])) {
      throw new BadInputError(paths.fam, `samples differ from ${famPath}: filesets of one cohort must list the same samples in the same order`);
    }
    const bim = await readBim(paths.bim);
    await checkBed(paths.bed, f.iid.length, bim.id.length);
    bims.push(bim);
    filesets.push({ bed: paths.bed, first: total, count: bim.id.length });
    total += bim.id.length;
  }
  const bim: BimTable = {
    chrom: bims.flatMap((b) => b.chrom),
    id: bims.flatMap((b) => b.id),
    cm: Float64Array.from(bims.flatMap((b) => Array.from(b.cm))),
    pos: Int32Array.from(bims.flatMap((b) => Array.from(b.pos))),
    a1: bims.flatMap((b) => b.a1),
    a2: bims.flatMap((b) => b.a2),
  };
  const n = fam!.iid.length;
  return { fam: fam!, famPath, bim, nSamples: n, nVariants: total, bytesPerVariant: (n + 3) >>> 2, filesets };
}

/** Read all variants in chunks of up to `chunkVariants`, in order. */
export async function forEachFileChunk(g: GenotypeFiles, chunkVariants: number, onChunk: (c: GenotypeChunk) => void | Promise<void>): Promise<void> {
  const bpv = g.bytesPerVariant;
  const buf = new Uint8Array(chunkVariants * bpv);
  for (const fs of g.filesets) {
    const fh = await open(fs.bed, 'r');
    try {
      for (let v = 0; v < fs.count; v += chunkVariants) {
        const count = Math.min(chunkVariants, fs.count - v);
        const len = count * bpv;
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh.read(buf, got, len - got, 3 + v * bpv + got);
          if (bytesRead === 0) throw new Error(`${fs.bed}: file shrank while being read`);
          got += bytesRead;
        }
        await onChunk({ firstVariant: fs.first + v, nVariants: count, packed: buf.subarray(0, len) });
      }
    } finally {
      await fh.close();
    }
  }
}
