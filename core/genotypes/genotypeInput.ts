// Which genotype files a file-based command (`pgsflow gwas`, `pgsflow score`) reads: PLINK 1
// filesets, or one dosage format — PLINK 2 filesets, VCF/BCF or BGEN, one file or one per
// chromosome with the same samples. One format per call, as plink2 takes one.
import type { DosageGenotypes } from '../../contracts/ingest.js';
import type { DosageCohort } from './dosageCohort.js';
import { type DosageInputKind, openDosageCohort } from './dosageOpeners.js';

export type DosageInput = DosageGenotypes;

export type GenotypeInput = { kind: 'bfile'; paths: string[] } | DosageInput;

export function openDosageInput(input: DosageInput): Promise<DosageCohort> {
  return openDosageCohort(input.kind, input.paths, {
    ...(input.dosageField ? { dosageField: input.dosageField } : {}),
    ...(input.sample !== undefined ? { sample: input.sample } : {}),
    ...(input.refFirst !== undefined ? { refFirst: input.refFirst } : {}),
  });
}

/**
 * Variants per dosage chunk: a chunk holds variants × samples × 2 bytes, so it is sized in bytes
 * (about 16 MiB) and capped at `maxVariants` (what the .bed path reads at a time).
 */
export function dosageChunkVariants(nSamples: number, maxVariants: number): number {
  return Math.max(1, Math.min(maxVariants, Math.floor((16 << 20) / (2 * Math.max(1, nSamples)))));
}
