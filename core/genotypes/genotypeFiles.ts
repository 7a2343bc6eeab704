// One cohort's PLINK filesets (one, or one per chromosome with identical .fam) opened as a single
// variant sequence: the one opener for every reader of .bed/.bim/.fam (gwas, score, LD panels,
// ingest, simulation founders). Every .bim is parsed and every .bed size-checked up front, so a
// broken fileset fails before any work starts.
import { open } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { type BfilePaths, checkBed, readBim, readFam, resolveBfile } from '../formats/plink.js';
import type { BimTable, FamTable } from '../formats/types.js';
import type { GenotypeChunk } from './storeGenotypes.js';

export interface GenotypeFileset {
  paths: BfilePaths;
  /** Index of the fileset's first variant in the combined sequence. */
  first: number;
  count: number;
}

export interface GenotypeFiles {
  fam: FamTable;
  /** The first fileset's .fam, which every other one matches. */
  famPath: string;
  /** All filesets' variants, in the order given. */
  bim: BimTable;
  nSamples: number;
  nVariants: number;
  bytesPerVariant: number;
  filesets: GenotypeFileset[];
}

export async function openGenotypeFiles(prefixes: readonly string[]): Promise<GenotypeFiles> {
  if (prefixes.length === 0) throw new BadInputError('(none)', 'no PLINK fileset given (--bfile needs at least one prefix)');
  let fam: FamTable | undefined;
  let famPath = '';
  const bims: BimTable[] = [];
  const filesets: GenotypeFileset[] = [];
  let total = 0;
  for (const prefix of prefixes) {
    const paths = await resolveBfile(prefix);
    const f = await readFam(paths.fam);
    if (!fam) {
      fam = f;
      famPath = paths.fam;
    } else checkSameSamples(f, paths.fam, fam, famPath);
    const bim = await readBim(paths.bim);
    await checkBed(paths.bed, f.iid.length, bim.id.length);
    bims.push(bim);
    filesets.push({ paths, first: total, count: bim.id.length });
    total += bim.id.length;
  }
  const n = fam!.iid.length;
  return { fam: fam!, famPath, bim: concatBims(bims), nSamples: n, nVariants: total, bytesPerVariant: (n + 3) >>> 2, filesets };
}

/**
 * Filesets of one cohort share one sample order (the .bed columns). Names the first sample that
 * differs; readers refuse blank lines inside a .fam, so sample i is on line i.
 */
function checkSameSamples(fam: FamTable, path: string, ref: FamTable, refPath: string): void {
  const n = fam.iid.length;
  const nRef = ref.iid.length;
  const common = Math.min(n, nRef);
  let i = 0;
  while (i < common && fam.fid[i] === ref.fid[i] && fam.iid[i] === ref.iid[i]) i++;
  if (i === n && i === nRef) return;
  const rule = 'the filesets of one cohort must list the same samples in the same order';
  if (i < common) {
    throw new BadInputError(
      path,
      `samples differ from ${refPath}: sample ${i + 1} is '${fam.fid[i]} ${fam.iid[i]}' here, '${ref.fid[i]} ${ref.iid[i]}' there; ${rule}`,
      i + 1,
    );
  }
  // One list is a prefix of the other: point at the first extra sample when it is in this file.
  throw new BadInputError(path, `samples differ from ${refPath}: ${n} samples here, ${nRef} there; ${rule}`, n > nRef ? nRef + 1 : undefined);
}

function concatBims(bims: readonly BimTable[]): BimTable {
  if (bims.length === 1) return bims[0]!;
  const total = bims.reduce((s, b) => s + b.id.length, 0);
  const out: BimTable = { chrom: [], id: [], cm: new Float64Array(total), pos: new Int32Array(total), a1: [], a2: [] };
  let at = 0;
  for (const b of bims) {
    // push per element: spreading a million-row column would overflow the argument stack.
    for (let j = 0; j < b.id.length; j++) {
      out.chrom.push(b.chrom[j]!);
      out.id.push(b.id[j]!);
      out.a1.push(b.a1[j]!);
      out.a2.push(b.a2[j]!);
    }
    out.cm.set(b.cm, at);
    out.pos.set(b.pos, at);
    at += b.id.length;
  }
  return out;
}

/** Read all variants in chunks of up to `chunkVariants`, in order. */
export async function forEachFileChunk(g: GenotypeFiles, chunkVariants: number, onChunk: (c: GenotypeChunk) => void | Promise<void>): Promise<void> {
  const bpv = g.bytesPerVariant;
  const buf = new Uint8Array(chunkVariants * bpv);
  for (const fs of g.filesets) {
    const fh = await open(fs.paths.bed, 'r');
    try {
      for (let v = 0; v < fs.count; v += chunkVariants) {
        const count = Math.min(chunkVariants, fs.count - v);
        const len = count * bpv;
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh.read(buf, got, len - got, 3 + v * bpv + got);
          if (bytesRead === 0) throw new Error(`${fs.paths.bed}: file shrank while being read`);
          got += bytesRead;
        }
        await onChunk({ firstVariant: fs.first + v, nVariants: count, packed: buf.subarray(0, len), dosage: null });
      }
    } finally {
      await fh.close();
    }
  }
}
