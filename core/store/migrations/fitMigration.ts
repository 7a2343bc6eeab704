// Store schema for SBayesR / SBayesRC fits (issue 6): one summary row per run and scope, and the
// per-SNP effects (PREFIX.txt) in bulk. Both are replaced as a whole per run and scope.
import type { Migration } from './migration.js';

export const fitMigration: Migration = {
  version: 6,
  description: 'SBayesR/SBayesRC fits: summary per run and scope, per-SNP effects',
  sql: `
    CREATE TABLE fits (
      run_id VARCHAR NOT NULL, scope VARCHAR NOT NULL,
      method VARCHAR NOT NULL,            -- SBayesR | SBayesRC
      h2 DOUBLE NOT NULL, h2_sd DOUBLE NOT NULL,
      nnz DOUBLE NOT NULL,                -- posterior mean number of non-zero effects
      sigma2e DOUBLE NOT NULL,            -- residual variance, mean over blocks
      pi_json VARCHAR NOT NULL,           -- posterior mean π, five components
      cutoff DOUBLE NOT NULL,             -- eigen cut-off used
      cutoff_reason VARCHAR NOT NULL,     -- 'given' or the tuning decision
      enrichment_json VARCHAR NOT NULL,   -- {annotation: enrichment} ({} for SBayesR)
      summary_json VARCHAR NOT NULL,      -- the fit's PREFIX.json, verbatim
      PRIMARY KEY (run_id, scope)
    );
    -- One row per SNP of PREFIX.txt (bulk: no key).
    CREATE TABLE effects (
      run_id VARCHAR NOT NULL, scope VARCHAR NOT NULL,
      snp VARCHAR NOT NULL, a1 VARCHAR NOT NULL,
      beta DOUBLE NOT NULL, se DOUBLE NOT NULL, pip DOUBLE NOT NULL
    );
  `,
};
