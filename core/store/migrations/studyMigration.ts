// Store schema for study runs (issue 7): evaluation metrics per run, scope and method, and where
// a run's study file lives (so `study resume` can re-read a fixed file).
import type { Migration } from './migration.js';

export const studyMigration: Migration = {
  version: 7,
  description: 'study runs: metrics per run, scope and method; study file path',
  sql: `
    CREATE TABLE metrics (
      run_id VARCHAR NOT NULL,
      scope VARCHAR NOT NULL,             -- fold-3 | folds (aggregate) | EUR (single-ancestry PGS) | combined
      method VARCHAR NOT NULL,            -- SBayesRC | SBayesR | SBayesRC-multi
      metric VARCHAR NOT NULL,            -- r2 | incremental_r2 | calibration_slope | auc | … | weight:EUR
      value DOUBLE,                       -- NULL when undefined (e.g. AUC of a quantitative trait)
      se DOUBLE,                          -- across folds for aggregates, else NULL
      n INTEGER NOT NULL,                 -- samples (or folds, for aggregates)
      PRIMARY KEY (run_id, scope, method, metric)
    );
    ALTER TABLE runs ADD COLUMN study_path VARCHAR;
  `,
};
