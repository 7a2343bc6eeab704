// The SBayesR / SBayesRC chain: sweeps over independent blocks (each with its own PRNG
// stream), then the hyper-parameters from the global stream, posterior accumulation after
// burn-in and the convergence guard. Everything lives in ChainState, so stopping after any
// sweep and resuming from a checkpoint continues the same chain bit for bit.
import { Rng } from '../numeric/random/rng.js';
import { betweenSweeps } from './chainYield.js';
import { PART, accumulateBlock, partialsStride, type AccumulatedState } from './blockAccumulators.js';
import { sweepBlock, sweepScratch, type BlockResult, type BlockState, type KernelPlacement } from './blockSweep.js';
import { chooseSweepKernel, nativeSweepKernel, type SweepKernelKind } from './nativeKernel.js';
import { WasmKernel } from './wasmKernel.js';
import { STAT, TRACE_WIDTH, type ChainState } from './chainState.js';
import { drawPi } from './dirichletPi.js';
import { GAMMA, N_COMPONENTS, componentConstants } from './mixture.js';
import { GUARD_EVERY, absQuantile, guardOutliers } from './outlierGuard.js';
import { normalCdf } from '../numeric/random/normalDistribution.js';
import {
  N_LEVELS,
  levelStatsLength,
  probitWorkspace,
  snpLogPi,
  updateAnnotationModel,
  sumBlockGrams,
  updateAnnotationModelFromStats,
  type Annotations,
  type ProbitWorkspace,
} from './probit.js';
import type { ProblemBlock, SbayesProblem } from './problem.js';
import { readSpilledBlock, readSpilledBlockInto, readSpilledRow, releaseSpillBuffer, type QSpill } from './qSpill.js';
import { geneticVariance, heritabilityDraw, residualVariance } from './variance.js';
import { SWEEP_PART, markPart, timingParts } from './sweepPartTimes.js';

export interface ChainOptions {
  iterations: number;
  burnIn: number;
}

export interface SweepReport {
  sweep: number;
  h2: number;
  nnz: number;
  /** SNPs the guard removed after this sweep (problem indices). */
  removed: number[];
}

/** Reusable buffers of a running chain (not state: rebuilt on resume). */
export interface ChainWorkspace {
  logPi: Float64Array;
  /** exp(logPi) per SNP (annotations only), for the accumulators. */
  snpPi: Float64Array;
  blockGenetic: Float64Array;
  blockCounts: Float64Array;
  counts: Float64Array;
  probit: ProbitWorkspace | null;
  guardThreshold: number;
  /** Per annotation column: 1 when binary (enrichment definition). */
  binary: Uint8Array;
  /** Per annotation column: 1 (binary) or its SD (continuous), for the joint probabilities. */
  annotSd: Float64Array;
  /** Order the blocks are swept in; any order gives the same chain (tests shuffle it). */
  blockOrder: Int32Array;
  /** The sweep kernel of this chain (fixed at the start, whatever the thread count). */
  kernel: SweepKernelKind;
  /** Native kernel with annotations: per block and level, the liabilities' statistics (probit.ts levelStatsLength). */
  probitStats: Float64Array;
  /** Native kernel with annotations: a_jᵀα_c per SNP and level (4 apart), written with log π, read by the liabilities. */
  eta: Float64Array;
  /**
   * Native kernel with annotations: per block, XᵀX over its kept SNPs (upper triangle, nA² apart)
   * — the probit model's level-0 Gram matrix, which changes only when the guard removes a SNP —
   * and whether it is current (0 after a removal in the block: its next sweep recomputes it).
   */
  blockGram: Float64Array;
  blockGramValid: Uint8Array;
  /** Σ over blocks of blockGram, mirrored; recomputed on the main thread when a block's changed. */
  gram0: Float64Array;
  gram0Valid: boolean;
  /** Per block, Σ a_t and Σ a_t² over its kept SNPs (2·nA apart; accumulateBlock) and whether they are current. */
  blockMoments: Float64Array;
  blockMomentsValid: Uint8Array;
  /** Per block, the sums over its SNPs of this sweep (blockAccumulators.ts), `partialsStride` apart. */
  partials: Float64Array;
  partialsStride: number;
}

