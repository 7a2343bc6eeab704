// Store schema for dosage cohorts (issue 19): a cohort's genotypes are either the .bed's 2-bit
// hard calls or ALT dosages in PLINK 2's 1/16384 units (uint16 little-endian per sample, 0xFFFF
// missing) in the same `genotypes` rows; which one, and the format they came from, per cohort.
import type { Migration } from './migration.js';

export const dosageMigration: Migration = {
  version: 10,
  description: 'dosage cohorts: genotype kind and source format per cohort',
  sql: `
    ALTER TABLE cohorts ADD COLUMN genotype_kind VARCHAR DEFAULT 'hardcall';   -- hardcall | dosage
    ALTER TABLE cohorts ADD COLUMN source_format VARCHAR DEFAULT 'bed';        -- bed | pgen | vcf | bcf | bgen
  `,
};

/**
 * Whether every dosage of a dosage cohort is a hard call (0, 1, 2 or missing): such a cohort (a
 * GT-only VCF, a pgen of hard calls) is scored by the .bed kernel, so its numbers are the .bed's bit for bit.
 */
export const dosageHardCallsMigration: Migration = {
  version: 11,
  description: 'dosage cohorts: whether all their dosages are hard calls',
  sql: `
    ALTER TABLE cohorts ADD COLUMN hard_calls_only BOOLEAN DEFAULT false;
  `,
};
