// Temporal SDK runtime set-up for CLI processes: SDK logs at WARN by default (PGSFLOW_LOG_LEVEL
// to change), without the expected "no workflows registered" warning of the compute worker.
// A command that watches its workflows and prints their failure itself (`study run`, `demo`:
// the root cause with file:line:column) also drops, by default, the SDK's WARN lines for those
// same failures — "Workflow failed" and "Activity failed" of a non-retryable (domain) error,
// which fails its workflow — so the user sees the failure once, in the CLI's words. Retried
// activity failures (crashes) stay: nothing else shows them. PGSFLOW_LOG_LEVEL=WARN (or INFO,
// DEBUG, TRACE) shows everything at that level; `pgsflow worker` always does.
import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
let installed = false;

export interface QuietRuntimeOptions {
  /** PGSFLOW_LOG_LEVEL; unset or empty: WARN, less what the caller reports itself. */
  level?: string | undefined;
  /** The process prints the failures of the workflows it runs (a CLI session's worker). */
  callerReportsFailures?: boolean;
}

/** Whether an SDK log entry is a failure that the watching CLI prints itself. */
export function isReportedFailure(entry: Pick<LogEntry, 'level' | 'message' | 'meta'>): boolean {
  if (entry.level !== 'WARN') return false;
  if (entry.message === 'Workflow failed') return true;
  const error = entry.meta?.error as { nonRetryable?: unknown } | undefined;
  return entry.message === 'Activity failed' && error?.nonRetryable === true;
}

export function installQuietRuntime(options: QuietRuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  const given = options.level ?? process.env.PGSFLOW_LOG_LEVEL;
  const explicit = given !== undefined && given !== '';
  const wanted = (explicit ? given : 'WARN').toUpperCase() as LogLevel;
  const dropReported = options.callerReportsFailures === true && !explicit;
  const logger = new DefaultLogger(LEVELS.includes(wanted) ? wanted : 'WARN', (entry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    if (dropReported && isReportedFailure(entry)) return;
    const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${JSON.stringify(entry.meta)}` : '';
    process.stderr.write(`[temporal ${entry.level}] ${entry.message}${meta}\n`);
  });
  // Core (Rust) logs are forwarded to the same stderr logger: by default they go to stdout,
  // where they would corrupt `--json` output.
  Runtime.install({ logger, telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } } });
}
