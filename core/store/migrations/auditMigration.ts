// Store schema for provenance and audit (issue 8): where and with what a run ran, per-step peak
// memory, hashes of what a run produced (files and canonical table contents, re-checked by
// `pgsflow audit verify`), and the archived Temporal workflow histories (retention is short,
// the audit trail must outlive it).
import type { Migration } from './migration.js';

export const auditMigration: Migration = {
  version: 8,
  description: 'provenance: run host and code identity, step peak memory, output hashes, archived histories',
  sql: `
    ALTER TABLE runs ADD COLUMN host VARCHAR;
    ALTER TABLE runs ADD COLUMN package_version VARCHAR;
    ALTER TABLE runs ADD COLUMN git_commit VARCHAR;
    ALTER TABLE runs ADD COLUMN lockfile_sha256 VARCHAR;
    ALTER TABLE runs ADD COLUMN provenance_json VARCHAR;   -- platform, Node.js, CPUs, worker pid, resolved study
    -- Peak resident set size of the worker process that recorded the step (cumulative since
    -- that process started, from process.resourceUsage().maxRSS): process-wide, not the step's own;
    -- a compute activity run by another worker process is not measured by it.
    ALTER TABLE steps ADD COLUMN peak_rss_bytes BIGINT;
    -- What a run produced: files (sha256 and size) and canonical hashes of its table rows.
    CREATE TABLE run_outputs (
      run_id VARCHAR NOT NULL,
      scope VARCHAR NOT NULL,             -- fold-3/SBayesRC, EUR/SBayesRC, '' (whole run)
      kind VARCHAR NOT NULL,              -- fit.txt | fit.json | fit.par | table:effects | table:scores | table:metrics
      path VARCHAR,                       -- file path; NULL for a table
      sha256 VARCHAR NOT NULL,
      bytes BIGINT,                       -- file size; NULL for a table
      rows BIGINT,                        -- table rows; NULL for a file
      recorded_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (run_id, scope, kind)
    );
    CREATE TABLE histories (
      run_id VARCHAR NOT NULL,
      workflow_id VARCHAR NOT NULL,       -- the study workflow or one of its children
      temporal_run_id VARCHAR,
      events INTEGER NOT NULL,
      history_json VARCHAR NOT NULL,      -- Temporal's JSON history format (historyToJSON)
      archived_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (run_id, workflow_id)
    );
  `,
};
