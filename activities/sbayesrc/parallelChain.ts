// The chain with blocks split over worker threads. Blocks are independent given the
// hyper-parameters and each has its own PRNG stream, so the result is bit-identical to the
// single-threaded chain for any thread count; only the global step runs on the main thread.
import { Worker } from 'node:worker_threads';
import type { BlockWorkerReply, BlockWorkerRequest } from './blockWorker.js';
import type { ChainState } from './chainState.js';
import type { SbayesProblem } from './problem.js';
import { chainWorkspace, finishSweep, prepareSweep, sweepBlocks, sweepTarget, type ChainOptions, type SweepReport } from './sampler.js';
import { shareProblem, shareState, shareWorkspace } from './sharedMemory.js';

const BOOT = new URL('./blockWorkerBoot.mjs', import.meta.url);

class BlockWorker {
  private readonly worker = new Worker(BOOT);
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor() {
    this.ready = new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    this.ready.catch(() => {});
    this.worker.on('message', (msg: BlockWorkerReply) => {
      const w = this.waiting;
      this.waiting = null;
      if (!w) return;
      if (msg.type === 'error') w.reject(new Error(`block worker: ${msg.message}`));
      else w.resolve();
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      this.waiting?.reject(e);
      this.waiting = null;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`block worker exited (code ${code})`)));
  }

  async request(msg: BlockWorkerRequest): Promise<void> {
    await this.ready;
    if (this.failure) throw this.failure;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Contiguous block ranges with about equal SNP·k work each; part 0 stays on the main thread.
 */
export function splitBlocks(p: SbayesProblem, parts: number): Int32Array[] {
  const cost = p.blocks.map((b) => b.m * b.k);
  const total = cost.reduce((a, b) => a + b, 0);
  const out: number[][] = Array.from({ length: parts }, () => []);
  let acc = 0;
  cost.forEach((c, b) => {
    const part = Math.min(parts - 1, Math.floor(((acc + c / 2) / total) * parts));
    out[part]!.push(b);
    acc += c;
  });
  return out.map((x) => Int32Array.from(x));
}

/**
 * Run `st` to `stopAt` sweeps on `threads` threads. `st`'s swept arrays are replaced by shared
 * copies (same values), so the caller keeps using `st` as before.
 */
export async function runChainParallel(
  p: SbayesProblem,
  st: ChainState,
  opts: ChainOptions,
  threads: number,
  stopAt = opts.iterations,
  onSweep?: (r: SweepReport, st: ChainState) => void,
): Promise<SweepReport | null> {
  const sp = shareProblem(p);
  Object.assign(st, shareState(st));
  const ws = shareWorkspace(chainWorkspace(sp));
  const parts = splitBlocks(sp, threads);
  const target = sweepTarget(sp, st, ws);
  const workers = parts.slice(1).map(() => new BlockWorker());
  try {
    // Workers get only the shared arrays (structured clone shares SharedArrayBuffers, copies the rest).
    const { residual, beta, delta, removed, sigma2e, rng } = st;
    const slim = { ...target, state: { residual, beta, delta, removed, sigma2e, rng } };
    await Promise.all(workers.map((w) => w.request({ type: 'init', target: slim })));
    let last: SweepReport | null = null;
    const end = Math.min(stopAt, opts.iterations);
    while (st.sweep < end) {
      const params = prepareSweep(sp, st, ws);
      const pending = workers.map((w, i) => w.request({ type: 'sweep', params, blocks: parts[i + 1]! }));
      sweepBlocks(target, params, parts[0]!);
      await Promise.all(pending);
      last = finishSweep(sp, st, opts, ws);
      onSweep?.(last, st);
    }
    return last;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
