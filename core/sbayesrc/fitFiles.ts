// `pgsflow fit` on files: summary statistics (covering every panel SNP, as `pgsflow impute`
// writes them) + SBayesRC LD folder [+ annotations] → PREFIX.txt, PREFIX.par, PREFIX.json and
// the PGS Catalog scoring file PREFIX.pgs.txt.
// The chain is checkpointed to PREFIX.ckpt every `checkpointEvery` sweeps (temp file +
// rename); a run that finds a valid checkpoint of the same inputs and settings resumes from it.
// Memory (ldSource.ts): eigen blocks are read one at a time and dropped once their Q is built.
// `resident` holds every block's Q (float32 m·k), 4·Σ m_b k_b bytes, built on shared memory
// when threads sweep it (no second copy); the WebAssembly fallback kernel still copies each
// thread's blocks into its own memory. `stream` writes Q once to PREFIX.q and each thread reads
// the block it sweeps into one reusable buffer: Q then takes 4·max m_b k_b per thread, and the
// peak no longer grows with the panel — besides per-SNP arrays, one eigen block + one Q block
// while building, plus eigen buffers V8 has not yet collected (measured in BENCHMARKS.md
// "LD memory": 177 MB against 322 MB resident and 408 MB before, for 143 MB of Q). `auto` takes resident
// when all Q fits in half the free memory (capped by a cgroup limit: memoryBudget.ts). --tune
// holds every eigen block while it scores the cut-offs when resident; streamed, it reads them
// again per cut-off and spills the Q it scores. A cancelled fit (AbortSignal) checkpoints every
// chain at the sweep it reached; `resumeFrom` adopts an interrupted run's checkpoints.
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadInputError, CheckpointError } from '../errors.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { alignToPanel } from '../alleles/alignToPanel.js';
import { readAnnotationMatrix } from '../formats/annotationMatrix.js';
import { readEigenBlock, readLdFolder } from '../formats/ldFolder.js';
import { truncateEigen } from '../ld/eigenCutoff.js';
import { readSumstats } from '../formats/sumstats.js';
import type { EigenBlock } from '../formats/types.js';
import { buildLowRankBlocks, chooseLdMemory, eigenRanks, qBytesOf } from './ldSource.js';
import { availableMemory } from './memoryBudget.js';
import { STAT, TRACE_WIDTH, initChain, type ChainState } from './chainState.js';
import { dataSize, dataSizeWarnings } from './dataSize.js';
import { chainDiagnostics, chainSeed, poolChains } from './multiChain.js';
import { checkpoint, restore } from './checkpoint.js';
import { effectsText, parText, pgsCatalogText, summaryJson } from './outputs.js';
import { posteriorSummary } from './posterior.js';
import type { Annotations } from './probit.js';
import { assembleProblem } from './problem.js';
import { chooseSweepKernel } from './nativeKernel.js';
import { prestartBlockWorkers } from './blockWorkerPool.js';
import { runChainParallel, runChainsParallel } from './parallelChain.js';
import { releaseSweepMemory, runChainYielding, type SweepReport } from './sampler.js';
import { blockSampleSize, standardise } from './standardise.js';
import { tuneCutoff } from './tuneCutoff.js';
import type { FitSummaryJson, TuneResult, FitRequest, CheckpointWritten } from '../../contracts/fit.js';
import { LD_MEMORY_REQUESTS, type LdMemoryRequest } from '../../contracts/fit.js';

export const DEFAULT_FIT = { iterations: 3000, burnIn: 1000, cutoff: 0.995, seed: 1, checkpointEvery: 100 } as const;

export interface FitResult {
  summary: FitSummaryJson | null;
  /** Stopped by the abort signal; every chain's state is checkpointed at the sweep it reached. */
  cancelled?: boolean;
  /** Sweeps completed over all chains (chains × iterations when finished). */
  sweep: number;
  files: ReturnType<typeof fitFiles>;
}

export const fitFiles = (out: string) => ({ txt: `${out}.txt`, par: `${out}.par`, json: `${out}.json`, pgs: `${out}.pgs.txt`, checkpoint: `${out}.ckpt` });

/** Out-of-core Q (stream mode), removed when the fit ends. */
export const qSpillPath = (out: string): string => `${out}.q`;

/** Out-of-core Q of the cut-off being scored by `--tune` in stream mode. */
const tuneSpillPath = (out: string): string => `${out}.tune.q`;

const FINGERPRINT_BYTES = 32;

const chainCheckpointPath = (out: string, c: number): string => `${out}.chain${c}.ckpt`;

