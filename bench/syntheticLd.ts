// A synthetic SBayesRC LD folder and matching summary statistics, fast at any size: each
// block's eigenvectors are the orthonormal DCT-II basis (no eigen-decomposition needed) and its
// eigenvalues fall linearly from 2 to 1 over the first `kTarget` then almost vanish, so the
// 0.995 cut-off keeps about 0.995·kTarget of them. Used by the LD memory bench and its tests.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLdFolder } from '../core/formats/ldFolder.js';
import type { LdSnpTable } from '../core/formats/types.js';
import { toEigenBlock } from '../core/ld/eigenCutoff.js';
import { Rng } from '../core/numeric/random/rng.js';

export interface SyntheticLd {
  blocks: number;
  /** SNPs per block. */
  m: number;
  /** Eigenpairs carrying nearly all the variance (k at 0.995 is a little below). */
  kTarget: number;
  seed: number;
  /** GWAS sample size of the summary statistics. */
  n?: number;
}

/** Writes DIR/ld (LD folder) and DIR/gwas.ma (COJO, every panel SNP); returns their paths. */
export async function writeSyntheticLd(dir: string, s: SyntheticLd): Promise<{ ld: string; sumstats: string }> {
  const { blocks, m, kTarget, seed } = s;
  const nGwas = s.n ?? 50_000;
  const rng = Rng.stream(seed, 1);
  const total = blocks * m;
  const freq = Float64Array.from({ length: total }, () => 0.05 + 0.9 * rng.uniform());
  const snps: LdSnpTable = {
    chrom: Array.from({ length: total }, (_, j) => String(1 + Math.floor(j / m))),
    id: Array.from({ length: total }, (_, j) => `rs${j + 1}`),
    index: Int32Array.from({ length: total }, (_, j) => j),
    genPos: new Float64Array(total),
    physPos: Int32Array.from({ length: total }, (_, j) => 1000 + 100 * (j % m)),
    a1: Array.from({ length: total }, () => 'A'),
    a2: Array.from({ length: total }, () => 'G'),
    a1Freq: freq,
    n: new Float64Array(total).fill(nGwas),
    block: Int32Array.from({ length: total }, (_, j) => 1 + Math.floor(j / m)),
  };
  const values = Float64Array.from({ length: m }, (_, i) => (i < kTarget ? 2 - i / kTarget : 1e-6 * 0.99 ** (i - kTarget)));
  const vectors = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const scale = Math.sqrt((i === 0 ? 1 : 2) / m);
    for (let j = 0; j < m; j++) vectors[i * m + j] = scale * Math.cos((Math.PI * (j + 0.5) * i) / m);
  }
  const eigen = toEigenBlock({ n: m, values, vectors }, 0.995);
  const ld = join(dir, 'ld');
  await writeLdFolder(ld, snps, Array.from({ length: blocks }, () => eigen));

  // b̂ = R β + e with e ~ N(0, R/n): R = U Λ Uᵀ over the kept pairs; 5 % causal SNPs.
  const { k } = eigen;
  // Written block by block: one string of 7 M rows would exceed V8's string limit.
  const sumstats = join(dir, 'gwas.ma');
  const out = await open(sumstats, 'w');
  await out.write('SNP A1 A2 freq b se p N\n');
  const beta = new Float64Array(m);
  const proj = new Float64Array(k);
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < m; j++) beta[j] = rng.uniform() < 0.05 ? 0.03 * rng.normal() : 0;
    for (let i = 0; i < k; i++) {
      let dot = 0;
      for (let j = 0; j < m; j++) dot += eigen.vectors[i * m + j]! * beta[j]!;
      const lam = eigen.values[i]!;
      proj[i] = lam * dot + Math.sqrt(lam / nGwas) * rng.normal();
    }
    const lines: string[] = [];
    for (let j = 0; j < m; j++) {
      let bhat = 0;
      for (let i = 0; i < k; i++) bhat += eigen.vectors[i * m + j]! * proj[i]!;
      const s = b * m + j;
      const sdx = Math.sqrt(2 * freq[s]! * (1 - freq[s]!));
      lines.push(`${snps.id[s]} A G ${freq[s]} ${bhat / sdx} ${Math.sqrt((1 - bhat * bhat) / nGwas) / sdx} 0.5 ${nGwas}\n`);
    }
    await out.write(lines.join(''));
  }
  await out.close();
  return { ld, sumstats };
}
