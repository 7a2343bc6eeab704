// Chains with blocks split over worker threads. Blocks are independent given the
// hyper-parameters and each has its own PRNG stream, so the result is bit-identical to the
// single-threaded chain for any thread count; only the global step runs on the main thread.
// Several independent chains can run in lockstep, their blocks shared out together.
import { betweenSweeps } from './chainYield.js';
import { acquireBlockWorkers, releaseBlockWorkers, type BlockWorker } from './blockWorkerPool.js';
import type { ChainState } from './chainState.js';
import type { SbayesProblem } from './problem.js';
import { chainWorkspace, finishSweep, prepareSweep, sweepBlocks, sweepTarget, type ChainOptions, type SweepParams, type SweepReport } from './sampler.js';
import { shareProblem, shareState, shareWorkspace } from './sharedMemory.js';
import { CTRL, CTRL_STOP, MAX_CLAIM_UNITS, activeChainsBuffer, claimTag, claimUnits, paramsBuffer, spinUntil, unitCount, writeParams } from './sweepControl.js';

/**
 * Run `st` to `stopAt` sweeps on `threads` threads: runChainsParallel with one chain.
 */
export async function runChainParallel(
  p: SbayesProblem,
  st: ChainState,
  opts: ChainOptions,
  threads: number,
  stopAt = opts.iterations,
  onSweep?: (r: SweepReport, st: ChainState) => Promise<void> | void,
  yieldMs = 100,
  signal?: AbortSignal,
): Promise<SweepReport | null> {
  const [last] = await runChainsParallel(p, [st], opts, threads, [stopAt], onSweep, yieldMs, signal);
  return last ?? null;
}

/**
 * Run each chain `states[c]` to `stopAt[c]` sweeps, all in lockstep on `threads` threads (the
 * chains of `--chains N`: independent, on their own seeds). Each state's swept arrays are
 * replaced by shared copies (same values), so callers keep using the states as before. Workers
 * come from the process's pool (blockWorkerPool.ts) and go back to it afterwards. Per step every
 * unfinished chain does one sweep: the main thread prepares each chain's hyper-parameters
 * (shared memory), bumps the command word, and it and the workers claim units — one block of
 * one chain — from a shared counter until all are swept, then it finishes each chain's sweep in
 * chain order. Whichever thread sweeps a unit, and whichever chains share a step, each chain's
 * numbers are those of running it alone on one thread. More chains per step mean more units
 * per hand-over, so the threads idle less at its end. When the workers do not pay (cores busy
 * with other jobs), the main thread sweeps alone (ThreadPace). Like runChainYielding, this
 * yields to the event loop at least every `yieldMs` and waits for whatever `onSweep` returns
 * (checkpoint writes).
 */
export async function runChainsParallel(
  p: SbayesProblem,
  states: readonly ChainState[],
  opts: ChainOptions,
  threads: number,
  stopAt: readonly number[] = states.map(() => opts.iterations),
  onSweep?: (r: SweepReport, st: ChainState, chain: number) => Promise<void> | void,
  yieldMs = 100,
  signal?: AbortSignal,
): Promise<(SweepReport | null)[]> {
  const units = p.blocks.length * states.length;
  if (units > MAX_CLAIM_UNITS) throw new RangeError(`at most ${MAX_CLAIM_UNITS} LD blocks × chains with threads (got ${p.blocks.length} × ${states.length})`);
  const sp = shareProblem(p);
  for (const st of states) Object.assign(st, shareState(st));
  const wss = states.map(() => shareWorkspace(chainWorkspace(sp)));
  // Largest blocks first, so the last claims are small and the threads finish together.
  const order = Int32Array.from(sp.blocks.map((b, i) => ({ i, cost: b.m * b.k })).sort((a, b) => b.cost - a.cost || a.i - b.i).map((x) => x.i));
  const targets = states.map((st, c) => sweepTarget(sp, st, wss[c]!));
  const workers = acquireBlockWorkers(Math.max(0, Math.min(threads, units) - 1));
  const control = new Int32Array(new SharedArrayBuffer(4 * CTRL.length));
  const params = states.map((st) => paramsBuffer(st.alpha.length));
  const active = activeChainsBuffer(states.length);
  const ends = states.map((_, c) => Math.min(stopAt[c] ?? opts.iterations, opts.iterations));
  const last: (SweepReport | null)[] = states.map(() => null);
  try {
    // Workers get only the shared arrays (structured clone shares SharedArrayBuffers, copies the rest).
    const slim = targets.map((t) => {
      const { residual, beta, delta, removed, sigma2e, rng, runningSum, betaSum, beta2Sum, pipSum } = t.state;
      return { ...t, state: { residual, beta, delta, removed, sigma2e, rng, runningSum, betaSum, beta2Sum, pipSum } };
    });
    await Promise.all(workers.map((w) => w.start({ type: 'init', targets: slim, order, control, params, active })));
    let seq = 0;
    let mark = performance.now();
    const pace = new ThreadPace(workers.length > 0);
    const sweepParams: (SweepParams | null)[] = states.map(() => null);
    for (;;) {
      const running = states.flatMap((st, c) => (st.sweep < ends[c]! ? [c] : []));
      if (running.length === 0 || signal?.aborted) break; // aborted: every chain at a sweep's end
      const t0 = performance.now();
      for (const c of running) sweepParams[c] = prepareSweep(sp, states[c]!, wss[c]!, opts);
      if (pace.useWorkers()) {
        active[0] = running.length;
        running.forEach((c, i) => {
          active[1 + i] = c;
          writeParams(sweepParams[c]!, params[c]!);
        });
        seq++;
        Atomics.store(control, CTRL.done, 0);
        Atomics.store(control, CTRL.claim, claimTag(seq));
        Atomics.store(control, CTRL.command, seq);
        Atomics.notify(control, CTRL.command);
        claimUnits(control, seq, targets, sweepParams, order, active);
        await waitAllDone(control, unitCount(order, active), workers);
      } else {
        for (const c of running) sweepBlocks(targets[c]!, sweepParams[c]!, order);
      }
      for (const c of running) last[c] = finishSweep(sp, states[c]!, opts, wss[c]!);
      pace.record((performance.now() - t0) / running.length);
      const waits = running.flatMap((c) => onSweep?.(last[c]!, states[c]!, c) ?? []);
      mark = await betweenSweeps(waits.length > 0 ? Promise.all(waits).then(() => undefined) : undefined, mark, yieldMs);
    }
    return last;
  } finally {
    Atomics.store(control, CTRL.command, CTRL_STOP);
    Atomics.notify(control, CTRL.command);
    await releaseBlockWorkers(workers);
  }
}

