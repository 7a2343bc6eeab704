// Block-sweeping worker threads, kept for the life of the process. Starting one costs ~0.2 s
// (the TypeScript loader and the sampler's modules), 5–7 % of a 3,000-sweep chain on two
// threads, and a study runs many chains in one worker process: so a chain borrows started
// workers and gives them back. Idle workers are unref'd (they never keep a process alive);
// one that failed, or did not stop when told, is terminated instead of going back.
import { WorkerThread } from '../threads/workerThread.js';
import type { BlockWorkerInit, BlockWorkerReply } from './blockWorker.js';

const BLOCK_WORKER = new URL('./blockWorker.ts', import.meta.url);
/** How long a worker may take to leave its sweep loop after the stop word before it is terminated. */
const STOP_GRACE_MS = 2000;

export class BlockWorker {
  // A reported error (a sweep failed) fails the worker for good: release terminates it.
  private readonly thread = new WorkerThread<BlockWorkerInit, BlockWorkerReply>(BLOCK_WORKER, { name: 'block worker', reportedError: 'fails-thread' });
  /** Settles when the worker's modules are loaded (or it failed first). */
  readonly loaded = this.thread.loaded;
  private isIdle = false;
  private isLoaded = false;

  constructor() {
    this.loaded.then(
      () => {
        this.isLoaded = true;
        if (this.isIdle) this.thread.unref();
      },
      () => undefined, // observed through start()
    );
  }

  get failure(): Error | null {
    return this.thread.failure;
  }

  /** Hand the worker a chain; resolves once it waits for the first sweep. */
  async start(init: BlockWorkerInit): Promise<void> {
    this.thread.ref(); // in use: the chain's process must wait for it
    await this.thread.request(init, 'ready');
  }

  /** After the chain's stop word: true when the worker left its loop and can run another chain. */
  async stop(): Promise<boolean> {
    if (this.failure) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
    });
    const ok = await Promise.race([this.thread.reply('stopped').then(() => true, () => false), late]);
    clearTimeout(timer);
    return ok;
  }

  /**
   * Idle in the pool (no chain): unref'd once loaded, so it never keeps the process alive. While
   * it loads it stays ref'd: a process awaiting prestartBlockWorkers would otherwise exit early.
   */
  set idle(yes: boolean) {
    this.isIdle = yes;
    if (yes && this.isLoaded) this.thread.unref();
    else if (!yes) this.thread.ref();
  }

  terminate(): Promise<number> {
    return this.thread.terminate();
  }
}

const idle: BlockWorker[] = [];

/**
 * Start workers ahead of a chain (e.g. while the LD panel is read), so it finds them loaded.
 * Resolves when `n` idle workers have loaded (callers may also just let them load).
 */
export async function prestartBlockWorkers(n: number): Promise<void> {
  while (idle.length < n) {
    const w = new BlockWorker();
    w.idle = true;
    idle.push(w);
  }
  await Promise.all(idle.slice(0, n).map((w) => w.loaded));
}

/** `n` workers for one chain: idle ones first, new ones for the rest. */
export function acquireBlockWorkers(n: number): BlockWorker[] {
  const out = idle.splice(0, n).filter((w) => !w.failure);
  while (out.length < n) out.push(new BlockWorker());
  for (const w of out) w.idle = false;
  return out;
}

/** Back to the pool after the chain's stop word (or terminated when it cannot run another chain). */
export async function releaseBlockWorkers(workers: readonly BlockWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (await w.stop()) {
        w.idle = true;
        idle.push(w);
      } else await w.terminate();
    }),
  );
}

/** Workers idle in this process's pool (tests). */
export function idleBlockWorkers(): number {
  return idle.length;
}