export function chainWorkspace(p: SbayesProblem): ChainWorkspace {
  const nA = p.annotations?.nA ?? 0;
  const binary = p.annotations ? binaryColumns(p.annotations) : new Uint8Array(0);
  const kernel = chooseSweepKernel();
  const nativeProbit = kernel === 'native' && nA > 0;
  const nB = p.blocks.length;
  return {
    logPi: new Float64Array(nA > 0 ? p.nSnps * N_COMPONENTS : N_COMPONENTS),
    snpPi: new Float64Array(nA > 0 ? p.nSnps * N_COMPONENTS : 0),
    blockGenetic: new Float64Array(p.blocks.length),
    blockCounts: new Float64Array(p.blocks.length * N_COMPONENTS),
    counts: new Float64Array(N_COMPONENTS),
    probit: nA > 0 ? probitWorkspace(p.nSnps, nA) : null,
    guardThreshold: absQuantile(p.bhat, 0.8),
    blockOrder: Int32Array.from(p.blocks, (_, b) => b),
    binary,
    annotSd: p.annotations ? annotationSd(p.annotations, binary) : new Float64Array(0),
    kernel,
    probitStats: new Float64Array(nativeProbit ? nB * N_LEVELS * levelStatsLength(nA) : 0),
    eta: new Float64Array(nativeProbit ? p.nSnps * N_LEVELS : 0),
    blockGram: new Float64Array(nativeProbit ? nB * nA * nA : 0),
    blockGramValid: new Uint8Array(nB),
    gram0: new Float64Array(nA * nA),
    gram0Valid: false,
    blockMoments: new Float64Array(nB * 2 * nA),
    blockMomentsValid: new Uint8Array(nB),
    partials: new Float64Array(p.blocks.length * partialsStride(nA)),
    partialsStride: partialsStride(nA),
  };
}

/** Hyper-parameters every block of one sweep sees. */
export interface SweepParams {
  /** γ_k σ²g. */
  sigma2: number[];
  /** 0: one shared log π; 5: per-SNP log π (annotations). */
  piStride: number;
  /**
   * Native kernel with annotations: this sweep's α, from which each block computes its SNPs'
   * log π itself (in parallel); null when prepareSweep filled logPi for every SNP.
   */
  alpha: Float64Array | null;
  /** This sweep is past burn-in: blocks add to the posterior accumulators. */
  postBurnIn: boolean;
}

/** What sweeping blocks reads and writes: the same arrays whether in this thread or shared with workers. */
export interface BlockSweepTarget {
  blocks: readonly ProblemBlock[];
  state: BlockState & AccumulatedState & { rng: Uint32Array };
  logPi: Float64Array;
  blockGenetic: Float64Array;
  /** Per block, SNPs per component (block b at 5·b). */
  blockCounts: Float64Array;
  /** π per SNP (annotations; written by the native kernel's blocks). */
  snpPi: Float64Array;
  annotations: Annotations | null;
  kernel: SweepKernelKind;
  probitStats: Float64Array;
  eta: Float64Array;
  blockGram: Float64Array;
  blockGramValid: Uint8Array;
  blockMoments: Float64Array;
  blockMomentsValid: Uint8Array;
  partials: Float64Array;
  partialsStride: number;
  /** Out of core: the blocks' Q are read from this file block by block (plain data, so workers get it too). */
  qSpill: QSpill | null;
}

/** Log π for this sweep (shared, or per SNP from α) and the slab variances. */
export function prepareSweep(p: SbayesProblem, st: ChainState, ws: ChainWorkspace, opts: ChainOptions): SweepParams {
  const mark = timingParts() ? performance.now() : 0;
  try {
    return prepareSweepParams(p, st, ws, opts);
  } finally {
    if (mark) markPart(SWEEP_PART.serial, mark);
  }
}

function prepareSweepParams(p: SbayesProblem, st: ChainState, ws: ChainWorkspace, opts: ChainOptions): SweepParams {
  const sigma2 = GAMMA.map((g) => g * st.sigma2g);
  const postBurnIn = st.sweep + 1 > opts.burnIn;
  if (p.annotations) {
    if (ws.kernel === 'native') return { sigma2, piStride: N_COMPONENTS, alpha: Float64Array.from(st.alpha), postBurnIn };
    snpLogPi(p.annotations, st.alpha, p.nSnps, ws.logPi, ws.snpPi);
    return { sigma2, piStride: N_COMPONENTS, alpha: null, postBurnIn };
  }
  for (let k = 0; k < N_COMPONENTS; k++) ws.logPi[k] = Math.log(st.pi[k]!);
  return { sigma2, piStride: 0, alpha: null, postBurnIn };
}