/**
 * Fit on files. An aborted `signal` (activity cancellation, worker shutdown, Ctrl-C) stops the
 * chains after the sweep in progress and checkpoints each at that sweep, so a later run with the
 * same request continues exactly there; the result then has `cancelled` and no summary.
 */
export async function fitOnFiles(
  req: FitRequest,
  onProgress?: (r: SweepReport, chain: number) => void,
  onCheckpoint?: (c: CheckpointWritten) => void,
  signal?: AbortSignal,
): Promise<FitResult> {
  const started = performance.now();
  const iterations = req.iterations ?? DEFAULT_FIT.iterations;
  const burnIn = req.burnIn ?? DEFAULT_FIT.burnIn;
  const cutoff = req.cutoff ?? DEFAULT_FIT.cutoff;
  const seed = req.seed ?? DEFAULT_FIT.seed;
  const every = req.checkpointEvery ?? DEFAULT_FIT.checkpointEvery;
  const chains = req.chains ?? 1;
  if (!(Number.isInteger(req.threads ?? 1) && (req.threads ?? 1) >= 1)) throw new BadInputError(req.out, `threads must be a positive integer, got ${req.threads}`);
  if (!(Number.isInteger(chains) && chains >= 1)) throw new BadInputError(req.out, `chains must be a positive integer, got ${chains}`);
  if (!(Number.isInteger(iterations) && Number.isInteger(burnIn) && burnIn >= 0 && iterations > burnIn)) {
    throw new BadInputError(req.out, `iterations (${iterations}) must be an integer above burn-in (${burnIn})`);
  }
  if (!(cutoff > 0 && cutoff <= 1)) throw new BadInputError(req.ld, `eigen cut-off must be in (0, 1], got ${cutoff}`);
  const ldMemory = req.ldMemory ?? 'auto';
  if (!LD_MEMORY_REQUESTS.includes(ldMemory)) throw new BadInputError(req.out, `ldMemory must be one of ${LD_MEMORY_REQUESTS.join(', ')}, got ${ldMemory}`);
  const files = fitFiles(req.out);
  const spillPath = qSpillPath(req.out);
  try {
    return await fitWithSpill(req, { iterations, burnIn, cutoff, seed, every, chains, ldMemory, files, spillPath, started }, onProgress, onCheckpoint, signal);
  } finally {
    releaseSweepMemory(); // this thread's kernel copies of the fit's Q
    await rm(spillPath, { force: true });
    await rm(tuneSpillPath(req.out), { force: true });
  }
}

/** One chain of a fit: its state, checkpoint file and how far this run takes it. */
interface ChainRun {
  st: ChainState;
  path: string;
  fingerprint: Uint8Array;
  stopAt: number;
  firstSweep: number;
  onSweep: (r: SweepReport, s: ChainState) => Promise<void> | undefined;
  /** Settles when every checkpoint write started so far is on disk. */
  written: () => Promise<void>;
}

interface FitSettings {
  iterations: number;
  burnIn: number;
  cutoff: number;
  seed: number;
  every: number;
  chains: number;
  ldMemory: LdMemoryRequest;
  files: ReturnType<typeof fitFiles>;
  spillPath: string;
  started: number;
}

