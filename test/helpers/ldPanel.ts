// LD panels for the imputation tests, built here rather than by `pgsflow ld`: correlation
// matrices (hand-made, or from a reference .bed) → symmetricEigen → SBayesRC LD folder.
import { openGenotypeFiles, forEachFileChunk } from '../../core/genotypes/genotypeFiles.js';
import { MISSING_DOSAGE, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { writeLdFolder } from '../../core/formats/ldFolder.js';
import type { EigenBlock, LdSnpTable } from '../../core/formats/types.js';
import { toEigenBlock } from '../../core/ld/eigenCutoff.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';

/** The eigen block SBayesRC stores for correlation matrix `r` (m × m row-major) at `cutoff`. */
export function eigenBlockOf(r: Float64Array, m: number, cutoff: number): EigenBlock {
  return toEigenBlock(symmetricEigen(Float64Array.from(r), m), cutoff);
}

export interface PanelSnpSpec {
  id: string;
  a1: string;
  a2: string;
  freq: number;
}

/** snp.info for consecutive blocks of the given SNPs (chromosome = block number). */
export function panelSnpTable(blocks: readonly (readonly PanelSnpSpec[])[], n = 1000): LdSnpTable {
  const all = blocks.flatMap((b, i) => b.map((s) => ({ ...s, block: i + 1 })));
  return {
    chrom: all.map((s) => String(s.block)),
    id: all.map((s) => s.id),
    index: Int32Array.from(all, (_, i) => i),
    genPos: new Float64Array(all.length),
    physPos: Int32Array.from(all, (_, i) => 1000 + 100 * i),
    a1: all.map((s) => s.a1),
    a2: all.map((s) => s.a2),
    a1Freq: Float64Array.from(all, (s) => s.freq),
    n: new Float64Array(all.length).fill(n),
    block: Int32Array.from(all, (s) => s.block),
  };
}

/** Write a panel from per-block correlation matrices. */
export async function writeCorrelationPanel(
  dir: string,
  blocks: readonly { snps: readonly PanelSnpSpec[]; r: Float64Array }[],
  cutoff = 1,
): Promise<void> {
  const eigen = blocks.map((b) => eigenBlockOf(b.r, b.snps.length, cutoff));
  await writeLdFolder(dir, panelSnpTable(blocks.map((b) => b.snps)), eigen);
}

export interface BedPanel {
  snps: LdSnpTable;
  /** Per block, the reference-sample correlation matrix (m × m row-major) the panel encodes. */
  correlations: Float64Array[];
  /** First SNP index of each block. */
  blockStart: number[];
}

/**
 * A panel from a reference .bed: blocks of `blockSnps` consecutive SNPs, cut at chromosome
 * changes; correlations of mean-imputed A1 dosages (a monomorphic SNP is uncorrelated).
 */
export async function ldPanelFromBed(bfile: string, dir: string, blockSnps: number, cutoff = 0.995): Promise<BedPanel> {
  const g = await openGenotypeFiles([bfile]);
  const n = g.nSamples;
  const dos = new Uint8Array(g.nVariants * n);
  await forEachFileChunk(g, 256, (c) => {
    for (let v = 0; v < c.nVariants; v++) unpackVariant(c.packed, v * g.bytesPerVariant, n, dos.subarray((c.firstVariant + v) * n, (c.firstVariant + v + 1) * n));
  });
  const freq = new Float64Array(g.nVariants);
  const block = new Int32Array(g.nVariants);
  const blockStart: number[] = [];
  for (let j = 0; j < g.nVariants; j++) {
    const last = blockStart[blockStart.length - 1];
    if (last === undefined || g.bim.chrom[j] !== g.bim.chrom[last] || j - last >= blockSnps) blockStart.push(j);
    block[j] = blockStart.length;
  }
  // Standardised dosages, SNP-major.
  const x = new Float64Array(g.nVariants * n);
  for (let j = 0; j < g.nVariants; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const d = dos[j * n + i]!;
      if (d !== MISSING_DOSAGE) {
        s += d;
        c++;
      }
    }
    const mean = c > 0 ? s / c : 0;
    freq[j] = mean / 2;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = dos[j * n + i]!;
      const v = d === MISSING_DOSAGE ? 0 : d - mean;
      x[j * n + i] = v;
      ss += v * v;
    }
    const sd = Math.sqrt(ss);
    for (let i = 0; i < n; i++) x[j * n + i] = sd > 0 ? x[j * n + i]! / sd : 0;
  }
  const correlations: Float64Array[] = [];
  const eigen: EigenBlock[] = [];
  blockStart.forEach((first, b) => {
    const end = blockStart[b + 1] ?? g.nVariants;
    const m = end - first;
    const r = new Float64Array(m * m);
    for (let p = 0; p < m; p++) {
      for (let q = 0; q <= p; q++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[(first + p) * n + i]! * x[(first + q) * n + i]!;
        r[p * m + q] = s;
        r[q * m + p] = s;
      }
      r[p * m + p] = 1; // also for monomorphic SNPs
    }
    correlations.push(r);
    eigen.push(eigenBlockOf(r, m, cutoff));
  });
  const snps: LdSnpTable = {
    chrom: g.bim.chrom.slice(),
    id: g.bim.id.slice(),
    index: Int32Array.from({ length: g.nVariants }, (_, i) => i),
    genPos: Float64Array.from(g.bim.cm),
    physPos: Int32Array.from(g.bim.pos),
    a1: g.bim.a1.slice(),
    a2: g.bim.a2.slice(),
    a1Freq: freq,
    n: new Float64Array(g.nVariants).fill(n),
    block,
  };
  await writeLdFolder(dir, snps, eigen);
  return { snps, correlations, blockStart };
}