/**
 * This thread's WebAssembly kernel and where it holds each block's Q (built on first use); out
 * of core, one slot the size of the largest block that each block is read into before its sweep.
 */
let placements: { blocks: readonly ProblemBlock[]; kern: WasmKernel; rAt: number; qAt: Map<number, number>; slotAt: number } | null = null;
let kernelMissing = false;

/**
 * Let go of this thread's copies of a finished fit's Q (the WebAssembly kernel's memory, which
 * cannot shrink, so the kernel itself goes) and its spill buffer: pooled worker threads and a
 * long-lived activity process would otherwise keep the largest fit's Q for good.
 */
export function releaseSweepMemory(): void {
  placements = null;
  releaseSpillBuffer();
}

function placement(blocks: readonly ProblemBlock[], b: number, spill: QSpill | null): KernelPlacement | null {
  if (kernelMissing) return null;
  if (placements?.blocks !== blocks) {
    const kern = placements?.kern ?? WasmKernel.create();
    if (!kern) {
      kernelMissing = true;
      return null;
    }
    kern.reset();
    const maxK = blocks.reduce((a, x) => Math.max(a, x.k), 0);
    const rAt = kern.alloc(8 * maxK);
    const slotAt = spill ? kern.alloc(4 * blocks.reduce((a, x) => Math.max(a, x.m * x.k), 0)) : -1;
    placements = { blocks, kern, rAt, qAt: new Map(), slotAt };
  }
  const pl = placements;
  if (spill) {
    const blk = blocks[b]!;
    readSpilledBlockInto(spill, b, new Uint8Array(pl.kern.f32.buffer, pl.slotAt, 4 * blk.m * blk.k));
    return { kern: pl.kern, qAt: pl.slotAt, rAt: pl.rAt };
  }
  let qAt = pl.qAt.get(b);
  if (qAt === undefined) {
    const blk = blocks[b]!;
    qAt = pl.kern.alloc(4 * blk.q.length);
    pl.kern.f32.set(blk.q, qAt / 4);
    pl.qAt.set(b, qAt);
  }
  return { kern: pl.kern, qAt, rAt: pl.rAt };
}

/** Sweep the listed blocks, each on its own PRNG stream. Blocks touch disjoint data: any split over threads is exact. */
export function sweepBlocks(t: BlockSweepTarget, params: SweepParams, blocks: Iterable<number>): void {
  if (t.kernel === 'native') {
    sweepBlocksNative(t, params, blocks);
    return;
  }
  const sc = sweepScratch();
  const result: BlockResult = { geneticVariance: 0, counts: new Float64Array(N_COMPONENTS) };
  const st = t.state;
  for (const b of blocks) {
    const rng = Rng.fromState(st.rng.subarray(4 * b, 4 * b + 4));
    const place = placement(t.blocks, b, t.qSpill);
    // Without SIMD the JavaScript loops read Q from the block itself: out of core, this thread's buffer.
    const blk = place || !t.qSpill ? t.blocks[b]! : { ...t.blocks[b]!, q: readSpilledBlock(t.qSpill, b) };
    sweepBlock(blk, b, st, params.sigma2, t.logPi, params.piStride, rng, sc, result, place);
    st.rng.set(rng.state(), 4 * b);
    t.blockGenetic[b] = result.geneticVariance;
    t.blockCounts.set(result.counts, N_COMPONENTS * b);
    accumulateBlock(t.blocks[b]!, b, st, params.postBurnIn, t.snpPi, t.annotations, t.partials, t.partialsStride, t);
  }
}

const nativeScratch = { l: new Float64Array(N_COMPONENTS), half: new Float64Array(N_COMPONENTS), counts: new Float64Array(N_COMPONENTS) };

