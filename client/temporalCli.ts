// Finds the `temporal` CLI (dev server), building it when absent:
//   1. $TEMPORAL_CLI_PATH, 2. `temporal` on PATH, 3. <project>/.tools/bin/temporal,
//   4. `GOBIN=<project>/.tools/bin go install github.com/temporalio/cli/cmd/temporal@v1.5.1`.
// v1.5.1 is pinned because later tags carry a `replace` directive that `go install` rejects.
// `scripts/temporalCli.ts` (setup, CI) prints the path, building if needed.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const LOCAL_TOOLS_BIN = join(PROJECT_ROOT, '.tools', 'bin');

export class TemporalCliError extends Error {
  override readonly name = 'TemporalCliError';
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The CLI's path if one is already available, without building. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new TemporalCliError(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const local = join(LOCAL_TOOLS_BIN, 'temporal');
  return isExecutable(local) ? local : undefined;
}

/** Find the CLI or build it into .tools/bin (several minutes the first time, cached after). */
export function ensureTemporalCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findTemporalCli();
  if (found) return found;
  mkdirSync(LOCAL_TOOLS_BIN, { recursive: true });
  log(`temporal CLI not found; building ${TEMPORAL_CLI_MODULE} with go install (first time only, a few minutes)…`);
  const started = Date.now();
  const result = spawnSync('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: LOCAL_TOOLS_BIN, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.error) throw new TemporalCliError(`could not run go (is Go installed?): ${result.error.message}`);
  if (result.status !== 0) throw new TemporalCliError(`go install ${TEMPORAL_CLI_MODULE} failed with exit ${result.status}`);
  const built = join(LOCAL_TOOLS_BIN, 'temporal');
  if (!isExecutable(built)) throw new TemporalCliError(`go install succeeded but ${built} is missing`);
  log(`built ${built} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return built;
}
