// One streaming pass over the .bed before any block is built: per variant, the non-missing
// count, A1 frequency and whether it varies among the kept samples. snp.info takes N and
// A1Freq from here, and the block plan drops variants that do not vary (a constant dosage has
// no correlation; SBayesRC panels leave such SNPs out).
import { forEachFileChunk, type GenotypeFiles } from '../genotypes/genotypeFiles.js';

export interface VariantStats {
  /** Kept samples with a call. */
  nObs: Int32Array;
  /** A1 frequency among those (NaN without calls). */
  a1Freq: Float64Array;
  /** 1 when at least two different dosages occur. */
  polymorphic: Uint8Array;
}

const CHUNK_VARIANTS = 4096;

/** `kept`: 0-based .fam indices of the samples in the panel, ascending. */
export async function variantStats(g: GenotypeFiles, kept: Int32Array): Promise<VariantStats> {
  const nObs = new Int32Array(g.nVariants);
  const a1Freq = new Float64Array(g.nVariants);
  const polymorphic = new Uint8Array(g.nVariants);
  const bpv = g.bytesPerVariant;
  const counts = new Int32Array(4); // by 2-bit code: 00 hom A1, 01 missing, 10 het, 11 hom A2
  await forEachFileChunk(g, CHUNK_VARIANTS, (c) => {
    for (let v = 0; v < c.nVariants; v++) {
      const base = v * bpv;
      counts.fill(0);
      for (let t = 0; t < kept.length; t++) {
        const s = kept[t]!;
        counts[(c.packed[base + (s >>> 2)]! >>> ((s & 3) << 1)) & 3]!++;
      }
      const hom1 = counts[0]!;
      const het = counts[2]!;
      const hom2 = counts[3]!;
      const obs = hom1 + het + hom2;
      const out = c.firstVariant + v;
      nObs[out] = obs;
      a1Freq[out] = obs > 0 ? (2 * hom1 + het) / (2 * obs) : NaN;
      polymorphic[out] = Number(hom1 > 0) + Number(het > 0) + Number(hom2 > 0) >= 2 ? 1 : 0;
    }
  });
  return { nObs, a1Freq, polymorphic };
}
