// The Python environment of the ML worker (issue 20): a virtual environment under
// <project>/.tools/ml-venv, created on first use from the pinned lock ml/requirements.lock, as
// client/temporalCli.ts builds the temporal CLI into .tools/bin once.
//
//   1. $PGSFLOW_ML_PYTHON: an existing interpreter with the lock's packages (used as is, no venv);
//   2. <project>/.tools/ml-venv, when its stamp (sha256 of the lock, the base interpreter's
//      version, the ml/ folder) matches: quick, no process spawned;
//   3. otherwise built: `<base> -m venv` into a temporary folder beside it, `pip install --no-deps
//      -r ml/requirements.lock`, `pip check`, a .pth file putting ml/ on the path (so
//      `python -m pgsflow_ml.worker` runs from any folder), the stamp, then renamed into place (a
//      killed build leaves no half venv). The base interpreter is $PGSFLOW_PYTHON or `python3`.
// `scripts/mlEnv.ts` (setup, CI) prints the venv's python path, building if needed; the worker
// process itself is started by client/mlWorkerProcess.ts.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, isExecutable } from './temporalCli.js';

const run = promisify(execFile);

export const ML_DIR = join(PROJECT_ROOT, 'ml');
export const ML_LOCK_PATH = join(ML_DIR, 'requirements.lock');
export const ML_VENV_DIR = join(PROJECT_ROOT, '.tools', 'ml-venv');
export const ML_VENV_PYTHON = join(ML_VENV_DIR, 'bin', 'python');
const STAMP_NAME = 'pgsflow-ml.stamp';

export class MlEnvError extends Error {
  override readonly name = 'MlEnvError';
}

interface Stamp {
  lockSha256: string;
  python: string;
  mlDir: string;
}

function lockSha256(): string {
  if (!existsSync(ML_LOCK_PATH)) throw new MlEnvError(`${ML_LOCK_PATH} is missing`);
  return createHash('sha256').update(readFileSync(ML_LOCK_PATH)).digest('hex');
}

function readStamp(venv: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(venv, STAMP_NAME), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** The venv's python when it exists and was built from the current lock and ml/ folder (no build, no spawn). */
export function findMlEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.PGSFLOW_ML_PYTHON;
  if (explicit) {
    if (!isExecutable(explicit)) throw new MlEnvError(`PGSFLOW_ML_PYTHON=${explicit} is not an executable file`);
    return explicit;
  }
  const stamp = readStamp(ML_VENV_DIR);
  if (!stamp || stamp.lockSha256 !== lockSha256() || stamp.mlDir !== ML_DIR) return undefined;
  return isExecutable(ML_VENV_PYTHON) ? ML_VENV_PYTHON : undefined;
}

async function pythonVersion(python: string): Promise<string> {
  const { stdout } = await run(python, ['-c', 'import sys; print(sys.version.split()[0], sys.platform, sys.implementation.name)']);
  return stdout.trim();
}

/**
 * Find the ML venv or build it (about half a minute and 400 MB the first time, from PyPI; cached
 * after). Returns the path of its python.
 */
export async function ensureMlEnv(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const found = findMlEnv();
  if (found) return found;
  return withBuildLock(async () => findMlEnv() ?? (await buildMlEnv(log)), log);
}

const LOCK_DIR = `${ML_VENV_DIR}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build at a time across processes (vitest workers, a CLI beside a test run): a lock folder holding the builder's pid. */
async function withBuildLock<T>(fn: () => Promise<T>, log: (line: string) => void): Promise<T> {
  mkdirSync(join(PROJECT_ROOT, '.tools'), { recursive: true });
  const since = Date.now();
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), `${process.pid}\n`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
      } catch {
        // just created, or its creator died before writing the pid: stale after 30 s
        try {
          if (Date.now() - statSync(LOCK_DIR).mtimeMs > 30_000) holder = 0;
        } catch {
          continue;
        }
      }
      if (holder === 0 || (Number.isInteger(holder) && holder > 0 && !isAlive(holder))) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - since > 20 * 60_000) throw new MlEnvError(`${LOCK_DIR} held for 20 minutes by pid ${holder}; remove it if no build runs`);
      if (!told) log(`another process (pid ${holder}) is creating the ML venv; waiting…`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

async function buildMlEnv(log: (line: string) => void): Promise<string> {
  const base = process.env.PGSFLOW_PYTHON || 'python3';
  let version: string;
  try {
    version = await pythonVersion(base);
  } catch (e) {
    throw new MlEnvError(`could not run ${base} (Python 3.11 is needed for the ML worker; set PGSFLOW_PYTHON): ${(e as Error).message}`);
  }
  if (!/^3\.(1[1-9]|[2-9]\d)\./.test(version)) throw new MlEnvError(`${base} is Python ${version}; the ML worker needs 3.11 or later`);
  const sha = lockSha256();
  const tmp = `${ML_VENV_DIR}.tmp-${process.pid}-${Date.now()}`;
  const started = Date.now();
  log(`ML venv missing or stale; creating ${ML_VENV_DIR} from ml/requirements.lock with ${base} (Python ${version}; first time only, about a minute)…`);
  try {
    await run(base, ['-m', 'venv', tmp]);
    const py = join(tmp, 'bin', 'python');
    const pip = ['-m', 'pip', '--disable-pip-version-check', '--no-input'];
    try {
      await run(py, [...pip, 'install', '--no-deps', '--only-binary', ':all:', '-r', ML_LOCK_PATH], { maxBuffer: 64 << 20 });
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new MlEnvError(`pip install -r ml/requirements.lock failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-5).join('\n')}`);
    }
    try {
      await run(py, [...pip, 'check']);
    } catch (e) {
      const err = e as Error & { stdout?: string };
      throw new MlEnvError(`pip check failed after installing ml/requirements.lock (the lock misses a dependency?): ${(err.stdout ?? err.message).trim()}`);
    }
    const { stdout: purelib } = await run(py, ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"]);
    writeFileSync(join(purelib.trim(), 'pgsflow-ml.pth'), `${ML_DIR}\n`);
    // Import once: compiles the bytecode and proves the worker's modules load.
    await run(py, ['-c', 'import pgsflow_ml.activity, pgsflow_ml.worker']);
    const stamp: Stamp = { lockSha256: sha, python: version, mlDir: ML_DIR };
    writeFileSync(join(tmp, STAMP_NAME), `${JSON.stringify(stamp)}\n`);
    rmSync(ML_VENV_DIR, { recursive: true, force: true });
    renameSync(tmp, ML_VENV_DIR);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof MlEnvError) throw e;
    throw new MlEnvError(`creating the ML venv failed: ${(e as Error).message}`);
  }
  log(`ML venv ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ML_VENV_PYTHON;
}