/** sweepBlocks on the C kernel: the same steps as sweepBlock (blockSweep.ts), one native call per block. */
function sweepBlocksNative(t: BlockSweepTarget, params: SweepParams, blocks: Iterable<number>): void {
  const nat = nativeSweepKernel();
  const st = t.state;
  const sc = nativeScratch;
  const ann = t.annotations;
  const timing = timingParts();
  for (const b of blocks) {
    const blk = t.blocks[b]!;
    let mark = timing ? performance.now() : 0;
    if (params.alpha && ann) nat.logPi(ann.a, ann.nA, params.alpha, blk.first, blk.m, t.logPi, t.snpPi, t.eta);
    if (timing) mark = markPart(SWEEP_PART.logPi, mark);
    const c = blk.n / st.sigma2e[b]!;
    componentConstants(c, params.sigma2, sc);
    const q = t.qSpill ? readSpilledBlock(t.qSpill, b) : blk.q;
    // The C kernel trusts the length: a block without its Q (a spill descriptor lost on the way) must not reach it.
    if (q.length !== blk.m * blk.k) throw new RangeError(`block ${b}: Q holds ${q.length} floats, expected ${blk.m * blk.k}`);
    const sumBeta2 = nat.sweep(q, blk.k, blk.m, blk.first, blk.rOffset, st.residual, st.beta, st.delta, st.removed, t.logPi, params.piStride, sc.l, sc.half, c, st.rng, 4 * b, sc.counts);
    // Q β = w − r, so βᵀR̃β and ‖r‖² come from the k-vectors without another product with Q.
    const r = st.residual;
    const ro = blk.rOffset;
    let quad = 0;
    let rss = 0;
    for (let i = 0; i < blk.k; i++) {
      const ri = r[ro + i]!;
      const f = blk.w[i]! - ri;
      quad += f * f;
      rss += ri * ri;
    }
    const rng = Rng.fromState(st.rng.subarray(4 * b, 4 * b + 4));
    st.sigma2e[b] = residualVariance(blk.n, rss, blk.k, sumBeta2, quad, rng);
    st.rng.set(rng.state(), 4 * b);
    t.blockGenetic[b] = quad;
    t.blockCounts.set(sc.counts, N_COMPONENTS * b);
    if (timing) mark = markPart(SWEEP_PART.ldSweep, mark);
    // The annotation model's liabilities given this sweep's δ, on the block's stream (so in parallel).
    if (params.alpha && ann) {
      const at = b * N_LEVELS * levelStatsLength(ann.nA);
      nat.liabilities(ann.a, ann.nA, t.eta, blk.first, blk.m, st.delta, st.removed, st.rng, 4 * b, t.probitStats, at);
      if (t.blockGramValid[b] !== 1) {
        nat.gram(ann.a, ann.nA, blk.first, blk.m, st.removed, t.blockGram, b * ann.nA * ann.nA);
        t.blockGramValid[b] = 1;
      }
      if (timing) mark = markPart(SWEEP_PART.liabilities, mark);
    }
    accumulateBlock(blk, b, st, params.postBurnIn, t.snpPi, ann, t.partials, t.partialsStride, t);
    if (timing) markPart(SWEEP_PART.accumulate, mark);
  }
}

export function sweepTarget(p: SbayesProblem, st: ChainState, ws: ChainWorkspace): BlockSweepTarget {
  return {
    blocks: p.blocks,
    state: st,
    logPi: ws.logPi,
    blockGenetic: ws.blockGenetic,
    blockCounts: ws.blockCounts,
    snpPi: ws.snpPi,
    annotations: p.annotations,
    kernel: ws.kernel,
    probitStats: ws.probitStats,
    eta: ws.eta,
    blockGram: ws.blockGram,
    blockGramValid: ws.blockGramValid,
    blockMoments: ws.blockMoments,
    blockMomentsValid: ws.blockMomentsValid,
    partials: ws.partials,
    partialsStride: ws.partialsStride,
    qSpill: p.qSpill,
  };
}

/** One full sweep: st.sweep advances by one. */
export function sweep(p: SbayesProblem, st: ChainState, opts: ChainOptions, ws: ChainWorkspace): SweepReport {
  const params = prepareSweep(p, st, ws, opts);
  sweepBlocks(sweepTarget(p, st, ws), params, ws.blockOrder);
  return finishSweep(p, st, opts, ws);
}

