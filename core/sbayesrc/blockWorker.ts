// A block-sweeping worker thread, alive for the whole process (blockWorkerPool.ts). Protocol:
// `loaded` once its modules are in (posted by core/threads' boot file); per run of chains one
// `init` message (each chain's shared arrays, the block order, the control words) and a `ready`
// reply, then no messages until the stop word (`stopped`): each sweep the main thread writes
// every active chain's hyper-parameters into shared memory and bumps the command word; the
// worker sees it (spinning briefly, then Atomics.wait) and claims units from the shared counter
// alongside the main thread until none is left (sweepControl.ts).
import { parentPort } from 'node:worker_threads';
import { threadError, type ThreadErrorReply } from '../threads/threadMessages.js';
import { releaseSweepMemory, type BlockSweepTarget, type SweepParams } from './sampler.js';
import { CTRL, CTRL_STOP, claimUnits, readParams, spinWhile } from './sweepControl.js';

export interface BlockWorkerInit {
  type: 'init';
  /** One per chain (chains in lockstep share the workers). */
  targets: BlockSweepTarget[];
  /** Blocks in claim order. */
  order: Int32Array;
  /** Int32 words over a SharedArrayBuffer (layout CTRL). */
  control: Int32Array;
  /** Per chain, its sweep's hyper-parameters (sweepControl.ts writeParams). */
  params: Float64Array[];
  /** The chains swept this sweep (sweepControl.ts activeChainsBuffer). */
  active: Int32Array;
}
/** An `error` reply (a sweep failed) fails the worker for good. */
export type BlockWorkerReply = { type: 'ready' } | { type: 'stopped' } | ThreadErrorReply;

const port = parentPort;
if (!port) throw new Error('blockWorker runs as a worker thread');

/** One run of chains: sweep units each time the command word moves, until the stop word. */
function runChains({ targets, order, control, params, active }: BlockWorkerInit): void {
  port!.postMessage({ type: 'ready' } satisfies BlockWorkerReply);
  const sweepParams: (SweepParams | null)[] = targets.map(() => null);
  let seen = 0;
  for (;;) {
    if (!spinWhile(control, CTRL.command, seen)) Atomics.wait(control, CTRL.command, seen);
    const cmd = Atomics.load(control, CTRL.command);
    if (cmd === CTRL_STOP) break;
    if (cmd === seen) continue; // woken without a new sweep
    seen = cmd;
    try {
      for (let i = 1; i <= active[0]!; i++) sweepParams[active[i]!] = readParams(params[active[i]!]!);
      claimUnits(control, cmd, targets, sweepParams, order, active);
    } catch (e) {
      port!.postMessage(threadError(e) satisfies BlockWorkerReply);
      Atomics.store(control, CTRL.failed, 1);
      Atomics.notify(control, CTRL.done);
    }
  }
  releaseSweepMemory(); // idle in the pool: keep no copy of this run's Q
  port!.postMessage({ type: 'stopped' } satisfies BlockWorkerReply);
}

port.on('message', (msg: BlockWorkerInit) => runChains(msg));
