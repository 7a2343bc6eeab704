// Store schema for summary-statistics rows the reader set aside at ingest (issue 16): indels, X
// rows, NA values, … with the QC rule that removes them and why, so a run's QC of the set counts
// every data line of the file and `qc --explain` / the report name each one.
import type { Migration } from './migration.js';

export const sumstatsRejectedMigration: Migration = {
  version: 9,
  description: 'summary-statistics rows set aside by the reader, per GWAS set',
  sql: `
    CREATE TABLE gwas_rejected (
      gwas_set VARCHAR NOT NULL,
      line INTEGER NOT NULL,              -- 1-based line of the input file
      snp VARCHAR NOT NULL,               -- the row's ID as written (or chrom:pos)
      rule VARCHAR NOT NULL,              -- a QC rule (contracts/qc.ts QC_RULES)
      detail VARCHAR NOT NULL
    );
  `,
};
