// The LD panel's low-rank blocks, built one eigen block at a time so the eigenvectors of only
// one block are alive at once. Q is kept in memory (resident; on shared memory when threads
// will sweep it, so runChainParallel does not copy it again) or written to a spill file and
// read back block by block each sweep (stream: only one block's Q per thread in memory).
import { open } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { checkEigenHeader } from '../formats/ldFolder.js';
import { truncateEigen } from '../ld/eigenCutoff.js';
import type { EigenBlock } from '../formats/types.js';
import { lowRankBlock, type LowRankBlock } from './lowRank.js';
import { availableMemory } from './memoryBudget.js';
import { QSpillWriter, type QSpill } from './qSpill.js';
import type { LdMemoryRequest } from '../../contracts/fit.js';

export type LdMemoryMode = 'resident' | 'stream';

export function chooseLdMemory(request: LdMemoryRequest, qBytes: number, free = availableMemory()): LdMemoryMode {
  if (request !== 'auto') return request;
  return qBytes < free / 2 ? 'resident' : 'stream';
}

/** Bytes of all Q (float32 m·k per block). */
export const qBytesOf = (m: readonly number[], k: readonly number[]): number => m.reduce((a, mb, b) => a + 4 * mb * k[b]!, 0);

const HEADER_BYTES = 16;

/**
 * k of each block at `cutoff`, from the eigenvalues alone (16 + 4k bytes of each file), so the
 * memory mode is chosen before any eigenvectors are read. The full read validates them later.
 */
export async function eigenRanks(files: readonly string[], cutoff: number): Promise<number[]> {
  const out: number[] = [];
  for (const file of files) {
    const fh = await open(file, 'r');
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      await fh.read(head, 0, HEADER_BYTES, 0);
      const m = head.readInt32LE(0);
      const k = head.readInt32LE(4);
      checkEigenHeader(file, (await fh.stat()).size, m, k);
      const values = new Float32Array(k);
      const { bytesRead } = await fh.read(new Uint8Array(values.buffer), 0, 4 * k, HEADER_BYTES);
      if (bytesRead !== 4 * k) throw new BadInputError(file, `truncated: ${bytesRead} of ${4 * k} eigenvalue bytes at byte offset ${HEADER_BYTES}`);
      const eigen: EigenBlock = { m, k, sumLambda: head.readFloatLE(8), cutoff: head.readFloatLE(12), values, vectors: new Float32Array(0) };
      out.push(truncateEigen(eigen, cutoff, file).k);
    } finally {
      await fh.close();
    }
  }
  return out;
}

export interface LdBuildOptions {
  /** Block i's eigenpairs, already at the chosen cut-off; read when needed, dropped after use. */
  eigenAt: (i: number) => Promise<EigenBlock>;
  count: number;
  /** First SNP of each block and one past its last. */
  start: readonly number[];
  end: readonly number[];
  bhat: Float64Array;
  /** Per-block sample size. */
  blockN: (first: number, end: number) => number;
  mode: LdMemoryMode;
  /** Resident Q on SharedArrayBuffers (the chain will run on worker threads). */
  shared: boolean;
  /** Where stream mode writes Q. */
  spillPath: string;
}

export interface LdBuild {
  /** In stream mode each block's `q` is empty: Q is in `spill`. */
  blocks: LowRankBlock[];
  spill: QSpill | null;
  qBytes: number;
}

const EMPTY_Q = new Float32Array(0);

export async function buildLowRankBlocks(o: LdBuildOptions): Promise<LdBuild> {
  const blocks: LowRankBlock[] = [];
  const writer = o.mode === 'stream' ? new QSpillWriter(o.spillPath) : null;
  let scratch = new Float32Array(0);
  let qBytes = 0;
  try {
    for (let i = 0; i < o.count; i++) {
      const e = await o.eigenAt(i);
      const first = o.start[i]!;
      const end = o.end[i]!;
      const mk = e.m * e.k;
      qBytes += 4 * mk;
      let into: Float32Array | undefined;
      if (writer) {
        if (scratch.length < mk) scratch = new Float32Array(mk);
        into = scratch.subarray(0, mk);
      } else if (o.shared) into = new Float32Array(new SharedArrayBuffer(4 * mk));
      const blk = lowRankBlock(e, o.bhat.subarray(first, end), o.blockN(first, end), into);
      if (writer) {
        writer.append(blk.q);
        blocks.push({ ...blk, q: EMPTY_Q });
      } else blocks.push(blk);
    }
  } catch (err) {
    writer?.abandon();
    throw err;
  }
  return { blocks, spill: writer ? writer.finish() : null, qBytes };
}
