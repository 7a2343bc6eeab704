// The Python ML worker (ml/pgsflow_ml) as a child process of a CLI session or `pgsflow
// ml-worker`: the pinned virtual environment's python, polling the `pgsflow-ml` queue on the
// session's cluster. Ready when it prints its ready line; stopped with SIGTERM (it finishes or
// abandons its activity; Temporal retries an abandoned one on the next worker).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ML_PACKAGE_DIR = fileURLToPath(new URL('../ml', import.meta.url));
const READY = /pgsflow-ml worker ready/;
const READY_TIMEOUT_MS = 120_000;

export class MlWorkerError extends Error {
  override readonly name = 'MlWorkerError';
}

export interface MlWorkerOptions {
  python: string;
  address: string;
  namespace: string;
  taskQueue: string;
  /** Where the worker's output lines go (prefixed). */
  log: (line: string) => void;
}

export interface MlWorker {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The worker's environment: one BLAS/OpenMP thread, so fits are reproducible bit for bit. */
export function mlWorkerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const threads = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  return { ...base, ...threads, PYTHONPATH: [ML_PACKAGE_DIR, base.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1', PYTHONHASHSEED: '0' };
}

export const mlWorkerArgs = (o: Pick<MlWorkerOptions, 'address' | 'namespace' | 'taskQueue'>): string[] => ['-m', 'pgsflow_ml.worker', '--address', o.address, '--namespace', o.namespace, '--task-queue', o.taskQueue];

export async function startMlWorker(o: MlWorkerOptions): Promise<MlWorker> {
  const child: ChildProcess = spawn(o.python, mlWorkerArgs(o), { env: mlWorkerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tail: string[] = [];
  let ready: () => void = () => undefined;
  const readyLine = new Promise<void>((resolve) => (ready = resolve));
  const onLine = (line: string): void => {
    if (READY.test(line)) ready();
    tail.push(line);
    if (tail.length > 20) tail.shift();
    if (process.env.PGSFLOW_LOG_LEVEL !== undefined) o.log(`ml-worker: ${line}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyLine.then(() => 'ready' as const),
    exited.then((code) => `exited with code ${code}` as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(late);
  };
  if (outcome !== 'ready') {
    await stop();
    throw new MlWorkerError(`the Python ML worker (${o.python} ${mlWorkerArgs(o).join(' ')}) ${outcome === 'timeout' ? `was not ready within ${READY_TIMEOUT_MS / 1000} s` : outcome}:\n${tail.join('\n')}`);
  }
  return { pid: child.pid!, exited, stop };
}
