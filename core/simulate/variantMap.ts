// The simulated SNP map: IDs, positions, alleles and LD blocks (contiguous runs of SNPs on
// one chromosome). Without founders, blocks are spread over chromosomes 1–22 in order.
import { Rng } from '../numeric/random/rng.js';

export interface SimBlock {
  /** First SNP index (inclusive) and one past the last. */
  first: number;
  end: number;
  chrom: string;
  startBp: number;
  endBp: number;
}

export interface VariantMap {
  id: string[];
  chrom: string[];
  pos: Int32Array;
  a1: string[];
  a2: string[];
  blocks: SimBlock[];
}

const ALLELE_PAIRS: readonly (readonly [string, string])[] = [
  ['A', 'C'], ['A', 'G'], ['A', 'T'], ['C', 'A'], ['C', 'G'], ['C', 'T'],
  ['G', 'A'], ['G', 'C'], ['G', 'T'], ['T', 'A'], ['T', 'C'], ['T', 'G'],
];

export const STREAM_LAYOUT = 7;

export function syntheticVariantMap(nSnps: number, blockSnps: number, seed: number): VariantMap {
  const rng = Rng.stream(seed, STREAM_LAYOUT);
  const nBlocks = Math.ceil(nSnps / blockSnps);
  const nChrom = Math.min(22, nBlocks);
  const id: string[] = new Array(nSnps);
  const chrom: string[] = new Array(nSnps);
  const pos = new Int32Array(nSnps);
  const a1: string[] = new Array(nSnps);
  const a2: string[] = new Array(nSnps);
  const blocks: SimBlock[] = [];
  let bp = 0;
  let prevChrom = '';
  for (let b = 0; b < nBlocks; b++) {
    const c = String(1 + Math.floor((b * nChrom) / nBlocks));
    if (c !== prevChrom) {
      bp = 10_000;
      prevChrom = c;
    } else bp += 20_000; // gap between blocks
    const first = b * blockSnps;
    const end = Math.min(nSnps, first + blockSnps);
    const startBp = bp;
    for (let j = first; j < end; j++) {
      bp += 1 + rng.below(2000);
      id[j] = `rs${1_000_000 + j}`;
      chrom[j] = c;
      pos[j] = bp;
      const pair = ALLELE_PAIRS[rng.below(ALLELE_PAIRS.length)]!;
      a1[j] = pair[0];
      a2[j] = pair[1];
    }
    blocks.push({ first, end, chrom: c, startBp, endBp: bp + 1 });
  }
  return { id, chrom, pos, a1, a2, blocks };
}
