// Two CLI sessions on one store without TEMPORAL_ADDRESS: the second uses the first's embedded
// dev server (recorded next to the store) instead of starting another on the same SQLite file.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { serverRecordPath } from '../../client/serverRecord.js';
import { openSession } from '../../client/session.js';
import { loadEnv } from '../../config/env.js';
import { Store } from '../../core/store/store.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('session');
afterAll(() => tmp.cleanup());

describe('embedded dev server shared by the commands on one store', () => {
  it('a second session attaches to the running server; the record goes with the server', async () => {
    const storeDir = join(tmp.dir, 'store');
    mkdirSync(storeDir, { recursive: true });
    const env = loadEnv({ ...process.env, TEMPORAL_ADDRESS: '', TEMPORAL_CLI_PATH: inject('temporalCli') });
    const log = (): void => undefined;
    const first = await openSession({ env, storeDir, withWorker: true, log });
    try {
      expect(first.server).toBeDefined();
      expect(existsSync(serverRecordPath(storeDir))).toBe(true);
      const second = await openSession({ env, storeDir, withWorker: false, log });
      try {
        expect(second.server).toBeUndefined(); // no second server on the same temporal.sqlite
        expect(second.address).toBe(first.address);
        const info = await second.call(() => second.client.workflowService.getSystemInfo({}));
        expect(info.serverVersion).toMatch(/\d/);
      } finally {
        await second.shutdown();
      }
      expect(existsSync(serverRecordPath(storeDir))).toBe(true); // the attached session leaves it
    } finally {
      await first.shutdown();
    }
    expect(existsSync(serverRecordPath(storeDir))).toBe(false);
    // Next time: a new server of its own.
    const again = await openSession({ env, storeDir, withWorker: false, log });
    try {
      expect(again.server).toBeDefined();
    } finally {
      await again.shutdown();
    }
  }, 180_000);

  it('two sessions opened at the same moment start one server between them', async () => {
    const storeDir = join(tmp.dir, 'race');
    const env = loadEnv({ ...process.env, TEMPORAL_ADDRESS: '', TEMPORAL_CLI_PATH: inject('temporalCli') });
    const log = (): void => undefined;
    const [a, b] = await Promise.all([openSession({ env, storeDir, withWorker: false, log }), openSession({ env, storeDir, withWorker: false, log })]);
    try {
      expect([a.server, b.server].filter((s) => s !== undefined)).toHaveLength(1);
      expect(a.address).toBe(b.address);
      expect(existsSync(join(storeDir, 'temporal-server.lock'))).toBe(false); // released once started
    } finally {
      const [first, second] = a.server ? [b, a] : [a, b];
      await first.shutdown(); // the attached one first, then the owner
      await second.shutdown();
    }
    expect(existsSync(serverRecordPath(storeDir))).toBe(false);
  }, 180_000);

  it('shutdown called twice at once (Ctrl-C and the command ending) runs once: both wait for all of it', async () => {
    const storeDir = join(tmp.dir, 'twice');
    const env = loadEnv({ ...process.env, TEMPORAL_ADDRESS: '', TEMPORAL_CLI_PATH: inject('temporalCli') });
    const s = await openSession({ env, storeDir, withWorker: true, log: () => undefined });
    const server = s.server!;
    let serverGone = false;
    void server.exited.then(() => {
      serverGone = true;
    });
    const first = s.shutdown();
    const second = s.shutdown();
    expect(second).toBe(first);
    await second;
    // The second caller returned only after the last cleanup: server stopped, store closed.
    expect(serverGone).toBe(true);
    const store = await Store.open(storeDir);
    store.close();
    expect(existsSync(serverRecordPath(storeDir))).toBe(false);
  }, 180_000);
});
