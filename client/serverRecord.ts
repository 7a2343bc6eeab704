// The embedded dev server of a store, recorded next to it (`<store>/temporal-server.json`) for
// as long as it runs. A second command on the same store without TEMPORAL_ADDRESS (`study
// status` or `audit` while `study run` works) connects to that server instead of starting
// another on the same SQLite file — two servers on one database contend for its shards — and
// can reach the worker that owns the store. A record whose server is gone is removed. Starting
// one is claimed first (`temporal-server.lock`, created exclusively), so two commands launched
// at the same moment start one server between them.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { z } from 'zod';

const recordSchema = z.object({
  address: z.string().min(1),
  uiUrl: z.string(),
  serverPid: z.number().int().positive(),
  ownerPid: z.number().int().positive(),
  startedAt: z.string(),
});
export type ServerRecord = z.output<typeof recordSchema>;

export const serverRecordPath = (storeDir: string): string => join(storeDir, 'temporal-server.json');
const startLockPath = (storeDir: string): string => join(storeDir, 'temporal-server.lock');

export function writeServerRecord(storeDir: string, rec: ServerRecord): void {
  const path = serverRecordPath(storeDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Remove the record if this process wrote it (a later server's record is left alone). */
export function removeServerRecord(storeDir: string, ownerPid = process.pid): void {
  const rec = readRecord(storeDir);
  if (rec?.ownerPid === ownerPid) rmSync(serverRecordPath(storeDir), { force: true });
}

function readRecord(storeDir: string): ServerRecord | null {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(serverRecordPath(storeDir), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The store's running embedded server: its record, when the server process is alive and
 * answers within `timeoutMs`; otherwise null, and a stale record is removed.
 */
export async function liveServerRecord(storeDir: string, timeoutMs = 2000): Promise<ServerRecord | null> {
  const rec = readRecord(storeDir);
  if (rec === null) return null;
  if (alive(rec.serverPid)) {
    try {
      const conn = await Connection.connect({ address: rec.address, connectTimeout: timeoutMs });
      await conn.close();
      return rec;
    } catch {
      // not answering: treat as gone
    }
  }
  rmSync(serverRecordPath(storeDir), { force: true });
  return null;
}

/**
 * Claim the start of the store's server: true when this process may start it (the lock file,
 * holding our pid, is ours until releaseServerStart). A lock left by a dead process is taken over.
 */
export function claimServerStart(storeDir: string): boolean {
  mkdirSync(storeDir, { recursive: true }); // a new store: the server would create it next
  const lock = startLockPath(storeDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(lock, 'utf8'));
    } catch {
      // removed meanwhile: try again
    }
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
    rmSync(lock, { force: true });
  }
  return false;
}

export function releaseServerStart(storeDir: string): void {
  const lock = startLockPath(storeDir);
  try {
    if (Number(readFileSync(lock, 'utf8')) === process.pid) rmSync(lock, { force: true });
  } catch {
    // already gone
  }
}

/**
 * While another process starts the store's server: its record once it answers, or null when the
 * starter gave up (its lock is gone with no live record) or `timeoutMs` passed.
 */
export async function awaitServerRecord(storeDir: string, timeoutMs: number): Promise<ServerRecord | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rec = await liveServerRecord(storeDir);
    if (rec) return rec;
    let starting = true;
    try {
      const owner = Number(readFileSync(startLockPath(storeDir), 'utf8'));
      starting = Number.isInteger(owner) && owner > 0 && alive(owner);
    } catch {
      starting = false;
    }
    if (!starting) return null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}
