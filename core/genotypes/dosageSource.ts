// Genotypes as dosages: what every dosage reader (PLINK 2 .pgen, VCF/BCF, BGEN) hands on, in
// the precision PLINK 2 keeps them — integers in units of 1/16384 of an allele, so a dosage in
// [0, 2] is 0..32768 and a value read here equals the one `plink2` computes with on the same file.
// The counted allele is ALT (the .bim's A1), as for .bed hard calls (bedCodec.ts).
import type { BimTable } from '../formats/types.js';

/** Units per allele: PLINK 2 stores dosages as multiples of 1/16384. */
export const DOSAGE_SCALE = 16384;
/** The largest dosage (two copies of ALT). */
export const DOSAGE_MAX = 2 * DOSAGE_SCALE;
/** A missing dosage (no call, or a record without the requested field for that sample). */
export const DOSAGE_MISSING = 0xffff;

/** Sample identifiers of a genotype file, in file order (FID is '0' when the file has none). */
export interface GenotypeSamples {
  fid: string[];
  iid: string[];
  /** Whether the file carries family IDs (.psam with #FID, .fam); VCF and BGEN do not. */
  hasFid: boolean;
  /** Where the IDs came from (a .psam, the VCF header, the BGEN header or a .sample file). */
  source: string;
}

/** Consecutive variants of a dosage file, variant-major. */
export interface DosageChunk {
  /** Index of `variants`' first row among the variants kept so far (0-based). */
  firstVariant: number;
  /** The chunk's variants: a1 = ALT (counted), a2 = REF; `.` IDs already replaced by chr:pos:ref:alt. */
  variants: BimTable;
  /** variants.id.length × nSamples dosages of ALT in units of 1/16384; DOSAGE_MISSING when missing. */
  dosage: Uint16Array;
}

/** Records a reader set aside (multi-allelic, unreadable in a row-level way), counted with examples. */
export interface SkippedRecords {
  reason: string;
  count: number;
  /** Up to five record locations or IDs, for the explanation. */
  examples: string[];
}

export interface DosageReadSummary {
  variants: number;
  skipped: SkippedRecords[];
}

/** A dosage file opened for one streaming pass; memory stays bounded by a chunk. */
export interface DosageSource {
  format: 'pgen' | 'vcf' | 'bcf' | 'bgen';
  /** The files the source reads (for provenance hashes and error messages). */
  files: string[];
  samples: GenotypeSamples;
  /**
   * Calls `onChunk` with up to `chunkVariants` variants at a time, in file order, and resolves
   * when the file is read. A structural problem throws BadInputError naming the file and the
   * record (or byte offset); row-level problems are counted in the summary.
   */
  read(chunkVariants: number, onChunk: (chunk: DosageChunk) => void | Promise<void>): Promise<DosageReadSummary>;
}

/** A dosage in [0, 2] as PLINK 2 stores it: the nearest multiple of 1/16384. */
export function toDosageUnits(dosage: number): number {
  return Math.round(dosage * DOSAGE_SCALE);
}
