// The store: one DuckDB file plus an artifact folder beside it, owned by exactly one process
// (the worker serving the `pgsflow-store` task queue). Everything else reads through Temporal.
import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type DuckDBAppender, DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { StoreLockedError, StoreSchemaError } from '../errors.js';
import { BlobRows } from './blobRows.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/migrations.js';
import { WriteLock } from './writeLock.js';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

export interface StorePaths {
  root: string;
  database: string;
  artifacts: string;
}

export function storePaths(root: string): StorePaths {
  const abs = resolve(root);
  return { root: abs, database: join(abs, 'store.duckdb'), artifacts: join(abs, 'artifacts') };
}

/** A connection inside a transaction; queries run in order on one connection. */
export interface Tx {
  run(sql: string, params?: SqlParams): Promise<void>;
  all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Bulk insert into `table`; the appender is flushed and closed before the commit. */
  appender(table: string): Promise<DuckDBAppender>;
}

/**
 * The store folder itself may be a symlink (the user chose it), but what the store writes inside
 * it must stay inside it: `store.duckdb` and `artifacts` may not be symlinks (a store folder
 * copied from someone else could otherwise make a study write anywhere the user can write,
 * e.g. `artifacts -> ~/.ssh`). Another disk for artifacts: mount it at `artifacts`.
 */
async function refuseLinksOutOfStore(paths: StorePaths): Promise<void> {
  for (const p of [paths.database, paths.artifacts]) {
    let target: string;
    try {
      if (!(await lstat(p)).isSymbolicLink()) continue;
      target = await readlink(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    throw new StoreSchemaError(
      `store ${paths.root}: ${p} is a symlink (to ${target}); the store's ${p === paths.database ? 'database file' : 'artifacts folder'} must be inside the store, not a link out of it — replace the link by a real ${p === paths.database ? 'file' : 'folder (or mount the other disk there)'}`,
    );
  }
}

/**
 * Database files open in this process. DuckDB's file lock (fcntl) is per process, so a second
 * instance on the same file from the same process would not be refused by it: two caches over
 * one file, each writing its own pages. Keyed by the real path of the store folder.
 */
const openHere = new Set<string>();

export class Store {
  private readonly lock = new WriteLock();
  private closed = false;

  private constructor(
    readonly paths: StorePaths,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly schemaVersion: number,
    private readonly key: string,
  ) {}

  /** Open (creating if needed) and migrate. Fails clearly on a newer schema or a held lock. */
  static async open(root: string): Promise<Store> {
    const paths = storePaths(root);
    await refuseLinksOutOfStore(paths);
    await mkdir(paths.artifacts, { recursive: true });
    const key = join(await realpath(paths.root), 'store.duckdb');
    if (openHere.has(key)) {
      throw new StoreLockedError(`store ${paths.database} is already open in this process; use that Store (closing it first if a new one is needed)`);
    }
    openHere.add(key);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(paths.database);
    } catch (e) {
      openHere.delete(key);
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new StoreLockedError(
          `store ${paths.database} is open in another process (only the worker serving the store ` +
            `task queue may open it; read it through that worker). DuckDB said: ${msg}`,
        );
      }
      throw e;
    }
    const conn = await instance.connect();
    try {
      const version = await migrate(conn, paths.database);
      return new Store(paths, instance, conn, version, key);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      openHere.delete(key);
      throw e;
    }
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.lock.run(() => readAll<T>(this.conn, sql, params));
  }

  /**
   * A query's rows with the BLOB column `blobColumn` copied out on demand into the caller's
   * reusable buffer (blobRows.ts); DuckDB's result chunks are held until `release()`. Meant for a
   * few large BLOBs (genotype chunks).
   */
  async blobRows<T extends unknown[]>(sql: string, params: SqlParams | undefined, blobColumn: number): Promise<BlobRows<T>> {
    return this.lock.run(async () => {
      const result = await this.conn.stream(sql, params);
      const rows = new BlobRows<T>(blobColumn);
      for await (const chunk of result) rows.take(chunk);
      return rows;
    });
  }

  /**
   * Stream a query's rows in DuckDB's vector-sized batches (2,048 rows) without materialising
   * the whole result; `onBatch` runs with the store lock held.
   */
  async forEachBatch<T extends unknown[]>(sql: string, params: SqlParams | undefined, onBatch: (rows: T[]) => void | Promise<void>): Promise<void> {
    return this.lock.run(async () => {
      const result = await this.conn.stream(sql, params);
      for await (const rows of result.yieldRowsJs()) await onBatch(rows as T[]);
    });
  }

  /** Run `fn` in one transaction: all of its writes land, or none do. */
  async transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return this.lock.run(() => inTransaction(this.conn, fn));
  }

  /**
   * Close once no statement is in flight. Closing under a running query blocks the calling
   * thread inside DuckDB until it ends (a CLI hung after Ctrl-C with its main thread parked
   * there, deaf to a second signal); waiting on the store's lock keeps the event loop free.
   */
  async closeWhenIdle(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.closeSync();
      this.instance.closeSync();
    } finally {
      openHere.delete(this.key);
    }
  }
}

async function readAll<T extends Row>(conn: DuckDBConnection, sql: string, params?: SqlParams): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as T[];
}

async function inTransaction<R>(conn: DuckDBConnection, fn: (tx: Tx) => Promise<R>): Promise<R> {
  const open: DuckDBAppender[] = [];
  const closeAppenders = (): void => {
    while (open.length > 0) open.pop()?.closeSync();
  };
  const tx: Tx = {
    run: async (sql, params) => {
      await conn.run(sql, params);
    },
    all: (sql, params) => readAll(conn, sql, params),
    appender: async (table) => {
      const a = await conn.createAppender(table);
      open.push(a);
      return a;
    },
  };
  await conn.run('BEGIN TRANSACTION');
  try {
    const result = await fn(tx);
    closeAppenders();
    await conn.run('COMMIT');
    return result;
  } catch (e) {
    try {
      closeAppenders();
    } catch {
      // the transaction is rolled back below either way
    }
    await conn.run('ROLLBACK');
    throw e;
  }
}

/** Apply pending migrations; refuse a store written by a newer schema without touching it. */
async function migrate(conn: DuckDBConnection, database: string): Promise<number> {
  const hasMeta = await readAll<{ n: bigint }>(
    conn,
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'store_meta'`,
  );
  let current = 0;
  if (Number(hasMeta[0]?.n ?? 0) > 0) {
    const rows = await readAll<{ value: string }>(conn, `SELECT value FROM store_meta WHERE key = 'schema_version'`);
    current = Number(rows[0]?.value ?? 0);
    if (!Number.isInteger(current)) throw new StoreSchemaError(`store ${database}: unreadable schema_version`);
  }
  if (current > SCHEMA_VERSION) {
    throw new StoreSchemaError(
      `store ${database} was written by a newer pgsflow (schema version ${current}; this version ` +
        `understands up to ${SCHEMA_VERSION}). Upgrade pgsflow, or use another --store.`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await inTransaction(conn, async (tx) => {
      await tx.run(`CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
      await tx.run(m.sql);
      await tx.run(
        `INSERT INTO store_meta VALUES ('schema_version', $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        { v: String(m.version) },
      );
    });
    current = m.version;
  }
  return current;
}
