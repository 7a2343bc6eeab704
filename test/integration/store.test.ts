import { basename } from 'node:path';
// The DuckDB store on a real file: migrations, transactions, schema-version refusal, lock.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreLockedError, StoreSchemaError } from '../../core/errors.js';
import { SCHEMA_VERSION } from '../../core/store/migrations/migrations.js';
import { Store, storePaths } from '../../core/store/store.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function tmp(): string {
  const t = makeTmpDir('store');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('store', () => {
  it('creates the file, the artifact folder and the runs/steps tables at the current schema version', async () => {
    const dir = tmp();
    const store = await Store.open(dir);
    try {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      const tables = await store.all<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables ORDER BY table_name`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['runs', 'steps', 'store_meta']));
      const cols = await store.all<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'steps'`,
      );
      expect(cols.map((c) => c.column_name)).toEqual(
        expect.arrayContaining(['run_id', 'step_key', 'step', 'attempt', 'cache_hit', 'started_at', 'finished_at']),
      );
    } finally {
      store.close();
    }
    // Re-opening applies nothing and keeps data.
    const again = await Store.open(dir);
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const store = await Store.open(tmp());
    try {
      await expect(
        store.transaction(async (tx) => {
          await tx.run(`INSERT INTO runs (run_id, name, design, status, started_at) VALUES ('r1', 'n', 'd', 'running', now())`);
          throw new Error('crash mid-write');
        }),
      ).rejects.toThrow('crash mid-write');
      const n = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM runs`);
      expect(Number(n[0]?.n)).toBe(0);
      // And the connection is usable afterwards.
      await store.transaction((tx) =>
        tx.run(`INSERT INTO runs (run_id, name, design, status, started_at) VALUES ('r2', 'n', 'd', 'running', now())`),
      );
      expect(Number((await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM runs`))[0]?.n)).toBe(1);
    } finally {
      store.close();
    }
  });

  it('refuses a store written by a newer schema, naming both versions, without changing it', async () => {
    const dir = tmp();
    (await Store.open(dir)).close();
    const { database } = storePaths(dir);
    const inst = await DuckDBInstance.create(database);
    const conn = await inst.connect();
    await conn.run(`UPDATE store_meta SET value = '${SCHEMA_VERSION + 5}' WHERE key = 'schema_version'`);
    conn.closeSync();
    inst.closeSync();
    const before = sha256File(database);
    const err = await Store.open(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreSchemaError);
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 5}`);
    expect((err as Error).message).toContain(`up to ${SCHEMA_VERSION}`);
    expect(sha256File(database)).toBe(before);
  });

  it('lets exactly one process open the store', async () => {
    const dir = tmp();
    const store = await Store.open(dir);
    try {
      const probe = fileURLToPath(new URL('../helpers/openStore.ts', import.meta.url));
      const r = spawnSync(process.execPath, ['--import', 'tsx', probe, dir], { encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stdout).toContain(StoreLockedError.name);
      expect(r.stdout).toContain('open in another process');
    } finally {
      store.close();
    }
  });

  it('refuses a second open from the same process (also through another spelling of the path), until the first is closed', async () => {
    const dir = tmp();
    const first = await Store.open(dir);
    try {
      await expect(Store.open(dir)).rejects.toThrow(StoreLockedError);
      await expect(Store.open(`${dir}/../${basename(dir)}/`)).rejects.toThrow(/already open in this process/);
      // The refused opens changed nothing: the first store still writes and reads.
      await first.transaction(async (tx) => {
        await tx.run('CREATE TABLE t (x INTEGER)');
        await tx.run('INSERT INTO t VALUES (7)');
      });
      expect(await first.all('SELECT x FROM t')).toEqual([{ x: 7 }]);
    } finally {
      first.close();
    }
    const again = await Store.open(dir);
    try {
      expect(await again.all('SELECT x FROM t')).toEqual([{ x: 7 }]);
    } finally {
      again.close();
    }
  });

  it('closeWhenIdle lets a running query finish and keeps the event loop free meanwhile', async () => {
    const store = await Store.open(tmp());
    const slow = store.all<{ n: bigint }>('SELECT count(*) AS n FROM range(400000000) t(i) WHERE i % 7 = 3');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const closed = store.closeWhenIdle();
    const [rows] = await Promise.all([slow, closed]);
    clearInterval(timer);
    expect(rows).toEqual([{ n: 57142857n }]);
    expect(ticks).toBeGreaterThan(0); // timers ran while the query ran: nothing blocked the thread
    await expect(store.all('SELECT 1')).rejects.toThrow();
  });
});
