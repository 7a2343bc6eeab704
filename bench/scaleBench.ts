// `npm run bench -- --only scale [--quick] [--7m]`: SBayesR/SBayesRC at the size users fit —
// the HapMap3 panel's shape (591 blocks × 1,950 SNPs, k ≈ 597 at cut-off 0.995, Q ≈ 2.75 GB
// float32) with 96 annotations + intercept — through `pgsflow fit`'s own code (fitOnFiles) on
// files written to disk, each mode in its own process so its peak RSS (VmHWM) is its own.
// Side by side in the same run: a streaming-read probe of memory bandwidth over a buffer the
// size of Q (one and two threads), which gives the bound a sweep cannot beat: it reads every
// SNP's row of Q once. `--7m` adds the 7-million-SNP panel streamed from disk (writes ~17 GB).
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Rng } from '../core/numeric/random/rng.js';
import { fitOnFiles } from '../core/sbayesrc/fitFiles.js';
import { SBAYES_ADDON_FILE, loadSweepKernel } from '../core/sbayesrc/nativeKernel.js';
import { SWEEP_PART, SWEEP_PART_COUNT, timeSweepParts } from '../core/sbayesrc/sweepPartTimes.js';
import { writeSyntheticLd } from './syntheticLd.js';
import { type BenchRow, peakRss } from './timing.js';

type Mode = 'sbayesr' | 'sbayesr-stream' | 'sbayesrc' | 'sbayesrc-stream' | 'sbayesrc-split';
const N_ANNOT = 96;
/** Sweeps before steady-state timing starts (index into the per-sweep time stamps). */
const STEADY_FROM = 3;
const SEED = 1;

interface Shape {
  blocks: number;
  m: number;
  kTarget: number;
}
const HAPMAP3: Shape = { blocks: 591, m: 1950, kTarget: 600 };
const QUICK: Shape = { blocks: 60, m: 1950, kTarget: 600 };
/** ~7 million SNPs in blocks of the same shape. */
const SEVEN_M: Shape = { blocks: 3590, m: 1950, kTarget: 600 };

interface ChildResult {
  mode: Mode;
  threads: number;
  startBytes: number;
  peakBytes: number;
  qBytes: number;
  sweepsPerSecond: number;
  /** Seconds per sweep from the 4th sweep on (the first ones build per-block caches once per fit). */
  steadySeconds: number;
  /** Milliseconds per sweep by part (split mode, one thread). */
  parts: number[] | null;
}

/**
 * SNP, intercept, then 96 columns shaped like the baseline-LD model's: 70 binary with
 * prevalence 0.5 %–50 % (log-spaced), 26 continuous (3 decimals).
 */
