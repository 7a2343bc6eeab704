// Which SNPs go into which panel block, before any genotype is correlated: each variant falls
// in the block [StartBP, EndBP) of its chromosome; variants outside every block, without a
// call, without variation among the kept samples, or whose ID is not unique are dropped with a
// reason; blocks keep the blocks file's order, SNPs within a block go by position, and blocks
// over the SNP limit are split (splitBlock.ts).
import { normaliseChrom } from '../formats/text.js';
import type { BimTable, BlockTable } from '../formats/types.js';
import { splitAtLargestGaps } from './splitBlock.js';
import type { VariantStats } from './variantStats.js';
import { type SplitCut, DROP_REASONS, type DropReason, type BlockSplit } from '../../contracts/ld.js';

export interface PlannedBlock {
  /** Name in the blocks file, and which part of it this is (1 of 1 when not split). */
  source: string;
  part: number;
  parts: number;
  chrom: string;
  /** Bounds of the source block, [startBp, endBp). */
  startBp: number;
  endBp: number;
  /** Global variant indices (.bim order across filesets), by position. */
  variants: Int32Array;
}

export interface PanelPlan {
  blocks: PlannedBlock[];
  splits: BlockSplit[];
  dropped: Record<DropReason, number>;
  /** The first few dropped SNPs per reason, for the summary. */
  droppedExamples: Record<DropReason, string[]>;
  /** Blocks of the file that received no SNP (other chromosomes, gaps in the genotypes). */
  emptyBlocks: number;
}

const EXAMPLES_PER_REASON = 20;

export function planPanel(bim: BimTable, stats: VariantStats, blocks: BlockTable, maxBlockSnps?: number): PanelPlan {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  const droppedExamples = Object.fromEntries(DROP_REASONS.map((r) => [r, [] as string[]])) as Record<DropReason, string[]>;
  const drop = (reason: DropReason, v: number): void => {
    dropped[reason]++;
    if (droppedExamples[reason].length < EXAMPLES_PER_REASON) droppedExamples[reason].push(bim.id[v]!);
  };

  const byChrom = new Map<string, number[]>();
  blocks.chrom.forEach((c, b) => {
    const list = byChrom.get(c);
    if (list) list.push(b);
    else byChrom.set(c, [b]);
  });

  // Block row of each variant, −1 when dropped.
  const nVariants = bim.id.length;
  const blockOf = new Int32Array(nVariants).fill(-1);
  const idCount = new Map<string, number>();
  for (let v = 0; v < nVariants; v++) {
    const b = findBlock(byChrom.get(normaliseChrom(bim.chrom[v]!)), blocks, bim.pos[v]!);
    if (b < 0) drop('outsideBlocks', v);
    else if (stats.nObs[v] === 0) drop('noCalls', v);
    else if (!stats.polymorphic[v]) drop('monomorphic', v);
    else {
      blockOf[v] = b;
      idCount.set(bim.id[v]!, (idCount.get(bim.id[v]!) ?? 0) + 1);
    }
  }
  const members: number[][] = blocks.block.map(() => []);
  for (let v = 0; v < nVariants; v++) {
    const b = blockOf[v]!;
    if (b < 0) continue;
    // Every copy goes: which one a summary statistic means cannot be known.
    if (idCount.get(bim.id[v]!)! > 1) drop('duplicateId', v);
    else members[b]!.push(v);
  }

  const out: PlannedBlock[] = [];
  const splits: BlockSplit[] = [];
  let emptyBlocks = 0;
  members.forEach((vs, b) => {
    if (vs.length === 0) {
      emptyBlocks++;
      return;
    }
    const sorted = Int32Array.from(vs).sort((x, y) => bim.pos[x]! - bim.pos[y]! || x - y);
    const pos = Int32Array.from(sorted, (v) => bim.pos[v]!);
    const { bounds, cuts } = maxBlockSnps === undefined ? { bounds: [0, sorted.length], cuts: [] } : splitAtLargestGaps(pos, maxBlockSnps);
    const parts = bounds.length - 1;
    const base = { source: blocks.block[b]!, chrom: blocks.chrom[b]!, startBp: blocks.start[b]!, endBp: blocks.end[b]!, parts };
    for (let p = 0; p < parts; p++) out.push({ ...base, part: p + 1, variants: sorted.slice(bounds[p]!, bounds[p + 1]!) });
    if (parts > 1) {
      const sizes = bounds.slice(1).map((e, p) => e - bounds[p]!);
      splits.push({ block: base.source, chrom: base.chrom, snps: sorted.length, parts: sizes, cuts });
    }
  });
  return { blocks: out, splits, dropped, droppedExamples, emptyBlocks };
}

/** Row of the block of `rows` (start-sorted, disjoint) holding pos, or −1. */
function findBlock(rows: number[] | undefined, blocks: BlockTable, pos: number): number {
  if (!rows) return -1;
  let lo = 0;
  let hi = rows.length - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (blocks.start[rows[mid]!]! <= pos) {
      hit = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (hit < 0) return -1;
  const b = rows[hit]!;
  return pos < blocks.end[b]! ? b : -1;
}
