// What the genotype writers (pgenWrite, vcfWrite, bgenWrite) share: they take a variant's ALT
// dosages in the units our readers return (1/16384 of an allele, DOSAGE_MISSING = missing), so
// writing a file and reading it back is an identity on the same Uint16Array.

/** One biallelic variant as written: ALT is the counted allele (our A1), REF the other (A2). */
export interface WriteVariant {
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  alt: string;
}

/** A genotype file written variant by variant, renamed into place only by `commit()`. */
export interface DosageWriter {
  /** `units`: one ALT dosage per sample, 0..32768, or DOSAGE_MISSING. */
  writeVariant(variant: WriteVariant, units: Uint16Array): void;
  /** Writes what is buffered and renames the file into place (refused when a header announced more variants). */
  commit(): void;
  /** Removes the temporary file (after an error). */
  abort(): void;
}
