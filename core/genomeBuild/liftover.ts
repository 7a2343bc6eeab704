// Liftover of single-base positions with a UCSC chain file the user supplies (`--chain FILE`,
// never downloaded): the chains' ungapped blocks are indexed per source chromosome in typed
// arrays, sorted by start, and a position is found by binary search.
//
// Coordinates: our positions are 1-based; chain blocks are 0-based half-open. A position p lies
// in block [tStart, tStart + size) when tStart ≤ p − 1 < tStart + size, and maps to the 0-based
// query offset r = qStart + (p − 1 − tStart). On a '+' query that is 1-based r + 1; on a '-'
// query r counts from the end of the reverse-complemented sequence, so the forward 0-based
// coordinate is qSize − 1 − r and the 1-based position qSize − r. A variant lifted to the '-'
// strand has its alleles on the other strand: the caller complements them (A/T and C/G pairs then
// cannot be told apart from a swap, as everywhere else).
//
// Like UCSC liftOver (without -multiple), a position in blocks of two chains that map it to
// different places is not lifted ("Duplicated in new"), nor is one outside every block ("Deleted
// in new"). A position that lands on another chromosome (including alt and random contigs) is
// dropped by default: the LD panel holds the primary chromosomes, and a cross-chromosome move
// is usually an alignment artefact for a GWAS variant.
import { scanChainFile, type ChainRecord } from '../formats/chainFile.js';
import { I32Column, normaliseChrom } from '../formats/text.js';

/** The blocks of all chains whose source is one chromosome, sorted by tStart (then tEnd). */
export interface SourceBlocks {
  /** 0-based block starts on the source chromosome. */
  tStart: Int32Array;
  /** Exclusive block ends. */
  tEnd: Int32Array;
  /** 0-based block starts on the query side, in the chain's qStrand coordinates. */
  qStart: Int32Array;
  /** Index of the block's chain in `LiftIndex.chainQName` etc. */
  chain: Int32Array;
  /** Running maximum of tEnd: stops the backwards walk over blocks that might overlap. */
  maxEnd: Int32Array;
}

export interface LiftIndex {
  /** Per normalised source chromosome. */
  bySource: Map<string, SourceBlocks>;
  /** Per chain: destination chromosome (normalised), its size and strand. */
  chainQName: string[];
  chainQSize: Int32Array;
  /** 1 when the chain's query strand is '-'. */
  chainMinus: Uint8Array;
  chains: number;
  blocks: number;
}

export interface LiftedPosition {
  chrom: string;
  /** 1-based, on the destination build's forward strand. */
  pos: number;
  /** '-': the variant's alleles must be complemented. */
  strand: '+' | '-';
}

/** Why a position was not lifted. */
export type UnmappedReason =
  /** The chain file has no chain from this chromosome. */
  | 'noChain'
  /** Outside every aligned block: in a gap of a chain or in a region no chain covers. */
  | 'gap'
  /** In blocks of two or more chains that map it to different places. */
  | 'multiple'
  /** Lifted to another chromosome (or contig), dropped by `otherChromosome: 'drop'`. */
  | 'otherChrom'
  /** Not a position: missing, zero, negative or fractional. */
  | 'badPosition';

/** Per-row status codes of `liftPositions` (0 = lifted). */
export const LIFT_STATUS = { lifted: 0, noChain: 1, gap: 2, multiple: 3, otherChrom: 4, badPosition: 5 } as const;
const REASONS: readonly UnmappedReason[] = ['noChain', 'gap', 'multiple', 'otherChrom', 'badPosition'];

export interface LiftCounts {
  rows: number;
  lifted: number;
  /** Lifted rows on the destination's minus strand (alleles to complement). */
  minusStrand: number;
  /** Lifted rows kept on another chromosome (only with `otherChromosome: 'keep'`). */
  changedChrom: number;
  unmapped: Record<UnmappedReason, number>;
}

export interface LiftedPositions {
  /** Per input row: the destination chromosome, '' when not lifted. */
  chrom: string[];
  /** Per input row: the 1-based destination position, 0 when not lifted. */
  pos: Int32Array;
  /** Per input row: 1 when lifted to the minus strand (complement the alleles). */
  minus: Uint8Array;
  /** Per input row: a `LIFT_STATUS` code. */
  status: Uint8Array;
  counts: LiftCounts;
}

export interface LiftOptions {
  /** A position lifted to another chromosome: dropped and counted as 'otherChrom' (default), or kept. */
  otherChromosome?: 'drop' | 'keep';
}

// ---------------------------------------------------------------------------------------------
// Building the index

