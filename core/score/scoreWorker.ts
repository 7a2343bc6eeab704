// A scoring worker thread: one sample slice of the kernel, fed the same genotype chunks as the
// other slices through shared memory. Protocol: init → chunk* → finish, one reply each (an
// `error` reply fails that request only). Started by scoreRunner.ts through core/threads.
import { parentPort } from 'node:worker_threads';
import { threadError, type ThreadErrorReply } from '../threads/threadMessages.js';
import { ScoreAccumulator, type ScoreModel, type ScoreSums } from './scoreKernel.js';

export type WorkerRequest =
  | { type: 'init'; model: ScoreModel; nSamples: number; sampleScore: Int32Array | null; start: number; end: number }
  | { type: 'chunk'; buffer: SharedArrayBuffer; byteOffset: number; length: number; firstVariant: number; nVariants: number }
  | { type: 'finish' };

export type WorkerReply = { type: 'done' } | { type: 'sums'; sums: ScoreSums } | ThreadErrorReply;

const port = parentPort;
if (!port) throw new Error('scoreWorker runs as a worker thread');
let acc: ScoreAccumulator | null = null;

port.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'init') {
      acc = new ScoreAccumulator(msg.model, msg.nSamples, msg.sampleScore, msg.start, msg.end);
      port.postMessage({ type: 'done' } satisfies WorkerReply);
    } else if (msg.type === 'chunk') {
      if (!acc) throw new Error('chunk before init');
      acc.addChunk(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), msg.firstVariant, msg.nVariants);
      port.postMessage({ type: 'done' } satisfies WorkerReply);
    } else {
      if (!acc) throw new Error('finish before init');
      const sums = acc.finish();
      acc = null;
      port.postMessage({ type: 'sums', sums } satisfies WorkerReply, [sums.scores.buffer as ArrayBuffer, sums.alleleCount.buffer as ArrayBuffer, sums.namedDosage.buffer as ArrayBuffer]);
    }
  } catch (e) {
    port.postMessage(threadError(e) satisfies WorkerReply);
  }
});