/** After all blocks: σ²g, π or the annotation model (global stream), accumulators, guard. */
export function finishSweep(p: SbayesProblem, st: ChainState, opts: ChainOptions, ws: ChainWorkspace): SweepReport {
  let mark = timingParts() ? performance.now() : 0;
  const ann = p.annotations;
  const nB = p.blocks.length;
  ws.counts.fill(0);
  for (let b = 0; b < nB; b++) for (let k = 0; k < N_COMPONENTS; k++) ws.counts[k]! += ws.blockCounts[N_COMPONENTS * b + k]!;
  st.sigma2g = geneticVariance(ws.blockGenetic);
  const global = Rng.fromState(st.rng.subarray(4 * nB, 4 * nB + 4));
  if (mark) mark = markPart(SWEEP_PART.serial, mark);
  if (ann && ws.kernel === 'native') {
    if (!ws.gram0Valid) {
      sumBlockGrams(ws.blockGram, nB, ann.nA, ws.gram0);
      ws.gram0Valid = true;
    }
    updateAnnotationModelFromStats(ann.nA, ws.probitStats, nB, ws.gram0, st.alpha, st.sigma2Alpha, global);
  }
  else if (ann && ws.probit) updateAnnotationModel(ann, st.delta, st.removed, st.alpha, st.sigma2Alpha, global, ws.probit);
  else drawPi(ws.counts, global, st.pi);
  if (mark) mark = markPart(SWEEP_PART.annotationUpdate, mark);
  st.rng.set(global.state(), 4 * nB);
  st.sweep++;

  const sums = sweepSums(ws, nB);
  const nnz = sums[PART.kept]! - ws.counts[0]!;
  // Bounded to [0, 1]: σ²g cannot exceed the phenotype variance (variance.ts PHENOTYPE_VARIANCE).
  const h2 = heritabilityDraw(ws.blockGenetic);
  if (st.sweep > opts.burnIn) accumulate(p, st, ws, sums, h2, nnz);
  const removed = st.sweep % GUARD_EVERY === 0 ? guardOutliers(st.runningSum, st.sweep, p.bhat, st.removed, ws.guardThreshold) : [];
  for (const j of removed) {
    const b = removeSnp(p, st, j);
    // The block's kept set changed: its cached XᵀX and annotation sums are recomputed next sweep.
    ws.blockGramValid[b] = 0;
    ws.blockMomentsValid[b] = 0;
    ws.gram0Valid = false;
  }
  if (mark) markPart(SWEEP_PART.serial, mark);
  return { sweep: st.sweep, h2, nnz, removed };
}

/** The blocks' partial sums of this sweep added up in block order (one row, PART layout). */
function sweepSums(ws: ChainWorkspace, nB: number): Float64Array {
  const w = ws.partialsStride;
  const out = new Float64Array(w);
  for (let b = 0; b < nB; b++) for (let i = 0; i < w; i++) out[i]! += ws.partials[b * w + i]!;
  return out;
}