interface Gathered {
  tStart: I32Column;
  tEnd: I32Column;
  qStart: I32Column;
  chain: I32Column;
}

class IndexBuilder {
  private readonly gathered = new Map<string, Gathered>();
  private readonly qName: string[] = [];
  private readonly qSize = new I32Column();
  private readonly minus: number[] = [];
  private blocks = 0;

  add(c: ChainRecord): void {
    const k = this.qName.length;
    this.qName.push(c.qName);
    this.qSize.push(c.qSize);
    this.minus.push(c.qStrand === '-' ? 1 : 0);
    let g = this.gathered.get(c.tName);
    if (g === undefined) {
      g = { tStart: new I32Column(), tEnd: new I32Column(), qStart: new I32Column(), chain: new I32Column() };
      this.gathered.set(c.tName, g);
    }
    for (let b = 0; b < c.blockSize.length; b++) {
      const t = c.blockT[b]!;
      g.tStart.push(t);
      g.tEnd.push(t + c.blockSize[b]!);
      g.qStart.push(c.blockQ[b]!);
      g.chain.push(k);
    }
    this.blocks += c.blockSize.length;
  }

  finish(): LiftIndex {
    const bySource = new Map<string, SourceBlocks>();
    for (const [chrom, g] of this.gathered) bySource.set(chrom, sortBlocks(g));
    return {
      bySource,
      chainQName: this.qName,
      chainQSize: this.qSize.finish(),
      chainMinus: Uint8Array.from(this.minus),
      chains: this.qName.length,
      blocks: this.blocks,
    };
  }
}

function sortBlocks(g: Gathered): SourceBlocks {
  const ts = g.tStart.finish();
  const te = g.tEnd.finish();
  const qs = g.qStart.finish();
  const ch = g.chain.finish();
  const n = ts.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ts[a]! - ts[b]! || te[a]! - te[b]!);
  const out: SourceBlocks = {
    tStart: new Int32Array(n),
    tEnd: new Int32Array(n),
    qStart: new Int32Array(n),
    chain: new Int32Array(n),
    maxEnd: new Int32Array(n),
  };
  let max = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    out.tStart[i] = ts[j]!;
    out.tEnd[i] = te[j]!;
    out.qStart[i] = qs[j]!;
    out.chain[i] = ch[j]!;
    if (te[j]! > max) max = te[j]!;
    out.maxEnd[i] = max;
  }
  return out;
}

/** The index of chains already read (e.g. by `readChainFile`). */
export function buildLiftIndex(chains: Iterable<ChainRecord>): LiftIndex {
  const b = new IndexBuilder();
  for (const c of chains) b.add(c);
  return b.finish();
}