async function fitWithSpill(
  req: FitRequest,
  { iterations, burnIn, cutoff, seed, every, chains, ldMemory, files, spillPath, started }: FitSettings,
  onProgress?: (r: SweepReport, chain: number) => void,
  onCheckpoint?: (c: CheckpointWritten) => void,
  signal?: AbortSignal,
): Promise<FitResult> {
  // Block worker threads load (~0.2 s, once per process) while the panel is read.
  // A worker that fails to load is reported when the chain starts it.
  if ((req.threads ?? 1) > 1) prestartBlockWorkers(req.threads! - 1).catch(() => undefined);
  const panel = await readLdFolder(req.ld);
  const stats = await readSumstats(req.sumstats);
  const align = alignToPanel(stats, panel.snps, join(req.ld, 'snp.info'));
  const nSnps = panel.snps.id.length;
  const b = new Float64Array(nSnps);
  const se = new Float64Array(nSnps);
  const n = new Float64Array(nSnps);
  let missing = 0;
  for (let j = 0; j < nSnps; j++) {
    const row = align.row[j]!;
    if (row < 0) {
      missing++;
      continue;
    }
    b[j] = align.swapped[j] === 1 ? -stats.b[row]! : stats.b[row]!;
    se[j] = stats.se[row]!;
    n[j] = stats.n[row]!;
  }
  if (missing > 0) {
    throw new BadInputError(req.sumstats, `${missing} of ${nSnps} LD panel SNPs have no usable summary statistics; run \`pgsflow impute\` first so every panel SNP is covered`);
  }
  const { scale, bhat } = standardise(b, se, n);
  // Before Q is built, so the reader's transient index is gone by the time Q is the peak.
  const { annotations, names, binary } = req.annot ? await annotationMatrix(req.annot, panel.snps.id) : { annotations: null, names: [], binary: [] };

  const info = panel.info;
  const threads = Math.min(req.threads ?? 1, info.block.length); // a thread needs a block
  const nBlocks = info.block.length;
  const start = Array.from({ length: nBlocks }, (_, i) => info.startIdx[i]!);
  const end = Array.from({ length: nBlocks }, (_, i) => info.endIdx[i]! + 1);
  const readEigen = (i: number): Promise<EigenBlock> => readEigenBlock(panel.eigenFiles[i]!, end[i]! - start[i]!);
  const available = ldMemory === 'auto' ? availableMemory() : null;
  // Tuning scores every cut-off on all blocks. Resident, it holds every eigen block (read once)
  // beside Q at the grid's top cut-off; streamed, it reads each block again per cut-off and
  // spills Q, so it needs no more memory than the streamed fit.
  let eigens: (EigenBlock | null)[] | null = null;
  let tuning: TuneResult | null = null;
  if (req.tune) {
    const sizes = start.map((s, i) => end[i]! - s);
    const topQ = qBytesOf(sizes, await eigenRanks(panel.eigenFiles, Math.max(...req.tune)));
    const eigenBytes = (await Promise.all(panel.eigenFiles.map((f) => stat(f)))).reduce((a, st) => a + st.size, 0);
    const tuneMode = chooseLdMemory(ldMemory, topQ + eigenBytes, available ?? undefined);
    if (tuneMode === 'resident') {
      eigens = [];
      for (let i = 0; i < nBlocks; i++) eigens.push(await readEigen(i));
    }
    const held = eigens;
    tuning = await tuneCutoff(
      { count: nBlocks, eigenAt: async (i) => held?.[i] ?? (await readEigen(i)), files: panel.eigenFiles, start, end, mode: tuneMode, spillPath: tuneSpillPath(req.out) },
      bhat,
      n,
      seed,
      req.tune,
    );
  }
  const chosen = tuning ? tuning.cutoff : cutoff;
  const ks = eigens ? eigens.map((e, i) => truncateEigen(e!, chosen, panel.eigenFiles[i]!).k) : await eigenRanks(panel.eigenFiles, chosen);
  const mode = chooseLdMemory(ldMemory, qBytesOf(start.map((s, i) => end[i]! - s), ks), available ?? undefined);
  const built = await buildLowRankBlocks({
    count: nBlocks,
    eigenAt: async (i) => {
      const held = eigens?.[i];
      if (eigens) eigens[i] = null; // dropped once its Q is built
      return truncateEigen(held ?? (await readEigen(i)), chosen, panel.eigenFiles[i]!);
    },
    start,
    end,
    bhat,
    blockN: (first, last) => blockSampleSize(n, first, last),
    mode,
    shared: threads > 1,
    spillPath,
  });
  eigens = null;
  const blocks = built.blocks;
  const problem = assembleProblem(blocks, bhat, annotations, built.spill);
  const opts = { iterations, burnIn };

  const states: ChainState[] = [];
  let resumedFrom: number | null = null;
  let swept = 0;
  const sweepStart = performance.now();
  const kernel = chooseSweepKernel();
  const runs: ChainRun[] = [];
  for (let c = 0; c < chains; c++) {
    const stopAt = Math.min(iterations, Math.max(0, (req.stopAfter ?? Infinity) - c * iterations));
    const cSeed = chainSeed(seed, c);
    const path = c === 0 ? files.checkpoint : chainCheckpointPath(req.out, c);
    // A checkpoint resumes only on the kernel that wrote it (kernels differ in the last bits);
    // the WebAssembly kernel keeps the fingerprint it had before the native one existed.
    const settings = { iterations, burnIn, cutoff: chosen, seed: cSeed };
    const fingerprint = fingerprintOf(bhat, n, annotations, kernel === 'wasm' ? settings : { ...settings, kernel });
    const resumed = (await loadCheckpoint(path, fingerprint, nSnps)) ?? (req.resumeFrom !== undefined ? await adoptCheckpoint(c === 0 ? fitFiles(req.resumeFrom).checkpoint : chainCheckpointPath(req.resumeFrom, c), path, fingerprint, nSnps) : null);
    if (resumed) resumedFrom = (resumedFrom ?? 0) + resumed.sweep;
    const st = resumed ?? initChain(problem, cSeed, iterations - burnIn);
    let pending: Promise<void> = Promise.resolve();
    // Returns the checkpoint write when one was started, so the chain loop waits for it.
    const onSweep = (r: SweepReport, s: ChainState): Promise<void> | undefined => {
      onProgress?.(r, c);
      if (every > 0 && r.sweep % every === 0 && r.sweep < iterations) {
        const bytes = withFingerprint(fingerprint, checkpoint(s));
        const info: CheckpointWritten = { chain: c, sweep: r.sweep, path, sha256: createHash('sha256').update(bytes).digest('hex') };
        pending = pending.then(async () => {
          await writeFileAtomic(path, bytes);
          onCheckpoint?.(info);
        });
        return pending;
      }
      return undefined;
    };
    runs.push({ st, path, fingerprint, stopAt, firstSweep: st.sweep, onSweep, written: () => pending });
  }
  // With threads, the chains sweep in lockstep, their blocks shared out together (each chain's
  // numbers are those of running it alone); on one thread they run one after another.
  const lockstep = threads > 1 && chains > 1;
  if (lockstep) {
    const todo = runs.filter((r) => r.st.sweep < r.stopAt);
    if (todo.length > 0) {
      await runChainsParallel(problem, todo.map((r) => r.st), opts, threads, todo.map((r) => r.stopAt), (rep, s, i) => todo[i]!.onSweep(rep, s), undefined, signal);
    }
  }
  const checkpointNow = async (run: ChainRun, c: number): Promise<void> => {
    await run.written();
    const bytes = withFingerprint(run.fingerprint, checkpoint(run.st));
    await writeFileAtomic(run.path, bytes);
    onCheckpoint?.({ chain: c, sweep: run.st.sweep, path: run.path, sha256: createHash('sha256').update(bytes).digest('hex') });
  };
  for (const [c, run] of runs.entries()) {
    const { st, path, fingerprint, stopAt } = run;
    if (!lockstep && !signal?.aborted) {
      if (threads > 1 && st.sweep < stopAt) await runChainParallel(problem, st, opts, threads, stopAt, run.onSweep, undefined, signal);
      else await runChainYielding(problem, st, opts, stopAt, run.onSweep, undefined, signal);
    }
    if (signal?.aborted && st.sweep < iterations) {
      // Every chain that moved in this run is kept at the sweep it reached: this one and, in
      // lockstep, the others; chains finished before it are on disk already unless checkpoints are off.
      for (const [d, other] of runs.entries()) if (other.st.sweep > other.firstSweep && (d >= c || every === 0)) await checkpointNow(other, d);
      return { summary: null, cancelled: true, sweep: runs.reduce((a, r, d) => a + (d < c ? iterations : r.st.sweep), 0), files };
    }
    await run.written();
    swept += st.sweep - run.firstSweep;
    // A finished chain is checkpointed too, so a later chain's crash does not cost it again.
    if (every > 0 || st.sweep < iterations) await writeFileAtomic(path, withFingerprint(fingerprint, checkpoint(st)));
    if (st.sweep < iterations) return { summary: null, sweep: c * iterations + st.sweep, files };
    states.push(st);
  }
  const sweepSeconds = (performance.now() - sweepStart) / 1000;
  const st = chains > 1 ? poolChains(states) : states[0]!;
  const diagnostics = chains > 1 ? chainDiagnostics(states) : null;

  const post = posteriorSummary(st);
  const h2Range = keptH2Range(states);
  const warnings = dataSizeWarnings(dataSize(blocks, n), h2Range?.max ?? null);
  const summary: FitSummaryJson = {
    method: annotations ? 'SBayesRC' : 'SBayesR',
    snps: nSnps,
    blocks: blocks.length,
    iterations,
    burnIn,
    seed,
    cutoff: chosen,
    tuning,
    draws: post.draws,
    h2: post.h2,
    ...(h2Range && { h2Range }),
    nnz: post.nnz,
    pi: post.pi,
    annotations: names,
    enrichment: post.enrichment,
    jointProbabilities: post.jointProbabilities,
    componentCount: post.componentCount,
    componentVarianceShare: post.componentVarianceShare,
    sigma2e: post.sigma2e,
    alpha: annotations ? Array.from({ length: post.alpha.length / annotations.nA }, (_, c) => post.alpha.slice(c * annotations.nA, (c + 1) * annotations.nA)) : [],
    removedSnps: post.removed.map((j) => panel.snps.id[j]!),
    convergence: diagnostics,
    resumedFromSweep: resumedFrom,
    seconds: (performance.now() - started) / 1000,
    sweepsPerSecond: swept / Math.max(sweepSeconds, 1e-9),
    sweepKernel: kernel,
    ldMemory: { requested: ldMemory, mode, qBytes: built.qBytes, ...(available !== null && { availableBytes: available }) },
    warnings,
  };
  await writeFileAtomic(files.txt, effectsText({ id: panel.snps.id, a1: panel.snps.a1, scale }, post));
  await writeFileAtomic(files.par, parText(post, names, binary));
  const snps = panel.snps;
  await writeFileAtomic(files.pgs, pgsCatalogText({ id: snps.id, a1: snps.a1, a2: snps.a2, chrom: snps.chrom, pos: snps.physPos, scale }, post, summary.method));
  await writeFileAtomic(files.json, summaryJson(summary));
  if (!req.keepFinalCheckpoint) await removeFitCheckpoints(req.out);
  return { summary, sweep: chains * iterations, files };
}

