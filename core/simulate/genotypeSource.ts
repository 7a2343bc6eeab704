// Where simulated genotypes come from, block by block. Each (cohort, block) has its own PRNG
// stream, so blocks can be generated in any order or in parallel with identical output.
import { normalQuantile } from '../numeric/random/normalDistribution.js';
import { Rng } from '../numeric/random/rng.js';
import type { SimBlock } from './variantMap.js';

export const STREAM_GENOTYPES = 1;

export interface GenotypeSource {
  nSamples: number;
  /** Fill A1 dosages of the block's SNPs: out[(j − block.first)·n + i]. */
  fillBlock(block: SimBlock, blockIndex: number, out: Uint8Array): void;
}

/**
 * Gaussian-copula haplotypes: per haplotype a latent AR(1) path with correlation ρ between
 * neighbouring SNPs of a block (independent across blocks); allele A1 where the latent value
 * falls below Φ⁻¹(p_j), so P(A1) = p_j exactly and LD decays with distance as ρ^d.
 */
export function copulaSource(freq: Float64Array, rho: number, nSamples: number, seed: number, cohortKey: number): GenotypeSource {
  const thr = new Float64Array(freq.length);
  for (let j = 0; j < freq.length; j++) thr[j] = normalQuantile(freq[j]!);
  const innov = Math.sqrt(1 - rho * rho);
  return {
    nSamples,
    fillBlock(block, blockIndex, out) {
      const rng = Rng.stream(seed, STREAM_GENOTYPES, cohortKey, blockIndex);
      const m = block.end - block.first;
      out.fill(0, 0, m * nSamples);
      for (let i = 0; i < nSamples; i++) {
        for (let h = 0; h < 2; h++) {
          let z = rng.normal();
          let off = i;
          for (let j = block.first; j < block.end; j++) {
            if (j > block.first) z = rho * z + innov * rng.normal();
            if (z < thr[j]!) out[off]!++;
            off += nSamples;
          }
        }
      }
    },
  };
}

/**
 * Block-wise mosaic of real genotypes: each simulated person takes, per block, the whole
 * genotype of one random founder, so LD and frequencies inside blocks are the founders'.
 * `founderDosages` is SNP-major: [snp · nFounders + f], 3 = missing (copied as missing).
 */
export function mosaicSource(founderDosages: Uint8Array, nFounders: number, nSamples: number, seed: number, cohortKey: number): GenotypeSource {
  const pick = new Int32Array(nSamples);
  return {
    nSamples,
    fillBlock(block, blockIndex, out) {
      const rng = Rng.stream(seed, STREAM_GENOTYPES, cohortKey, blockIndex);
      for (let i = 0; i < nSamples; i++) pick[i] = rng.below(nFounders);
      let off = 0;
      for (let j = block.first; j < block.end; j++) {
        const base = j * nFounders;
        for (let i = 0; i < nSamples; i++) out[off + i] = founderDosages[base + pick[i]!]!;
        off += nSamples;
      }
    },
  };
}