export async function writeAnnotations(path: string, nSnps: number, seed: number): Promise<void> {
  const rng = Rng.stream(seed, 3);
  const nBinary = 70;
  const prevalence = Float64Array.from({ length: nBinary }, (_, t) => 0.005 * 100 ** (t / (nBinary - 1)));
  const out = createWriteStream(path);
  const header = ['SNP', 'Intercept', ...Array.from({ length: N_ANNOT }, (_, t) => (t < nBinary ? `bin${t + 1}` : `cont${t - nBinary + 1}`))];
  let chunk = `${header.join('\t')}\n`;
  for (let j = 0; j < nSnps; j++) {
    let line = `rs${j + 1}\t1`;
    for (let t = 0; t < N_ANNOT; t++) line += t < nBinary ? (rng.uniform() < prevalence[t]! ? '\t1' : '\t0') : `\t${rng.normal().toFixed(3)}`;
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function child(mode: Mode, threads: number, dir: string, iterations: number): Promise<void> {
  const startBytes = peakRss();
  const annotated = mode.startsWith('sbayesrc');
  const parts = mode === 'sbayesrc-split' ? timeSweepParts(true) : null;
  const stamps: number[] = [];
  let partsAtSteady: Float64Array | null = null;
  const fit = await fitOnFiles({
    sumstats: join(dir, 'gwas.ma'),
    ld: join(dir, 'ld'),
    out: join(dir, `fit-${mode}-${threads}`),
    iterations,
    burnIn: Math.floor(iterations / 2),
    seed: SEED,
    threads,
    checkpointEvery: 0,
    ldMemory: mode.endsWith('-stream') ? 'stream' : 'resident',
    ...(annotated ? { annot: join(dir, 'annot.txt') } : {}),
  }, () => {
    stamps.push(performance.now());
    if (stamps.length === STEADY_FROM + 1 && parts) partsAtSteady = Float64Array.from(parts);
  });
  const s = fit.summary!;
  const out: ChildResult = {
    mode,
    threads,
    startBytes,
    peakBytes: peakRss(),
    qBytes: s.ldMemory!.qBytes,
    sweepsPerSecond: s.sweepsPerSecond,
    steadySeconds: (stamps[stamps.length - 1]! - stamps[STEADY_FROM]!) / 1000 / (stamps.length - 1 - STEADY_FROM),
    parts: parts && partsAtSteady ? Array.from(parts, (ms, i) => (ms - partsAtSteady![i]!) / (stamps.length - 1 - STEADY_FROM)) : null,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** GB/s of a streaming read over `bytes` of float32 on 1 and 2 threads (best of 3 each). */
async function bandwidthProbe(bytes: number): Promise<{ one: number; two: number }> {
  const addon = loadSweepKernel().addon;
  if (!addon) throw new Error('scale bench: the native kernel is needed for the bandwidth probe (npm run build:native)');
  const x = new Float32Array(new SharedArrayBuffer(Math.floor(bytes / 4) * 4));
  x.fill(1); // touch every page before timing
  const half = Math.floor(x.length / 2);
  const time = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return (performance.now() - t0) / 1000;
  };
  let one = Infinity;
  for (let r = 0; r < 3; r++) one = Math.min(one, time(() => addon.streamSum(x)));
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); const a = require(${JSON.stringify(SBAYES_ADDON_FILE)});
     parentPort.on('message', (v) => { a.streamSum(v); parentPort.postMessage(0); });`,
    { eval: true },
  );
  try {
    let two = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const other = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage(x.subarray(half));
      addon.streamSum(x.subarray(0, half));
      await other;
      two = Math.min(two, (performance.now() - t0) / 1000);
    }
    return { one: x.byteLength / one / 1e9, two: x.byteLength / two / 1e9 };
  } finally {
    await worker.terminate();
  }
}

function runChild(mode: Mode, threads: number, dir: string, iterations: number): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, String(threads), dir, String(iterations)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scale child ${mode} ×${threads} exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const GB = 1e9;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

async function writePanel(dir: string, shape: Shape, withAnnotations: boolean): Promise<void> {
  const t0 = performance.now();
  await writeSyntheticLd(dir, { ...shape, seed: 17 });
  if (withAnnotations) await writeAnnotations(join(dir, 'annot.txt'), shape.blocks * shape.m, 17);
  console.log(`scale: synthetic panel ${shape.blocks} blocks × ${shape.m} SNPs (${(shape.blocks * shape.m).toLocaleString('en')} SNPs)${withAnnotations ? ` + ${N_ANNOT} annotations` : ''} written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

export async function scaleBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const shape = quick ? QUICK : HAPMAP3;
  const iterations = quick ? 12 : 30;
  const hm3 = join(dir, 'hm3');
  // --7m-only: the 7 M-SNP row alone (its bound from a probe the HapMap3 Q's size).
  const hm3Modes: [Mode, number][] = process.argv.includes('--7m-only') ? [] : [['sbayesr', 2], ['sbayesrc', 2], ['sbayesrc-stream', 2], ['sbayesrc-split', 1]];
  if (hm3Modes.length > 0) await writePanel(hm3, shape, true);
  const rows: BenchRow[] = [];
  const results: ChildResult[] = [];
  const label = `${quick ? 'quick: ' : ''}${(shape.blocks * shape.m / 1e6).toFixed(2)} M SNPs`;
  for (const [mode, threads] of hm3Modes) {
    const before = load();
    const r = runChild(mode, threads, hm3, iterations);
    results.push(r);
    console.log(
      `  ${mode.padEnd(16)} ${threads} thread(s): ${(1000 * r.steadySeconds).toFixed(0)} ms/sweep (${(1000 / r.sweepsPerSecond).toFixed(0)} over all sweeps), peak RSS ${(r.peakBytes / GB).toFixed(2)} GB ` +
        `(${(r.startBytes / GB).toFixed(2)} before the fit), Q ${(r.qBytes / GB).toFixed(2)} GB; load before ${before}`,
    );
  }
  const qBytes = results[0]?.qBytes ?? 4 * shape.blocks * shape.m * 597;
  const bw = await bandwidthProbe(qBytes);
  const bound = qBytes / (bw.two * GB);
  console.log(`  bandwidth probe over ${(qBytes / GB).toFixed(2)} GB: ${bw.one.toFixed(1)} GB/s on 1 thread, ${bw.two.toFixed(1)} GB/s on 2 → bound ${(bound * 1000).toFixed(0)} ms per sweep (load ${load()})`);
  const split = results.find((r) => r.mode === 'sbayesrc-split')?.parts;
  if (split) {
    const names = Object.keys(SWEEP_PART) as (keyof typeof SWEEP_PART)[];
    const total = split.reduce((a, b) => a + b, 0);
    console.log(`  SBayesRC × ${N_ANNOT}, 1 thread, ms per sweep: ${names.map((n) => `${n} ${split[SWEEP_PART[n]]!.toFixed(0)}`).join(', ')} (total ${total.toFixed(0)}; ${SWEEP_PART_COUNT} parts)`);
  }
  for (const r of results) {
    const perSweep = r.steadySeconds;
    rows.push({
      name: `${r.mode.startsWith('sbayesrc') ? `SBayesRC × ${N_ANNOT}` : 'SBayesR'}${r.mode.endsWith('stream') ? ' --ld-memory stream' : ''}, ${label}, ${r.threads} thread(s), s per sweep (peak RSS ${(r.peakBytes / GB).toFixed(2)} GB)`,
      ours: perSweep,
      peer: bound,
      peerName: `Q bytes ÷ 2-thread read bandwidth (${bw.two.toFixed(1)} GB/s)`,
      goal: r.mode === 'sbayesrc' ? '≤ 2, ≤ 5 GB' : r.mode === 'sbayesrc-stream' ? '≤ 1.5 GB' : 'report',
    });
  }
  if (process.argv.includes('--7m') || process.argv.includes('--7m-only')) {
    const seven = join(dir, 'seven');
    await writePanel(seven, SEVEN_M, false);
    const r = runChild('sbayesr-stream', 2, seven, 6);
    console.log(`  7 M SNPs --ld-memory stream (SBayesR), 2 threads: ${r.steadySeconds.toFixed(1)} s/sweep, peak RSS ${(r.peakBytes / GB).toFixed(2)} GB, Q ${(r.qBytes / GB).toFixed(1)} GB`);
    rows.push({ name: `SBayesR 7 M SNPs, streamed, 2 threads, s per sweep (peak RSS ${(r.peakBytes / GB).toFixed(2)} GB)`, ours: r.steadySeconds, peer: r.qBytes / (bw.two * GB), peerName: 'Q bytes ÷ read bandwidth', goal: '≤ 3 GB' });
  }
  return rows;
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [mode, threads, dir, iterations] = process.argv.slice(childAt + 1);
  await child(mode as Mode, Number(threads), dir!, Number(iterations));
}