/**
 * Sweeps with workers before the first probe (their JavaScript is still being compiled then, so
 * a first probe made them look slower than one thread and cost ~500 sweeps on the main thread
 * alone), sweeps per probe of each mode, and sweeps run in the faster mode between probes.
 */
export const PACE_WARM = 32;
export const PACE_PROBE = 16;
export const PACE_RUN = 480;

/**
 * Whether this sweep hands blocks to the workers or the main thread sweeps them all. On a
 * machine whose cores are taken by other jobs, a worker thread waits for a time slice at every
 * sweep and two threads run slower than one; so every PACE_PROBE + PACE_PROBE + PACE_RUN sweeps
 * both modes are timed for PACE_PROBE sweeps and the faster one runs the next PACE_RUN. Numbers
 * never depend on it: whichever thread sweeps a block, the block's draws are the same.
 */
export class ThreadPace {
  private phase: -1 | 0 | 1 | 2 = -1; // -1: warm-up with workers, 0: probe with workers, 1: probe main only, 2: run the faster
  private left = PACE_WARM;
  private readonly probe = new Float64Array(PACE_PROBE);
  private withWorkers = 0;
  private mainOnly = 0;

  constructor(private readonly haveWorkers: boolean) {}

  useWorkers(): boolean {
    if (!this.haveWorkers) return false;
    return this.phase <= 0 || (this.phase === 2 && this.withWorkers <= this.mainOnly);
  }

  /**
   * Milliseconds the sweep took (waits for checkpoints and event-loop turns excluded). A probe's
   * figure is its median sweep: one garbage collection or time slice lost in 16 sweeps of ~1 ms
   * had tipped the sum towards the wrong mode for the next 480 sweeps.
   */
  record(ms: number): void {
    if (this.phase === 0 || this.phase === 1) this.probe[PACE_PROBE - this.left] = ms;
    if (--this.left > 0) return;
    if (this.phase === -1) {
      this.phase = 0;
      this.left = PACE_PROBE;
      return;
    }
    if (this.phase === 0) this.withWorkers = median(this.probe);
    else if (this.phase === 1) this.mainOnly = median(this.probe);
    this.phase = this.phase === 2 ? 0 : ((this.phase + 1) as 1 | 2);
    this.left = this.phase === 2 ? PACE_RUN : PACE_PROBE;
  }
}

function median(x: Float64Array): number {
  const s = Float64Array.from(x).sort();
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * Block (Atomics.wait) until every unit of the sweep is done (a worker may still be in its
 * last claimed one), after spinning for up to SPIN_MS (sweepControl.ts). A failed or vanished
 * worker is noticed through its messages and events, so between bounded waits the event loop
 * gets a turn.
 */
async function waitAllDone(control: Int32Array, nUnits: number, workers: readonly BlockWorker[]): Promise<void> {
  spinUntil(control, CTRL.done, nUnits);
  for (;;) {
    const done = Atomics.load(control, CTRL.done);
    if (done === nUnits) return;
    const failed = workers.find((w) => w.failure);
    if (Atomics.load(control, CTRL.failed) !== 0 || failed) {
      // The error message may still be in flight.
      for (let i = 0; i < 100 && !workers.some((w) => w.failure); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      throw workers.find((w) => w.failure)?.failure ?? new Error('block worker failed');
    }
    if (Atomics.wait(control, CTRL.done, done, 200) === 'timed-out') await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
