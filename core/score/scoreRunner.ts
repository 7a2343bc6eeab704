// Runs the scoring kernel over sample slices: one in this thread, the others in worker threads
// fed the same chunks through shared memory. Slicing by samples (not variants) keeps every
// sample's summation order, hence the output, identical for any number of threads.
import { availableParallelism } from 'node:os';
import { WorkerThread } from '../threads/workerThread.js';
import { ScoreAccumulator, type ScoreModel, type ScoreSums } from './scoreKernel.js';
import type { WorkerReply, WorkerRequest } from './scoreWorker.js';

const SCORE_WORKER = new URL('./scoreWorker.ts', import.meta.url);
const MAX_THREADS = 8;
/**
 * Work units (samples × rows × columns / 4, about 0.4 ns each in the WebAssembly loops) that
 * a worker must take over to repay its start (loading the TypeScript kernel, ~0.2 s of CPU).
 */
const MIN_WORK_PER_THREAD = 1.5e9;

/** Threads worth using for a job of this size (1 = no workers). */
export function scoreThreads(nSamples: number, rows: number, columnsPerSample: number, limit = availableParallelism()): number {
  const work = (nSamples * rows * Math.max(1, columnsPerSample)) / 4;
  const byWork = Math.floor(work / MIN_WORK_PER_THREAD);
  const bySamples = Math.floor(nSamples / 64);
  return Math.max(1, Math.min(limit, MAX_THREADS, byWork, bySamples));
}

/** A reported error fails its request only: the thread's next job starts with a fresh `init`. */
type ScoreWorker = WorkerThread<WorkerRequest, WorkerReply>;

const startScoreWorker = (): ScoreWorker => new WorkerThread(SCORE_WORKER, { name: 'score worker', reportedError: 'rejects-reply' });

/** Worker threads started ahead of the job (they take a moment to load), reusable across jobs. */
export class ScoreWorkers {
  private readonly workers: ScoreWorker[];

  constructor(count: number) {
    this.workers = Array.from({ length: Math.max(0, count) }, startScoreWorker);
  }

  get count(): number {
    return this.workers.length;
  }

  /** @internal */
  take(n: number): ScoreWorker[] {
    return this.workers.slice(0, n);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface ScoreRun {
  /** Feed the next genotype chunk (variants in order); resolves when every slice has taken it. */
  addChunk(packed: Uint8Array, firstVariant: number, nVariants: number, offset?: number): Promise<void>;
  /** Sums for the whole cohort. */
  finish(): Promise<ScoreSums>;
  readonly threads: number;
}

/**
 * Start a scoring pass. `workers` may be null (or have fewer threads than the job can use);
 * a job too small for threads runs in this thread alone.
 */
export async function startScoring(
  model: ScoreModel,
  nSamples: number,
  sampleScore: Int32Array | null,
  workers: ScoreWorkers | null,
  threads?: number,
): Promise<ScoreRun> {
  const chooses = sampleScore?.some((c) => c >= 0) ?? false;
  // Every slice needs at least one .bed byte of samples.
  const wanted = Math.min(threads ?? scoreThreads(nSamples, model.variant.length, chooses ? 1 : model.nScores), (nSamples + 3) >>> 2);
  const helpers = workers ? workers.take(Math.max(0, Math.min(workers.count, wanted - 1))) : [];
  const nThreads = helpers.length + 1;
  const nBytes = (nSamples + 3) >>> 2;
  const bounds = Array.from({ length: nThreads + 1 }, (_, t) => Math.min(nSamples, 4 * Math.round((nBytes * t) / nThreads)));
  bounds[nThreads] = nSamples;
  const local = new ScoreAccumulator(model, nSamples, sampleScore, bounds[0]!, bounds[1]!);
  await Promise.all(
    helpers.map((w, t) => w.request({ type: 'init', model, nSamples, sampleScore, start: bounds[t + 1]!, end: bounds[t + 2]! })),
  );
  let staging = new SharedArrayBuffer(0);
  return {
    threads: nThreads,
    async addChunk(packed, firstVariant, nVariants, offset = 0) {
      const length = nVariants * ((nSamples + 3) >>> 2);
      let view = packed.subarray(offset, offset + length);
      if (helpers.length > 0 && !(view.buffer instanceof SharedArrayBuffer)) {
        if (staging.byteLength < length) staging = new SharedArrayBuffer(length);
        const copy = new Uint8Array(staging, 0, length);
        copy.set(view);
        view = copy;
      }
      const pending = helpers.map((w) =>
        w.request({ type: 'chunk', buffer: view.buffer as SharedArrayBuffer, byteOffset: view.byteOffset, length, firstVariant, nVariants }),
      );
      try {
        local.addChunk(view, firstVariant, nVariants);
      } finally {
        await Promise.all(pending);
      }
    },
    async finish() {
      const parts = [local.finish()];
      for (const w of helpers) {
        const reply = await w.request({ type: 'finish' });
        if (reply.type !== 'sums') throw new Error(`score worker: unexpected reply ${reply.type}`);
        parts.push(reply.sums);
      }
      return mergeSums(parts, nSamples, model.nScores);
    },
  };
}

function mergeSums(parts: ScoreSums[], nSamples: number, nScores: number): ScoreSums {
  if (parts.length === 1) return parts[0]!;
  const scores = new Float64Array(nSamples * nScores);
  const alleleCount = new Int32Array(nSamples);
  const namedDosage = new Float64Array(nSamples);
  for (const p of parts) {
    scores.set(p.scores, p.sampleStart * nScores);
    alleleCount.set(p.alleleCount, p.sampleStart);
    namedDosage.set(p.namedDosage, p.sampleStart);
  }
  return { sampleStart: 0, sampleEnd: nSamples, nScores, scores, alleleCount, namedDosage };
}
