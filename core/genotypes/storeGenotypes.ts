// Streams a cohort's genotypes out of the store in variant order, chunk by chunk, for GWAS,
// scoring and LD without re-reading the input files: .bed 2-bit hard calls, or for cohorts read
// from pgen / VCF / BGEN, ALT dosages in 1/16384 units (uint16 little-endian, 0xFFFF missing).
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';

export type GenotypeKind = 'hardcall' | 'dosage';

export interface CohortLayout {
  cohort: string;
  ancestry: string;
  nSamples: number;
  nVariants: number;
  /** Hard calls: ceil(nSamples / 4); dosages: 2 · nSamples. */
  bytesPerVariant: number;
  kind: GenotypeKind;
  /** The format the genotypes were read from (bed, pgen, vcf, bcf, bgen). */
  sourceFormat: string;
  /** Dosage cohorts: every dosage is 0, 1, 2 or missing (always true for hard-call cohorts). */
  hardCallsOnly: boolean;
}

export interface GenotypeChunk {
  firstVariant: number;
  nVariants: number;
  /**
   * nVariants · bytesPerVariant bytes, variant-major: PLINK .bed codes, or the dosages' bytes. From
   * the store, a view of a buffer reused for the next chunk (see forEachGenotypeChunk).
   */
  packed: Uint8Array;
  /** Dosage cohorts: nVariants × nSamples ALT dosages (1/16384 units, 0xFFFF missing); else null. */
  dosage: Uint16Array | null;
}

/** A stored dosage row as uint16 (little-endian hosts only; a copy when the bytes are unaligned). */
export function dosageView(bytes: Uint8Array): Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 1);
}

/** Refuse a dosage cohort where only hard calls are supported yet, naming what to do instead. */
export function requireHardCalls(layout: CohortLayout, what: string): void {
  if (layout.kind !== 'hardcall') {
    throw new BadInputError(layout.cohort, `${what} reads hard calls only; cohort '${layout.cohort}' holds dosages (from ${layout.sourceFormat}): convert with plink2 --make-bed for now`);
  }
}

export async function cohortLayout(store: Store, cohort: string): Promise<CohortLayout> {
  const rows = await store.all<{ ancestry: string; n_samples: number; n_variants: number; bytes_per_variant: number; genotype_kind: string | null; source_format: string | null; hard_calls_only: boolean | null }>(
    `SELECT ancestry, n_samples, n_variants, bytes_per_variant, genotype_kind, source_format, hard_calls_only FROM cohorts WHERE cohort = $c`,
    { c: cohort },
  );
  const r = rows[0];
  if (!r) throw new BadInputError(store.paths.database, `no cohort '${cohort}' in the store (ingest it with pgsflow ingest --bfile)`);
  const kind: GenotypeKind = r.genotype_kind === 'dosage' ? 'dosage' : 'hardcall';
  return {
    cohort,
    ancestry: r.ancestry,
    nSamples: r.n_samples,
    nVariants: r.n_variants,
    bytesPerVariant: r.bytes_per_variant,
    kind,
    sourceFormat: r.source_format ?? 'bed',
    hardCallsOnly: kind === 'hardcall' || r.hard_calls_only === true,
  };
}

/** Chunks read per query: one query for the whole cohort came back as one 2 GB batch (issue 19). */
export const CHUNKS_PER_QUERY = 16;

/**
 * Calls `onChunk` for every genotype chunk of `cohort`, in variant order. A chunk's bytes live in
 * a buffer reused for the next chunk: valid until the promise `onChunk` returns settles; a
 * consumer that keeps bytes copies them.
 */
export async function forEachGenotypeChunk(store: Store, cohort: string, onChunk: (chunk: GenotypeChunk) => void | Promise<void>): Promise<CohortLayout> {
  const layout = await cohortLayout(store, cohort);
  let expected = 0;
  // A range of chunk numbers per query keeps memory at CHUNKS_PER_QUERY chunks and lets the
  // first chunks be scored while DuckDB has not yet read the last ones.
  const [range] = await store.all<{ lo: number | null; hi: number | null }>(`SELECT min(chunk) AS lo, max(chunk) AS hi FROM genotypes WHERE cohort = $c`, { c: cohort });
  const lo = range?.lo === null || range?.lo === undefined ? 0 : Number(range.lo);
  const hi = range?.hi === null || range?.hi === undefined ? -1 : Number(range.hi);
  // No ORDER BY: DuckDB sorting the rows copies every blob through its sort (about half a second
  // per 2 GB); the slice's few rows are put in order here instead.
  const query = (from: number) =>
    store.blobRows<[number | bigint, number | bigint]>(
      `SELECT first_variant, n_variants, packed FROM genotypes WHERE cohort = $c AND chunk >= $from AND chunk < $to`,
      { c: cohort, from, to: from + CHUNKS_PER_QUERY },
      2,
    );
  const buffer = { bytes: new Uint8Array(0) };
  // The next slice is read while this one is handed out: DuckDB's read overlaps the consumer's
  // work (the scoring kernel, a GWAS pass), at the memory of two slices.
  let next = lo <= hi ? query(lo) : null;
  try {
    for (let from = lo; from <= hi; from += CHUNKS_PER_QUERY) {
      const slice = await next!;
      next = from + CHUNKS_PER_QUERY <= hi ? query(from + CHUNKS_PER_QUERY) : null;
      try {
        const order = Array.from({ length: slice.length }, (_, r) => r).sort((x, y) => Number(slice.values(x)[0]) - Number(slice.values(y)[0]));
        for (const r of order) {
          const [first, count] = slice.values(r);
          const firstVariant = Number(first);
          const nVariants = Number(count);
          if (firstVariant !== expected || slice.blobLength(r) !== nVariants * layout.bytesPerVariant) {
            throw new Error(`store genotypes of '${cohort}' are inconsistent at variant ${firstVariant} (expected ${expected})`);
          }
          const packed = slice.blob(r, buffer)!;
          expected += nVariants;
          await onChunk({ firstVariant, nVariants, packed, dosage: layout.kind === 'dosage' ? dosageView(packed) : null });
        }
      } finally {
        slice.release();
      }
    }
  } finally {
    // A consumer that threw leaves the read in flight: let it settle (and free it) without an
    // unhandled rejection.
    next?.then((s) => s.release()).catch(() => undefined);
  }
  if (expected !== layout.nVariants) throw new Error(`store genotypes of '${cohort}' hold ${expected} of ${layout.nVariants} variants`);
  return layout;
}