/** Adds this sweep's draws to the posterior sums (per-SNP sums were added by the blocks). */
function accumulate(p: SbayesProblem, st: ChainState, ws: ChainWorkspace, sums: Float64Array, h2: number, nnz: number): void {
  for (let k = 0; k < N_COMPONENTS; k++) {
    st.componentSum[k]! += sums[PART.count + k]!;
    st.componentSum[N_COMPONENTS + k]! += sums[PART.beta2 + k]!;
  }
  for (let b = 0; b < p.blocks.length; b++) st.sigma2eSum[b]! += st.sigma2e[b]!;
  if (p.annotations) {
    accumulateEnrichment(p.annotations.nA, sums, st, ws.binary);
    accumulateJoint(p, st, ws);
  }
  const s = st.stats;
  const draw = s[STAT.draws]!;
  s[STAT.draws]!++;
  let se = 0;
  for (let b = 0; b < p.blocks.length; b++) se += st.sigma2e[b]!;
  const varE = se / Math.max(1, p.blocks.length);
  if (st.trace.length >= TRACE_WIDTH * (draw + 1)) {
    st.trace[TRACE_WIDTH * draw] = h2;
    st.trace[TRACE_WIDTH * draw + 1] = nnz;
    st.trace[TRACE_WIDTH * draw + 2] = varE;
  }
  s[STAT.h2]! += h2;
  s[STAT.h2Sq]! += h2 * h2;
  s[STAT.nnz]! += nnz;
  s[STAT.nnzSq]! += nnz * nnz;
  // The reference's .par scalars of this draw: SigmaSq (the variance the reference's γ =
  // 0, 1e-3, 1e-2, 0.1, 1 multiply: here γ_5σ²g, the largest component's), ssq = Σβ², Var_e.
  s[STAT.parDraws]!++;
  addSquare(s, STAT.sigmaSq, STAT.sigmaSqSq, GAMMA[N_COMPONENTS - 1]! * st.sigma2g);
  let ssq = 0;
  for (let k = 0; k < N_COMPONENTS; k++) ssq += sums[PART.beta2 + k]!;
  addSquare(s, STAT.ssq, STAT.ssqSq, ssq);
  addSquare(s, STAT.varE, STAT.varESq, varE);
  for (let k = 0; k < N_COMPONENTS; k++) {
    addSquare(s, STAT.count + k, STAT.countSq + k, sums[PART.count + k]!);
    addSquare(s, STAT.share + k, STAT.shareSq + k, ssq > 0 ? sums[PART.beta2 + k]! / ssq : 0);
  }
  // π: the shared draw, or with annotations the mean over kept SNPs of π_j (from this sweep's α).
  if (p.annotations) {
    const n = sums[PART.kept]!;
    for (let k = 0; k < N_COMPONENTS; k++) {
      st.piSum[k]! += sums[PART.pi + k]! / n;
      addSquare(s, STAT.pi + k, STAT.piSq + k, sums[PART.pi + k]! / n);
    }
    for (let i = 0; i < st.alpha.length; i++) st.alphaSum[i]! += st.alpha[i]!;
  } else {
    for (let k = 0; k < N_COMPONENTS; k++) {
      st.piSum[k]! += st.pi[k]!;
      addSquare(s, STAT.pi + k, STAT.piSq + k, st.pi[k]!);
    }
  }
}

/** Adds a draw x to the sum at `at` and x² to the sum of squares at `atSq`. */
function addSquare(s: Float64Array, at: number, atSq: number, x: number): void {
  s[at]! += x;
  s[atSq]! += x * x;
}

/**
 * Per-SNP heritability enrichment of annotation t in this draw. Binary: (Σ_j a_jt β_j² / Σ_j a_jt)
 * / (Σ_j β_j² / M), the mean β² of annotated SNPs over the mean β² of all (intercept = 1).
 * Continuous: 1 + slope·SD(a_t)/(Σβ²/M), the slope of β_j² on a_jt: the relative change in
 * per-SNP h² for one SD of the annotation. Sums over kept SNPs come from the blocks (`sums`).
 */
function accumulateEnrichment(nA: number, sums: Float64Array, st: ChainState, binary: Uint8Array): void {
  const total = sums[PART.total]!;
  const m = sums[PART.kept]!;
  if (!(total > 0)) return;
  const perSnp = total / m;
  for (let t = 0; t < nA; t++) {
    const sxy = sums[PART.annot + 3 * t]!;
    const sx = sums[PART.annot + 3 * t + 1]!;
    const sxx = sums[PART.annot + 3 * t + 2]!;
    if (binary[t] === 1) {
      if (sx > 0) st.enrichmentSum[t]! += sxy / sx / perSnp;
      continue;
    }
    const varX = sxx / m - (sx / m) ** 2;
    if (!(varX > 0)) continue;
    const slope = (sxy / m - (sx / m) * perSnp) / varX;
    st.enrichmentSum[t]! += 1 + (slope * Math.sqrt(varX)) / perSnp;
  }
}

/** Columns whose values are all 0/1 (within 1e-6), as the annotation reader classifies them. */
export function binaryColumns(ann: Annotations): Uint8Array {
  const { nA, a } = ann;
  const out = new Uint8Array(nA).fill(1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (Math.abs(x) > 1e-6 && Math.abs(x - 1) > 1e-6) out[i % nA] = 0;
  }
  return out;
}

/**
 * Per annotation t, the membership probabilities of a SNP carrying only the intercept and t
 * (continuous t at +1 SD): p_c = Φ(α_0c + sd_t·α_tc), then π as from any p (SBayesRC's annoJointProb).
 */
