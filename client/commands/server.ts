import { join, resolve } from 'node:path';
import { loadEnv } from '../../config/env.js';
import { ensureTemporalCli } from '../temporalCli.js';
import { type Command, EXIT_FAILURE, EXIT_OK, intOpt, stringOpt } from '../command.js';
import { startDevServer } from '../devServer.js';

export const serverCommand: Command = {
  name: 'server',
  summary: 'run the embedded Temporal dev server in the foreground',
  help: `Usage: pgsflow server [--port 7233] [--ui-port 8233] [--db FILE] [--ip 127.0.0.1]

Runs \`temporal server start-dev\` persisting to a SQLite file (default <store>/temporal.sqlite,
store from PGSFLOW_STORE or ./.pgsflow) until Ctrl-C. Point workers and CLIs at it with
TEMPORAL_ADDRESS=<ip>:<port>.`,
  interruptIsNormalExit: true,
  options: {
    port: { type: 'string' },
    'ui-port': { type: 'string' },
    db: { type: 'string' },
    ip: { type: 'string' },
  },
  async run(parsed, ctx) {
    const env = loadEnv();
    const server = await startDevServer({
      cli: ensureTemporalCli((l) => ctx.stderr(`${l}\n`)),
      dbFile: resolve(stringOpt(parsed, 'db') ?? join(env.store, 'temporal.sqlite')),
      port: intOpt(parsed, 'port', 1, 65535) ?? env.devServerPort,
      uiPort: intOpt(parsed, 'ui-port', 1, 65535) ?? env.devServerUiPort,
      ip: stringOpt(parsed, 'ip') ?? '127.0.0.1',
      namespace: env.namespace,
      strictPorts: true,
      log: 'inherit',
    });
    ctx.onInterrupt(() => server.stop());
    ctx.stdout(`Temporal dev server at ${server.address} (database ${server.dbFile})\nTemporal UI: ${server.uiUrl}\nCtrl-C to stop.\n`);
    const code = await server.exited;
    return code === 0 || code === null || code === 143 ? EXIT_OK : EXIT_FAILURE;
  },
};
