// TLS, mTLS and API key on the wire (issue 22). No hosted Temporal here: the dev server runs
// plain, behind a TLS-terminating HTTP/2 proxy that requires a client certificate from a test CA
// and records the client certificate, the SNI name and the authorization header of each request.
// Both SDK connections pgsflow makes go through it: the client `Connection` (CLI) built by
// worker/connectionOptions.ts, and the real `pgsflow worker --compute-only` (NativeConnection, Rust
// core) configured by flags.
import { mkdirSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { resolveConnectionSettings } from '../../config/temporalConnection.js';
import { buildConnectionOptions } from '../../worker/connectionOptions.js';
import { type LiveCli, spawnCli } from '../helpers/cli.js';
import { type TestPki, makeTestPki } from '../helpers/tlsCerts.js';
import { type TlsGrpcProxy, startTlsGrpcProxy } from '../helpers/tlsGrpcProxy.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
let server: DevServer;
let pki: TestPki;
let proxy: TlsGrpcProxy;
let worker: LiveCli | undefined;

beforeAll(async () => {
  tmp = makeTmpDir('tls');
  mkdirSync(`${tmp.dir}/pki`);
  pki = makeTestPki(`${tmp.dir}/pki`);
  server = await startDevServer({ cli: inject('temporalCli'), dbFile: `${tmp.dir}/temporal.sqlite`, port: await freePort(), uiPort: await freePort(), headless: true, log: `${tmp.dir}/server.log` });
  proxy = await startTlsGrpcProxy(pki, server.address);
}, 180_000);

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGINT');
    await worker.exit;
  }
  await proxy?.close();
  await server?.stop();
  tmp?.cleanup();
});

const tlsEnv = (): NodeJS.ProcessEnv => ({
  TEMPORAL_ADDRESS: proxy.address,
  TEMPORAL_TLS_CERT: pki.clientCert,
  TEMPORAL_TLS_KEY: pki.clientKey,
  TEMPORAL_TLS_CA: pki.ca,
  TEMPORAL_TLS_SERVER_NAME: pki.serverName,
  TEMPORAL_API_KEY: 'cli-key-1',
});

describe('Temporal connection over TLS with a client certificate and an API key', () => {
  it('the CLI client connection (from the environment) presents the certificate, SNI name and API key', async () => {
    const connection = await Connection.connect(buildConnectionOptions(resolveConnectionSettings({}, tlsEnv())));
    try {
      const client = new Client({ connection });
      await client.workflowService.getSystemInfo({});
      const n = await client.workflow.count('');
      expect(n.count).toBe(0);
    } finally {
      await connection.close();
    }
    const mine = proxy.seen.filter((s) => s.authorization === 'Bearer cli-key-1');
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const s of mine) expect(s).toMatchObject({ clientCn: 'pgsflow-worker', sni: pki.serverName });
  });

  it('`pgsflow study list` with the connection given as flags goes through the proxy with them', async () => {
    const before = proxy.seen.length;
    // Spawned, not run synchronously: the proxy answers from this process's event loop.
    const r = spawnCli(
      ['study', 'list', '--json', '--store', `${tmp.dir}/list-store`, '--address', proxy.address, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey, '--tls-ca', pki.ca, '--tls-server-name', pki.serverName, '--api-key', 'study-key-2'],
      { TEMPORAL_ADDRESS: '' },
    );
    expect((await r.exit).code).toBe(0);
    expect(JSON.parse(r.output())).toEqual([]);
    const mine = proxy.seen.slice(before).filter((s) => s.authorization === 'Bearer study-key-2');
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const s of mine) expect(s).toMatchObject({ clientCn: 'pgsflow-worker', sni: pki.serverName });
  });

  it('without the client certificate the TLS handshake is refused', async () => {
    const refusedBefore = proxy.refused;
    const noCert = buildConnectionOptions(resolveConnectionSettings({}, { ...tlsEnv(), TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' }));
    await expect(Connection.connect({ ...noCert, connectTimeout: 3_000 })).rejects.toThrow();
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
  });

  it('`pgsflow worker --compute-only` with --tls-* and --api-key flags polls through the proxy', async () => {
    worker = spawnCli(
      [
        'worker', '--compute-only', '--identity', 'tls-compute',
        '--address', proxy.address, '--namespace', 'default',
        '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey, '--tls-ca', pki.ca, '--tls-server-name', pki.serverName,
        '--api-key', 'worker-key-2',
      ],
      // The environment says otherwise: the flags win.
      { TEMPORAL_ADDRESS: server.address, TEMPORAL_API_KEY: 'env-key', PGSFLOW_COMPUTE_TASK_QUEUE: 'tls-compute-queue' },
    );
    await worker.waitFor(/compute-only worker on 127\.0\.0\.1:\d+ namespace default, mTLS, API key/, 120_000);
    // Its pollers are registered on the queue (as the server sees them, through the proxy).
    const connection = await Connection.connect({ address: server.address });
    try {
      const deadline = Date.now() + 60_000;
      let identities: string[] = [];
      while (Date.now() < deadline) {
        const d = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'tls-compute-queue' }, taskQueueType: 2 /* ACTIVITY */ });
        identities = (d.pollers ?? []).map((p) => p.identity ?? '');
        if (identities.includes('tls-compute')) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(identities).toContain('tls-compute');
    } finally {
      await connection.close();
    }
    const polls = proxy.seen.filter((s) => s.path.endsWith('/PollActivityTaskQueue'));
    expect(polls.length).toBeGreaterThan(0);
    for (const s of polls) expect(s).toMatchObject({ clientCn: 'pgsflow-worker', sni: pki.serverName, authorization: 'Bearer worker-key-2' });
  }, 180_000);
});
