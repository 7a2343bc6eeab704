// `pgsflow` entry point: dispatches to one command, maps errors to exit codes
// (0 ok, 1 failure, 2 usage) and runs registered cleanups on Ctrl-C / SIGTERM.
import { readFileSync } from 'node:fs';
import { BadInputError, GuardError, StoreLockedError, StoreSchemaError } from '../core/errors.js';
import { ConfigError } from '../config/errors.js';
import { TemporalCliError } from './temporalCli.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, parseCommandArgs } from './command.js';
import { auditCommand } from './commands/audit.js';
import { demoCommand } from './commands/demo.js';
import { gwasCommand } from './commands/gwas.js';
import { fitCommand } from './commands/fit.js';
import { imputeCommand } from './commands/impute.js';
import { ingestCommand } from './commands/ingest.js';
import { ldCommand } from './commands/ld.js';
import { qcCommand } from './commands/qc.js';
import { reportCommand } from './commands/report.js';
import { schemaCommand } from './commands/schema.js';
import { scoreCommand } from './commands/score.js';
import { serverCommand } from './commands/server.js';
import { simulateCommand } from './commands/simulate.js';
import { studyCommand } from './commands/study.js';
import { workerCommand } from './commands/worker.js';
import { mlWorkerCommand } from './commands/mlWorker.js';
import { DevServerError } from './devServer.js';

export const COMMANDS: readonly Command[] = [simulateCommand, ingestCommand, gwasCommand, scoreCommand, qcCommand, ldCommand, imputeCommand, fitCommand, studyCommand, auditCommand, reportCommand, demoCommand, serverCommand, workerCommand, mlWorkerCommand, schemaCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: pgsflow <command> [options]',
    '',
    'Polygenic-score studies (SBayesRC, cross-validation, cross-ancestry) as durable Temporal workflows.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'pgsflow <command> --help for its options; pgsflow --version.',
    'Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, PGSFLOW_TASK_QUEUE, PGSFLOW_COMPUTE_TASK_QUEUE, PGSFLOW_ML_TASK_QUEUE,',
    '  PGSFLOW_STORE, TEMPORAL_CLI_PATH, PGSFLOW_DEV_PORT, PGSFLOW_DEV_UI_PORT.',
    '',
  ].join('\n');
}

function makeContext(): CommandContext & { interrupt(signal: NodeJS.Signals): Promise<void> } {
  const handlers = new Set<() => Promise<void>>();
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    onInterrupt(fn) {
      handlers.add(fn);
      return () => handlers.delete(fn);
    },
    async interrupt(signal) {
      process.stderr.write(`\n${signal}: shutting down…\n`);
      for (const fn of [...handlers].reverse()) {
        try {
          await fn();
        } catch (e) {
          process.stderr.write(`warning: ${(e as Error).message}\n`);
        }
      }
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`pgsflow: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  const ctx = makeContext();
  // On Ctrl-C / SIGTERM: run the command's cleanups (stop workers, then the server). The command's
  // own promise usually settles as a consequence; its result is then the interruption's code.
  let interruption: Promise<number> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    const signalled = signal === 'SIGINT' ? 130 : 143;
    if (interruption) process.exit(signalled); // second Ctrl-C: leave now
    interruption = ctx.interrupt(signal).then(() => (cmd.interruptIsNormalExit ? EXIT_OK : signalled));
    // A command that ignores interruption still ends shortly after its cleanups.
    void interruption.then((code) => setTimeout(() => process.exit(code), 2_000).unref());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed.values.help === true) {
      process.stdout.write(`${cmd.help}\n`);
      return EXIT_OK;
    }
    const code = await cmd.run(parsed, ctx);
    return interruption ? await interruption : code;
  } catch (e) {
    if (interruption) return await interruption; // failures caused by the shutdown itself
    return reportError(e);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`pgsflow: ${e.message} (see --help)\n`);
    return EXIT_USAGE;
  }
  const known = [ConfigError, BadInputError, GuardError, StoreSchemaError, StoreLockedError, DevServerError, TemporalCliError];
  if (known.some((k) => e instanceof k)) {
    process.stderr.write(`pgsflow: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
  process.stderr.write(`pgsflow: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_FAILURE;
}
