// Versioned schema of the DuckDB store. Append new migrations; never edit an applied one.
// Each migration runs in its own transaction together with the version bump.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

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
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