function accumulateJoint(p: SbayesProblem, st: ChainState, ws: ChainWorkspace): void {
  const ann = p.annotations;
  if (!ann) return;
  const { nA } = ann;
  for (let t = 0; t < nA; t++) {
    let reach = 1;
    for (let c = 0; c < N_LEVELS; c++) {
      const eta = st.alpha[c * nA]! + (t === 0 ? 0 : ws.annotSd[t]! * st.alpha[c * nA + t]!);
      const pc = normalCdf(eta);
      st.jointSum[t * N_COMPONENTS + c]! += reach * (1 - pc);
      reach *= pc;
    }
    st.jointSum[t * N_COMPONENTS + N_LEVELS]! += reach;
  }
}

/** Per annotation column: 1 for binary columns, else the population SD over SNPs. */
export function annotationSd(ann: Annotations, binary: Uint8Array): Float64Array {
  const { nA, a } = ann;
  const m = a.length / nA;
  const sd = new Float64Array(nA).fill(1);
  for (let t = 0; t < nA; t++) {
    if (binary[t] === 1) continue;
    let s = 0;
    let s2 = 0;
    for (let j = 0; j < m; j++) {
      const x = a[j * nA + t]!;
      s += x;
      s2 += x * x;
    }
    sd[t] = Math.sqrt(Math.max(0, s2 / m - (s / m) ** 2));
  }
  return sd;
}

/** Take SNP j out for good: its effect leaves the residual, its draws are forgotten. Returns its block. */
function removeSnp(p: SbayesProblem, st: ChainState, j: number): number {
  const b = p.blocks.findIndex((x) => j >= x.first && j < x.first + x.m);
  const blk = p.blocks[b];
  if (!blk) throw new RangeError(`SNP ${j} is in no block`);
  const old = st.beta[j]!;
  if (old !== 0) {
    const q = p.qSpill ? readSpilledRow(p.qSpill, b, j - blk.first, blk.k) : blk.q;
    const off = p.qSpill ? 0 : (j - blk.first) * blk.k;
    for (let i = 0; i < blk.k; i++) st.residual[blk.rOffset + i]! += q[off + i]! * old;
  }
  st.beta[j] = 0;
  st.delta[j] = 0;
  st.removed[j] = 1;
  st.betaSum[j] = 0;
  st.beta2Sum[j] = 0;
  st.pipSum[j] = 0;
  return b;
}

/** Run until `stopAt` sweeps are done (default: all iterations). Returns the last report. */
export function runChain(
  p: SbayesProblem,
  st: ChainState,
  opts: ChainOptions,
  stopAt = opts.iterations,
  onSweep?: (r: SweepReport, st: ChainState) => void,
  workspace?: ChainWorkspace,
): SweepReport | null {
  const ws = workspace ?? chainWorkspace(p);
  let last: SweepReport | null = null;
  const end = Math.min(stopAt, opts.iterations);
  while (st.sweep < end) {
    last = sweep(p, st, opts, ws);
    onSweep?.(last, st);
  }
  return last;
}

/**
 * runChain for long fits in an activity: yields to the event loop at least every `yieldMs` so
 * heartbeats leave the process and cancellation arrives, and awaits whatever `onSweep` returns
 * (a checkpoint being written) before the next sweep, so a checkpoint is on disk when it is
 * reported. Draws are identical to runChain's: only the waiting differs. An aborted `signal`
 * ends it after the sweep in progress (the state is then a whole sweep's, fit to checkpoint).
 */
export async function runChainYielding(
  p: SbayesProblem,
  st: ChainState,
  opts: ChainOptions,
  stopAt: number,
  onSweep: (r: SweepReport, st: ChainState) => Promise<void> | void,
  yieldMs = 100,
  signal?: AbortSignal,
): Promise<SweepReport | null> {
  const ws = chainWorkspace(p);
  let last: SweepReport | null = null;
  let mark = performance.now();
  const end = Math.min(stopAt, opts.iterations);
  while (st.sweep < end && !signal?.aborted) {
    last = sweep(p, st, opts, ws);
    mark = await betweenSweeps(onSweep(last, st), mark, yieldMs);
  }
  return last;
}
