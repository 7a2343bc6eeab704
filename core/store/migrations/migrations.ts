// Versioned schema of the DuckDB store. Append new migrations; never edit an applied one.
// Each migration runs in its own transaction together with the version bump.

import { auditMigration } from './auditMigration.js';
import type { Migration } from './migration.js';
import { fitMigration } from './fitMigration.js';
import { qcMigration } from './qcMigration.js';
import { studyMigration } from './studyMigration.js';
import { dosageHardCallsMigration, dosageMigration } from './dosageMigration.js';
import { sumstatsRejectedMigration } from './sumstatsRejectedMigration.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs and steps',
    sql: `
      CREATE TABLE runs (
        run_id        VARCHAR PRIMARY KEY,   -- Temporal workflow id
        name          VARCHAR NOT NULL,
        design        VARCHAR NOT NULL,
        status        VARCHAR NOT NULL,      -- running | completed | failed | cancelled
        study_json    VARCHAR,
        study_sha256  VARCHAR,
        code_version  VARCHAR,
        temporal_run_id VARCHAR,
        resumed_from  VARCHAR,
        started_at    TIMESTAMPTZ NOT NULL,
        finished_at   TIMESTAMPTZ,
        summary_json  VARCHAR
      );
      CREATE TABLE steps (
        run_id        VARCHAR NOT NULL,
        step_key      VARCHAR NOT NULL,      -- hash(step, input hashes, parameters, code version)
        step          VARCHAR NOT NULL,      -- activity type
        scope         VARCHAR NOT NULL DEFAULT '',  -- fold-3, EUR, …
        attempt       INTEGER NOT NULL,
        cache_hit     BOOLEAN NOT NULL DEFAULT false,
        started_at    TIMESTAMPTZ NOT NULL,
        finished_at   TIMESTAMPTZ,
        output_json   VARCHAR,
        PRIMARY KEY (run_id, step_key)
      );
    `,
  },
  {
    version: 2,
    description: 'ingested data: cohorts, genotypes, GWAS, sample tables, annotations, LD blocks and panels',
    sql: `
      -- Bulk tables (samples, variants, gwas, annotations, ld_panel_snps) carry no PRIMARY KEY:
      -- index upkeep slows loads several-fold; each dataset is replaced as a whole inside one
      -- transaction, which keeps (dataset, idx) unique.
      -- One row per ingested input; sha256 over the input's files makes re-ingest a no-op.
      CREATE TABLE ingests (
        dataset       VARCHAR NOT NULL,     -- cohort / gwas set / table name
        kind          VARCHAR NOT NULL,     -- bfile | sumstats | pheno | covar | annot | blocks | ld
        sha256        VARCHAR NOT NULL,
        files_json    VARCHAR NOT NULL,     -- [{path, bytes, sha256}]
        rows          BIGINT NOT NULL,
        details_json  VARCHAR,
        ingested_at   TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (kind, dataset)
      );
      CREATE TABLE cohorts (
        cohort        VARCHAR PRIMARY KEY,
        ancestry      VARCHAR NOT NULL,
        n_samples     INTEGER NOT NULL,
        n_variants    INTEGER NOT NULL,
        bytes_per_variant INTEGER NOT NULL
      );
      CREATE TABLE samples (
        cohort VARCHAR NOT NULL, idx INTEGER NOT NULL, fid VARCHAR NOT NULL, iid VARCHAR NOT NULL,
        father VARCHAR, mother VARCHAR, sex TINYINT NOT NULL
      );
      CREATE TABLE variants (
        cohort VARCHAR NOT NULL, idx INTEGER NOT NULL, chrom VARCHAR NOT NULL, pos INTEGER NOT NULL,
        id VARCHAR NOT NULL, cm DOUBLE NOT NULL, a1 VARCHAR NOT NULL, a2 VARCHAR NOT NULL
      );
      -- Packed genotypes in .bed byte order: variants [first_variant, first_variant + n_variants)
      -- of a cohort, each ceil(n_samples / 4) bytes, concatenated.
      CREATE TABLE genotypes (
        cohort VARCHAR NOT NULL, chunk INTEGER NOT NULL, first_variant INTEGER NOT NULL,
        n_variants INTEGER NOT NULL, packed BLOB NOT NULL,
        PRIMARY KEY (cohort, chunk)
      );
      CREATE TABLE gwas (
        gwas_set VARCHAR NOT NULL, idx INTEGER NOT NULL, snp VARCHAR NOT NULL,
        chrom VARCHAR, pos INTEGER, a1 VARCHAR NOT NULL, a2 VARCHAR NOT NULL,
        freq DOUBLE, b DOUBLE NOT NULL, se DOUBLE NOT NULL, p DOUBLE NOT NULL, n DOUBLE,
        source VARCHAR NOT NULL             -- file | fold<k> | imputed
      );
      -- Phenotypes and covariates, long format: one row per sample and column.
      CREATE TABLE sample_values (
        dataset VARCHAR NOT NULL, kind VARCHAR NOT NULL, fid VARCHAR NOT NULL, iid VARCHAR NOT NULL,
        name VARCHAR NOT NULL, value DOUBLE, text VARCHAR
      );
      CREATE TABLE annotation_sets (
        annotation_set VARCHAR PRIMARY KEY, names_json VARCHAR NOT NULL, binary_json VARCHAR NOT NULL
      );
      CREATE TABLE annotations (
        annotation_set VARCHAR NOT NULL, idx INTEGER NOT NULL, snp VARCHAR NOT NULL, vals DOUBLE[] NOT NULL
      );
      CREATE TABLE ld_blocks (
        block_set VARCHAR NOT NULL, idx INTEGER NOT NULL, block VARCHAR NOT NULL, chrom VARCHAR NOT NULL,
        start_bp INTEGER NOT NULL, end_bp INTEGER NOT NULL,
        PRIMARY KEY (block_set, idx)
      );
      -- SBayesRC LD folders: catalogued, eigen data stays in its files (hashed).
      CREATE TABLE ld_panels (
        panel VARCHAR PRIMARY KEY, dir VARCHAR NOT NULL, n_snps INTEGER NOT NULL, n_blocks INTEGER NOT NULL
      );
      CREATE TABLE ld_panel_blocks (
        panel VARCHAR NOT NULL, block INTEGER NOT NULL, chrom VARCHAR NOT NULL,
        start_idx INTEGER NOT NULL, end_idx INTEGER NOT NULL, m INTEGER NOT NULL, k INTEGER NOT NULL,
        sum_lambda DOUBLE NOT NULL, cutoff DOUBLE NOT NULL, eigen_path VARCHAR NOT NULL,
        eigen_bytes BIGINT NOT NULL, eigen_sha256 VARCHAR NOT NULL,
        PRIMARY KEY (panel, block)
      );
      CREATE TABLE ld_panel_snps (
        panel VARCHAR NOT NULL, idx INTEGER NOT NULL, chrom VARCHAR NOT NULL, id VARCHAR NOT NULL,
        gen_pos DOUBLE, phys_pos INTEGER NOT NULL, a1 VARCHAR NOT NULL, a2 VARCHAR NOT NULL,
        a1_freq DOUBLE NOT NULL, n DOUBLE, block INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'cross-validation folds per run',
    sql: `
      CREATE TABLE folds (
        run_id VARCHAR NOT NULL, cohort VARCHAR NOT NULL, fid VARCHAR NOT NULL, iid VARCHAR NOT NULL,
        fold INTEGER NOT NULL            -- 1..K
      );
    `,
  },
  {
    version: 4,
    description: 'polygenic scores per run',
    sql: `
      CREATE TABLE scores (
        run_id VARCHAR NOT NULL, cohort VARCHAR NOT NULL, fid VARCHAR NOT NULL, iid VARCHAR NOT NULL,
        score_name VARCHAR NOT NULL, score DOUBLE NOT NULL, allele_ct INTEGER NOT NULL
      );
    `,
  },
  qcMigration,
  fitMigration,
  studyMigration,
  auditMigration,
  sumstatsRejectedMigration,
  dosageMigration,
  dosageHardCallsMigration,
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