/** Smallest and largest kept h² draw over the chains' traces (null when no trace was kept). */
function keptH2Range(states: readonly ChainState[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const st of states) {
    const draws = Math.min(st.trace.length / TRACE_WIDTH, st.stats[STAT.draws]!);
    for (let d = 0; d < draws; d++) {
      const h = st.trace[d * TRACE_WIDTH]!;
      min = Math.min(min, h);
      max = Math.max(max, h);
    }
  }
  return min <= max ? { min, max } : null;
}

/** Remove a fit's checkpoints (PREFIX.ckpt and every PREFIX.chainN.ckpt). */
export async function removeFitCheckpoints(out: string): Promise<void> {
  await rm(fitFiles(out).checkpoint, { force: true });
  const stem = `${basename(out)}.chain`;
  const isChainFile = (name: string): boolean => name.startsWith(stem) && name.endsWith('.ckpt') && /^\d+$/.test(name.slice(stem.length, -'.ckpt'.length));
  let names: string[];
  try {
    names = await readdir(dirname(out));
  } catch {
    return;
  }
  for (const name of names) if (isChainFile(name)) await rm(join(dirname(out), name), { force: true });
}

/** Annotations in panel order, SNP-major float32 on shared memory; panel SNPs absent from the file get 0 (intercept 1). */
async function annotationMatrix(path: string, panelIds: readonly string[]): Promise<{ annotations: Annotations; names: string[]; binary: boolean[] }> {
  const m = await readAnnotationMatrix(path, panelIds);
  return { annotations: { nA: m.nA, a: m.a }, names: m.names, binary: m.binary };
}