/** Read a chain file (plain or gzip) straight into an index, keeping no chain objects. */
export async function readLiftIndex(file: string): Promise<LiftIndex> {
  const b = new IndexBuilder();
  await scanChainFile(file, (c) => b.add(c));
  return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Lifting

const isPosition = (pos: number): boolean => Number.isInteger(pos) && pos >= 1;

/** Scratch result of `locate`, reused across calls in the batch loop. */
interface Hit {
  chain: number;
  /** 1-based destination position. */
  pos: number;
}

/**
 * Where 1-based `pos` lands among `blocks`: a LIFT_STATUS code; on success `hit` holds the chain
 * and destination position.
 */
function locate(ix: LiftIndex, blocks: SourceBlocks, pos: number, hit: Hit): number {
  const t = pos - 1;
  const { tStart, tEnd, qStart, chain, maxEnd } = blocks;
  // Last block with tStart ≤ t.
  let lo = 0;
  let hi = tStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tStart[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  let found = 0;
  // Walk back over every block that may still reach t (maxEnd is the running maximum of tEnd).
  for (let i = lo - 1; i >= 0 && maxEnd[i]! > t; i--) {
    if (tEnd[i]! <= t) continue;
    const k = chain[i]!;
    const r = qStart[i]! + (t - tStart[i]!);
    const p = ix.chainMinus[k] ? ix.chainQSize[k]! - r : r + 1;
    if (found > 0 && (ix.chainQName[k] !== ix.chainQName[hit.chain] || ix.chainMinus[k] !== ix.chainMinus[hit.chain] || p !== hit.pos)) {
      return LIFT_STATUS.multiple;
    }
    if (found === 0) {
      hit.chain = k;
      hit.pos = p;
    }
    found++;
  }
  return found > 0 ? LIFT_STATUS.lifted : LIFT_STATUS.gap;
}

/**
 * Why `pos` on `chrom` does not lift, or where it goes. A position lifted to another chromosome
 * is returned as lifted: only the batch function applies the `otherChromosome` policy.
 */
export function liftOne(ix: LiftIndex, chrom: string, pos: number): LiftedPosition | Exclude<UnmappedReason, 'otherChrom'> {
  if (!isPosition(pos)) return 'badPosition';
  const blocks = ix.bySource.get(normaliseChrom(chrom));
  if (blocks === undefined) return 'noChain';
  const hit: Hit = { chain: -1, pos: 0 };
  const s = locate(ix, blocks, pos, hit);
  if (s !== LIFT_STATUS.lifted) return REASONS[s - 1] as Exclude<UnmappedReason, 'otherChrom'>;
  return { chrom: ix.chainQName[hit.chain]!, pos: hit.pos, strand: ix.chainMinus[hit.chain] ? '-' : '+' };
}

/** `pos` (1-based) on `chrom` in the destination build, or null when it does not lift. */
export function liftPosition(ix: LiftIndex, chrom: string, pos: number): LiftedPosition | null {
  const r = liftOne(ix, chrom, pos);
  return typeof r === 'string' ? null : r;
}

/** Lift every row of (chrom, pos), counting the rows not lifted by reason. */
export function liftPositions(ix: LiftIndex, chrom: readonly string[], pos: ArrayLike<number>, options: LiftOptions = {}): LiftedPositions {
  const n = chrom.length;
  if (pos.length !== n) throw new RangeError(`liftPositions: ${n} chromosomes but ${pos.length} positions`);
  const keepOther = options.otherChromosome === 'keep';
  const outChrom: string[] = []; // pushed: `new Array(n)` of millions would be a slow holey array
  const outPos = new Int32Array(n);
  const minus = new Uint8Array(n);
  const status = new Uint8Array(n);
  const counts: LiftCounts = {
    rows: n,
    lifted: 0,
    minusStrand: 0,
    changedChrom: 0,
    unmapped: { noChain: 0, gap: 0, multiple: 0, otherChrom: 0, badPosition: 0 },
  };
  const hit: Hit = { chain: -1, pos: 0 };
  // Rows come sorted by chromosome as a rule: resolve the chromosome once per run of rows.
  let lastRaw: string | undefined;
  let source = '';
  let blocks: SourceBlocks | undefined;
  for (let i = 0; i < n; i++) {
    const raw = chrom[i]!;
    if (raw !== lastRaw) {
      lastRaw = raw;
      source = normaliseChrom(raw);
      blocks = ix.bySource.get(source);
    }
    const p = pos[i]!;
    let s: number = !isPosition(p) ? LIFT_STATUS.badPosition : blocks === undefined ? LIFT_STATUS.noChain : locate(ix, blocks, p, hit);
    const dest = s === LIFT_STATUS.lifted ? ix.chainQName[hit.chain]! : '';
    if (s === LIFT_STATUS.lifted && dest !== source) {
      if (keepOther) counts.changedChrom++;
      else s = LIFT_STATUS.otherChrom;
    }
    status[i] = s;
    if (s !== LIFT_STATUS.lifted) {
      outChrom.push('');
      counts.unmapped[REASONS[s - 1]!]++;
      continue;
    }
    outChrom.push(dest);
    outPos[i] = hit.pos;
    counts.lifted++;
    if (ix.chainMinus[hit.chain]) {
      minus[i] = 1;
      counts.minusStrand++;
    }
  }
  return { chrom: outChrom, pos: outPos, minus, status, counts };
}

/** "1,234 of 1,300 variants lifted (3 on the minus strand); not lifted: 50 outside every aligned block, …" */
export function describeLiftCounts(c: LiftCounts): string {
  const words: Record<UnmappedReason, string> = {
    noChain: 'on a chromosome the chain file does not cover',
    gap: 'outside every aligned block',
    multiple: 'mapped to more than one place',
    otherChrom: 'moved to another chromosome',
    badPosition: 'without a valid position',
  };
  const fmt = (x: number): string => x.toLocaleString('en-US');
  const parts = REASONS.filter((r) => c.unmapped[r] > 0).map((r) => `${fmt(c.unmapped[r])} ${words[r]}`);
  const extra = [
    c.minusStrand > 0 ? `${fmt(c.minusStrand)} on the minus strand` : '',
    c.changedChrom > 0 ? `${fmt(c.changedChrom)} on another chromosome` : '',
  ].filter((s) => s !== '');
  return (
    `${fmt(c.lifted)} of ${fmt(c.rows)} variants lifted` +
    (extra.length ? ` (${extra.join(', ')})` : '') +
    (parts.length ? `; not lifted: ${parts.join(', ')}` : '')
  );
}
