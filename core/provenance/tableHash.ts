// Canonical content hashes of a run's rows in the store (effects per scope, scores, metrics), so
// `audit verify` can prove a table still holds what the run wrote. Order-independent: each row is
// hashed as tab-separated text (numbers in JavaScript's shortest round-trip form, NULL as `\N`),
// the row hashes are sorted and hashed together. Rows stream in DuckDB batches (no full copy).
import { createHash } from 'node:crypto';
import type { Store, SqlParams } from '../store/store.js';

export interface TableHash {
  sha256: string;
  rows: number;
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return String(v);
};

/** Hash of rows given as arrays of cells (any order). */
export class RowSetHash {
  private readonly digests: string[] = [];

  add(row: readonly unknown[]): void {
    this.digests.push(createHash('sha256').update(row.map(cell).join('\t')).digest('hex'));
  }

  finish(): TableHash {
    this.digests.sort();
    const h = createHash('sha256');
    for (const d of this.digests) h.update(d);
    return { sha256: h.digest('hex'), rows: this.digests.length };
  }
}

export async function hashQuery(store: Store, sql: string, params: SqlParams): Promise<TableHash> {
  const acc = new RowSetHash();
  await store.forEachBatch<unknown[]>(sql, params, (rows) => {
    for (const r of rows) acc.add(r);
  });
  return acc.finish();
}

/** The tables whose rows a run owns, the query giving one run's (and scope's) rows, and its key columns. */
export const TABLE_QUERIES = {
  effects: `SELECT snp, a1, beta, se, pip FROM effects WHERE run_id = $r AND scope = $sc`,
  scores: `SELECT cohort, fid, iid, score_name, score, allele_ct FROM scores WHERE run_id = $r`,
  metrics: `SELECT scope, method, metric, value, se, n FROM metrics WHERE run_id = $r`,
} as const;

export type HashedTable = keyof typeof TABLE_QUERIES;

export function hashRunTable(store: Store, table: HashedTable, runId: string, scope: string): Promise<TableHash> {
  const params: Record<string, string> = table === 'effects' ? { r: runId, sc: scope } : { r: runId };
  return hashQuery(store, TABLE_QUERIES[table], params);
}