/** Identifies the inputs and settings a checkpoint belongs to, so a stale one is never resumed. */
function fingerprintOf(bhat: Float64Array, n: Float64Array, ann: Annotations | null, settings: object): Uint8Array {
  const h = createHash('sha256');
  h.update(JSON.stringify(settings));
  h.update(new Uint8Array(bhat.buffer, bhat.byteOffset, bhat.byteLength));
  h.update(new Uint8Array(n.buffer, n.byteOffset, n.byteLength));
  if (ann) h.update(new Uint8Array(ann.a.buffer, ann.a.byteOffset, ann.a.byteLength));
  return h.digest();
}

function withFingerprint(fp: Uint8Array, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(FINGERPRINT_BYTES + bytes.length);
  out.set(fp, 0);
  out.set(bytes, FINGERPRINT_BYTES);
  return out;
}

/** The checkpoint if it exists, is intact and belongs to these inputs; otherwise null (start afresh). */
/** An earlier run's checkpoint of this chain, if it matches: copied to `path`, then loaded. */
async function adoptCheckpoint(from: string, path: string, fp: Uint8Array, nSnps: number): Promise<ChainState | null> {
  const st = await loadCheckpoint(from, fp, nSnps);
  if (st === null) return null;
  await writeFileAtomic(path, await readFile(from));
  return st;
}

async function loadCheckpoint(path: string, fp: Uint8Array, nSnps: number): Promise<ChainState | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  if (bytes.length < FINGERPRINT_BYTES || !Buffer.from(bytes.subarray(0, FINGERPRINT_BYTES)).equals(Buffer.from(fp))) return null;
  try {
    const st = restore(bytes.subarray(FINGERPRINT_BYTES));
    return st.beta.length === nSnps ? st : null;
  } catch (e) {
    if (e instanceof CheckpointError) return null;
    throw e;
  }
}
