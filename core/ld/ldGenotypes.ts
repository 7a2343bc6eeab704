// The reference genotypes an LD panel is built from, whatever their format: one streaming scan
// gives the variant table and per-variant statistics over the kept samples; blocks are then read
// in any order. PLINK 1 filesets are read in place (bedLdGenotypes.ts); dosage formats, which
// VCF and BGEN only allow front to back, are spilled once by the scan (dosageLdGenotypes.ts).
import { BadInputError } from '../errors.js';
import type { BimTable } from '../formats/types.js';
import type { SampleIds } from '../genotypes/sampleSelection.js';
import type { LdPanelRequest, LdPanelSummary } from '../../contracts/ld.js';
import { openBedLdGenotypes } from './bedLdGenotypes.js';
import { openDosageLdGenotypes } from './dosageLdGenotypes.js';
import type { VariantStats } from './variantStats.js';

/** A block's genotypes, rows in the order asked for. */
export type BlockGenotypes =
  /** .bed rows (bytesPerVariant each) over every sample; `kept` picks the panel's samples. */
  | { kind: 'packed'; packed: Uint8Array; bytesPerVariant: number; kept: Int32Array }
  /** Rows of nSamples dosages (1/16384 units, DOSAGE_MISSING when missing), kept samples only. */
  | { kind: 'dosage'; units: Uint16Array; nSamples: number };

export interface BlockReader {
  /** Genotypes of `variants` (global indices, each polymorphic with calls among the kept samples). */
  read(variants: Int32Array): Promise<BlockGenotypes>;
  close(): Promise<void>;
}

export interface ScannedGenotypes {
  /** Every variant, A1 = the counted allele (PLINK 1 A1, ALT of the others). */
  bim: BimTable;
  stats: VariantStats;
  /** Dosage formats: what was read (the .bed path has none). */
  dosages?: NonNullable<LdPanelSummary['dosages']>;
  openReader(): Promise<BlockReader>;
  /** Removes what the scan left on disk (the dosage spill). */
  dispose(): Promise<void>;
}

export interface LdGenotypes {
  samples: SampleIds;
  nSamples: number;
  /** Where the sample IDs come from (.fam, .psam, VCF header, BGEN or .sample), for messages. */
  samplesFile: string;
  /** `kept`: 0-based sample indices, ascending; `scratchDir` may receive a spill file. */
  scan(kept: Int32Array, scratchDir: string): Promise<ScannedGenotypes>;
}

export function openLdGenotypes(req: Pick<LdPanelRequest, 'bfiles' | 'genotypes'>): Promise<LdGenotypes> {
  const bfiles = req.bfiles ?? [];
  if (bfiles.length > 0 && req.genotypes) throw new BadInputError('(ld request)', 'give the reference genotypes either as PLINK 1 filesets or in another format, not both');
  return req.genotypes ? openDosageLdGenotypes(req.genotypes) : openBedLdGenotypes(bfiles);
}
