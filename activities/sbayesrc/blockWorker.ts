// A block-sweeping worker thread, alive for the whole chain. Protocol: one `init` message
// (the shared arrays, this worker's blocks, the control words), one `ready` reply, then no
// more messages: each sweep the main thread writes the hyper-parameters into shared memory and
// bumps the sweep word; the worker sweeps its blocks and stores the sweep number in its done
// word (Atomics.wait / notify: no structured clone, no event-loop turn per sweep).
import { parentPort } from 'node:worker_threads';
import { sweepBlocks, type BlockSweepTarget } from './sampler.js';
import { CTRL_STOP, WORKER_FAILED, readParams } from './sweepControl.js';

export interface BlockWorkerInit {
  type: 'init';
  target: BlockSweepTarget;
  blocks: Int32Array;
  /** Int32 words over a SharedArrayBuffer: [0] sweep command, [1 + i] worker i's last done sweep. */
  control: Int32Array;
  params: Float64Array;
  index: number;
}
export type BlockWorkerReply = { type: 'ready' } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('blockWorker runs as a worker thread');

port.once('message', (msg: BlockWorkerInit) => {
  const { target, blocks, control, params, index } = msg;
  const doneAt = 1 + index;
  port.postMessage({ type: 'ready' } satisfies BlockWorkerReply);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    const cmd = Atomics.load(control, 0);
    if (cmd === CTRL_STOP) break;
    if (cmd === seen) continue; // woken without a new sweep: never sweep a sweep twice
    seen = cmd;
    try {
      sweepBlocks(target, readParams(params), blocks);
      Atomics.store(control, doneAt, cmd);
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies BlockWorkerReply);
      Atomics.store(control, doneAt, WORKER_FAILED);
    }
    Atomics.notify(control, doneAt);
  }
  port.close();
  process.exit(0); // ends this worker thread only
});
