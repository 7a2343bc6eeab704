// Streams a cohort's packed genotypes out of the store in variant order, chunk by chunk
// (.bed byte layout), for GWAS, scoring and LD without re-reading PLINK files.
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';

export interface CohortLayout {
  cohort: string;
  ancestry: string;
  nSamples: number;
  nVariants: number;
  bytesPerVariant: number;
}

export interface GenotypeChunk {
  firstVariant: number;
  nVariants: number;
  /** nVariants · bytesPerVariant bytes, variant-major, PLINK .bed codes. */
  packed: Uint8Array;
}

export async function cohortLayout(store: Store, cohort: string): Promise<CohortLayout> {
  const rows = await store.all<{ ancestry: string; n_samples: number; n_variants: number; bytes_per_variant: number }>(
    `SELECT ancestry, n_samples, n_variants, bytes_per_variant FROM cohorts WHERE cohort = $c`,
    { c: cohort },
  );
  const r = rows[0];
  if (!r) throw new BadInputError(store.paths.database, `no cohort '${cohort}' in the store (ingest it with pgsflow ingest --bfile)`);
  return { cohort, ancestry: r.ancestry, nSamples: r.n_samples, nVariants: r.n_variants, bytesPerVariant: r.bytes_per_variant };
}

/** Calls `onChunk` for every genotype chunk of `cohort`, in variant order. */
export async function forEachGenotypeChunk(store: Store, cohort: string, onChunk: (chunk: GenotypeChunk) => void | Promise<void>): Promise<CohortLayout> {
  const layout = await cohortLayout(store, cohort);
  let expected = 0;
  await store.forEachBatch<[number, number, Uint8Array]>(
    `SELECT first_variant, n_variants, packed FROM genotypes WHERE cohort = $c ORDER BY chunk`,
    { c: cohort },
    async (rows) => {
      for (const [firstVariant, nVariants, packed] of rows) {
        if (firstVariant !== expected || packed.length !== nVariants * layout.bytesPerVariant) {
          throw new Error(`store genotypes of '${cohort}' are inconsistent at variant ${firstVariant} (expected ${expected})`);
        }
        expected += nVariants;
        await onChunk({ firstVariant, nVariants, packed });
      }
    },
  );
  if (expected !== layout.nVariants) throw new Error(`store genotypes of '${cohort}' hold ${expected} of ${layout.nVariants} variants`);
  return layout;
}
