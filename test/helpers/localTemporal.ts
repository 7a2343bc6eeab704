// A real Temporal dev server for integration tests, started the way the CLI starts its embedded
// one (client/devServer.ts: watchdog, SQLite file, 60 s readiness wait, fresh ports if it dies
// starting). TestWorkflowEnvironment.createLocal gives the server a fixed 5 s to accept
// connections, which a loaded 2-core CI machine once missed while creating the SQLite schema.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';

export interface LocalTemporal {
  env: TestWorkflowEnvironment;
  server: DevServer;
  /** Closes the environment's connections, then stops the server. */
  stop(): Promise<void>;
}

export async function startLocalTemporal(dir: string, cli: string): Promise<LocalTemporal> {
  const server = await startDevServer({
    cli,
    dbFile: `${dir}/temporal.sqlite`,
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    log: `${dir}/temporal-server.log`,
    readyTimeoutMs: 90_000,
  });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    env,
    server,
    async stop() {
      try {
        await env.teardown();
      } finally {
        await server.stop();
      }
    },
  };
}
