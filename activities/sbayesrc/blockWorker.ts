// A block-sweeping worker thread, alive for the whole process (blockWorkerPool.ts). Protocol:
// `loaded` once its modules are in; per chain one `init` message (the shared arrays, the block
// order, the control words) and a `ready` reply, then no messages until the stop word
// (`stopped`): each sweep the main thread writes the hyper-parameters into shared memory and bumps
// the command word; the worker sees it (spinning briefly, then Atomics.wait) and claims blocks from the shared counter
// alongside the main thread until none is left (sweepControl.ts).
import { parentPort } from 'node:worker_threads';
import type { BlockSweepTarget } from './sampler.js';
import { CTRL, CTRL_STOP, claimBlocks, readParams, spinWhile } from './sweepControl.js';

export interface BlockWorkerInit {
  type: 'init';
  target: BlockSweepTarget;
  /** Blocks in claim order. */
  order: Int32Array;
  /** Int32 words over a SharedArrayBuffer (layout CTRL). */
  control: Int32Array;
  params: Float64Array;
}
export type BlockWorkerReply = { type: 'loaded' } | { type: 'ready' } | { type: 'stopped' } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('blockWorker runs as a worker thread');

/** One chain: sweep blocks each time the command word moves, until the stop word. */
function runChain({ target, order, control, params }: BlockWorkerInit): void {
  port!.postMessage({ type: 'ready' } satisfies BlockWorkerReply);
  let seen = 0;
  for (;;) {
    if (!spinWhile(control, CTRL.command, seen)) Atomics.wait(control, CTRL.command, seen);
    const cmd = Atomics.load(control, CTRL.command);
    if (cmd === CTRL_STOP) break;
    if (cmd === seen) continue; // woken without a new sweep
    seen = cmd;
    try {
      claimBlocks(control, cmd, target, readParams(params), order);
    } catch (e) {
      port!.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies BlockWorkerReply);
      Atomics.store(control, CTRL.failed, 1);
      Atomics.notify(control, CTRL.done);
    }
  }
  port!.postMessage({ type: 'stopped' } satisfies BlockWorkerReply);
}

port.on('message', (msg: BlockWorkerInit) => runChain(msg));
port.postMessage({ type: 'loaded' } satisfies BlockWorkerReply);
