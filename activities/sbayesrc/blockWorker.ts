// A block-sweeping worker thread. Protocol: init (shared arrays) → sweep* → exit; one reply each.
import { parentPort } from 'node:worker_threads';
import { sweepBlocks, type BlockSweepTarget, type SweepParams } from './sampler.js';

export type BlockWorkerRequest = { type: 'init'; target: BlockSweepTarget } | { type: 'sweep'; params: SweepParams; blocks: Int32Array };
export type BlockWorkerReply = { type: 'ready' } | { type: 'done' } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('blockWorker runs as a worker thread');
let target: BlockSweepTarget | null = null;

port.on('message', (msg: BlockWorkerRequest) => {
  try {
    if (msg.type === 'init') target = msg.target;
    else {
      if (!target) throw new Error('sweep before init');
      sweepBlocks(target, msg.params, msg.blocks);
    }
    port.postMessage({ type: 'done' } satisfies BlockWorkerReply);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies BlockWorkerReply);
  }
});
port.postMessage({ type: 'ready' } satisfies BlockWorkerReply);
