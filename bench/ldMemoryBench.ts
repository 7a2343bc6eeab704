// `npm run bench -- --only ldmemory`: peak memory and speed of `pgsflow fit` on one synthetic
// panel with Q held the old way (every eigen block read, then every Q built, then copied to
// shared memory for threads), resident (streamed construction) and stream (out of core, Q read
// back from PREFIX.q each sweep). Each fit runs in its own process so VmHWM is that mode's peak.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignToPanel } from '../core/alleles/alignToPanel.js';
import { readEigenBlock, readLdFolder } from '../core/formats/ldFolder.js';
import { truncateEigen } from '../core/ld/eigenCutoff.js';
import { readSumstats } from '../core/formats/sumstats.js';
import { initChain } from '../core/sbayesrc/chainState.js';
import { fitOnFiles } from '../core/sbayesrc/fitFiles.js';
import { lowRankBlock } from '../core/sbayesrc/lowRank.js';
import { runChainParallel } from '../core/sbayesrc/parallelChain.js';
import { assembleProblem } from '../core/sbayesrc/problem.js';
import { runChainYielding } from '../core/sbayesrc/sampler.js';
import { blockSampleSize, standardise } from '../core/sbayesrc/standardise.js';
import { writeSyntheticLd } from './syntheticLd.js';
import { peakRss } from './timing.js';

type Mode = 'old' | 'resident' | 'stream' | 'tune-resident' | 'tune-stream';
const MODES: readonly Mode[] = ['old', 'resident', 'stream'];
/** `--tune` rows (one thread): resident holds every eigen block while scoring, as every mode did before; stream reads them per cut-off. */
const TUNE_MODES: readonly Mode[] = ['tune-resident', 'tune-stream'];
const TUNE_GRID = [0.995, 0.99];
const ITERATIONS = 300;
const BURN_IN = 100;
const SEED = 1;

interface ChildResult {
  mode: Mode;
  threads: number;
  /** Peak RSS before the fit (Node, tsx and the modules): the part no mode changes. */
  startBytes: number;
  peakBytes: number;
  qBytes: number;
  sweepsPerSecond: number;
}

/** The fit as it was before streaming: all eigen blocks, then all Q while they are alive. */
async function oldFit(ld: string, sumstats: string, threads: number): Promise<{ qBytes: number; sweepsPerSecond: number }> {
  const panel = await readLdFolder(ld);
  const stats = await readSumstats(sumstats);
  const align = alignToPanel(stats, panel.snps, join(ld, 'snp.info'));
  const nSnps = panel.snps.id.length;
  const b = Float64Array.from({ length: nSnps }, (_, j) => (align.swapped[j] === 1 ? -1 : 1) * stats.b[align.row[j]!]!);
  const se = Float64Array.from({ length: nSnps }, (_, j) => stats.se[align.row[j]!]!);
  const n = Float64Array.from({ length: nSnps }, (_, j) => stats.n[align.row[j]!]!);
  const { bhat } = standardise(b, se, n);
  const info = panel.info;
  const eigens = [];
  for (let i = 0; i < info.block.length; i++) {
    const file = panel.eigenFiles[i]!;
    eigens.push(truncateEigen(await readEigenBlock(file, info.endIdx[i]! - info.startIdx[i]! + 1), 0.995, file));
  }
  const blocks = eigens.map((e, i) => {
    const first = info.startIdx[i]!;
    const end = info.endIdx[i]! + 1;
    return lowRankBlock(e, bhat.subarray(first, end), blockSampleSize(n, first, end));
  });
  const problem = assembleProblem(blocks, bhat, null);
  const st = initChain(problem, SEED, ITERATIONS - BURN_IN);
  const opts = { iterations: ITERATIONS, burnIn: BURN_IN };
  const t0 = performance.now();
  if (threads > 1) await runChainParallel(problem, st, opts, threads);
  else await runChainYielding(problem, st, opts, ITERATIONS, () => undefined);
  const seconds = (performance.now() - t0) / 1000;
  return { qBytes: blocks.reduce((a, x) => a + x.q.byteLength, 0), sweepsPerSecond: ITERATIONS / seconds };
}

async function child(mode: Mode, threads: number, dir: string): Promise<void> {
  const startBytes = peakRss();
  const ld = join(dir, 'ld');
  const sumstats = join(dir, 'gwas.ma');
  let r: { qBytes: number; sweepsPerSecond: number };
  if (mode === 'old') r = await oldFit(ld, sumstats, threads);
  else {
    const tune = mode.startsWith('tune-');
    const ldMemory = (tune ? mode.slice('tune-'.length) : mode) as 'resident' | 'stream';
    const fit = await fitOnFiles({ sumstats, ld, out: join(dir, `fit-${mode}-${threads}`), iterations: ITERATIONS, burnIn: BURN_IN, seed: SEED, threads, checkpointEvery: 0, ldMemory, ...(tune ? { tune: TUNE_GRID } : {}) });
    const s = fit.summary!;
    r = { qBytes: s.ldMemory!.qBytes, sweepsPerSecond: s.sweepsPerSecond };
  }
  const out: ChildResult = { mode, threads, startBytes, peakBytes: peakRss(), ...r };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const MB = 1e6;

export async function ldMemoryBench(dir: string, quick: boolean): Promise<ChildResult[]> {
  const shape = quick ? { blocks: 10, m: 1000, kTarget: 900 } : { blocks: 40, m: 1000, kTarget: 900 };
  const t0 = performance.now();
  await writeSyntheticLd(dir, { ...shape, seed: 11 });
  console.log(`LD memory: synthetic panel ${shape.blocks} blocks × ${shape.m} SNPs written in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${ITERATIONS} sweeps per fit`);
  const results: ChildResult[] = [];
  const runs: [Mode, number][] = [...[1, 2].flatMap((t) => MODES.map((m): [Mode, number] => [m, t])), ...TUNE_MODES.map((m): [Mode, number] => [m, 1])];
  for (const [mode, threads] of runs) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, String(threads), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`ldmemory child ${mode} ×${threads} exited ${r.status}`);
    const line = r.stdout.trim().split('\n').pop()!;
    const res = JSON.parse(line) as ChildResult;
    results.push(res);
    console.log(`  ${mode.padEnd(13)} ${threads} thread(s): peak RSS ${(res.peakBytes / MB).toFixed(0)} MB (${(res.startBytes / MB).toFixed(0)} MB before the fit), Q ${(res.qBytes / MB).toFixed(0)} MB, ${res.sweepsPerSecond.toFixed(1)} sweeps/s`);
  }
  console.log(`\n(tune-*: --tune ${TUNE_GRID.join(',')}, 150 scoring sweeps per cut-off before the fit; sweeps/s is the fit's)`);
  console.log('| Q in memory | threads | peak RSS (MB) | of which before the fit (MB) | Q (MB) | sweeps/s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.mode} | ${r.threads} | ${(r.peakBytes / MB).toFixed(0)} | ${(r.startBytes / MB).toFixed(0)} | ${(r.qBytes / MB).toFixed(0)} | ${r.sweepsPerSecond.toFixed(1)} |`);
  }
  return results;
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [mode, threads, dir] = process.argv.slice(childAt + 1);
  if (![...MODES, ...TUNE_MODES].includes(mode as Mode) || !dir) throw new Error('usage: ldMemoryBench.ts --child old|resident|stream|tune-resident|tune-stream THREADS DIR');
  await child(mode as Mode, Number(threads), dir);
}
