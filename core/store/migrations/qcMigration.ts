// Store schema for summary-statistics QC (issue 5): per-rule counts and per-variant reasons,
// keyed by run, scope (fold / ancestry) and the GWAS set that was cleaned. The cleaned set
// itself goes to `gwas` as `<gwas_set>/qc` with source 'qc'.
import type { Migration } from './migration.js';

export const qcMigration: Migration = {
  version: 5,
  description: 'summary-statistics QC: per-rule counts and removed variants',
  sql: `
    CREATE TABLE qc_counts (
      run_id VARCHAR NOT NULL, scope VARCHAR NOT NULL, gwas_set VARCHAR NOT NULL,
      rule VARCHAR NOT NULL,              -- invalid_value … variance_outlier (activities/qc/rules.ts)
      removed INTEGER NOT NULL,           -- variants this rule removed
      remaining INTEGER NOT NULL,         -- variants left after it
      position INTEGER NOT NULL,          -- 1-based order in which the rule ran
      PRIMARY KEY (run_id, scope, gwas_set, rule)
    );
    -- One row per removed variant (bulk: no key; replaced as a whole per run, scope and set).
    CREATE TABLE qc_removed (
      run_id VARCHAR NOT NULL, scope VARCHAR NOT NULL, gwas_set VARCHAR NOT NULL,
      snp VARCHAR NOT NULL, rule VARCHAR NOT NULL, detail VARCHAR NOT NULL
    );
  `,
};
