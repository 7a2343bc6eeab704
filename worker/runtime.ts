// Temporal SDK runtime set-up for CLI processes: SDK logs at WARN by default (PGSFLOW_LOG_LEVEL
// to change), without the expected "no workflows registered" warning of the compute worker.
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
let installed = false;

export function installQuietRuntime(level: string | undefined = process.env.PGSFLOW_LOG_LEVEL): void {
  if (installed) return;
  installed = true;
  const wanted = (level ?? 'WARN').toUpperCase() as LogLevel;
  const logger = new DefaultLogger(LEVELS.includes(wanted) ? wanted : 'WARN', (entry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${JSON.stringify(entry.meta)}` : '';
    process.stderr.write(`[temporal ${entry.level}] ${entry.message}${meta}\n`);
  });
  // Core (Rust) logs are forwarded to the same stderr logger: by default they go to stdout,
  // where they would corrupt `--json` output.
  Runtime.install({ logger, telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } } });
}
