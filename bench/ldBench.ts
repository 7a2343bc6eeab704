// LD eigen benchmark: eigen-decomposition of 1,000 × 1,000 and 3,000 × 3,000 LD correlation
// blocks (from a simulated cohort) by pgsflow's backends vs numpy.linalg.eigh, in the same run
// and interleaved rep by rep so both see the same machine load; then a whole panel built in a
// child process whose peak RSS is compared with the largest block's dense matrix.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openGenotypeFiles } from '../core/genotypes/genotypeFiles.js';
import { BedVariantReader } from '../core/genotypes/bedVariantReader.js';
import { buildLdPanel } from '../core/ld/buildLdPanel.js';
import { blockCorrelation, correlationMatrix } from '../core/ld/correlation.js';
import { type EigenOptions, eigenSymmetric, resolveEigenBackend } from '../core/ld/eigenSymmetric.js';
import { loadNativeAddon } from '../core/ld/nativeAddon.js';
import { simulateStudy } from '../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../config/simulate.js';
import type { BenchRow } from './timing.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VENV = join(ROOT, '.tools', 'venv');
const PYTHON = join(VENV, 'bin', 'python');
const CHILD_FLAG = '--ld-panel-child';

/** numpy in a project venv (created on first use from PyPI); null when that is impossible. */
function numpyPython(): string | null {
  const has = (): boolean => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  if (has()) return PYTHON;
  console.log(`creating ${VENV} with numpy (pip, PyPI)…`);
  if (!existsSync(PYTHON) && spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' }).status !== 0) return null;
  if (spawnSync(PYTHON, ['-m', 'pip', 'install', '--quiet', 'numpy'], { stdio: 'inherit' }).status !== 0) return null;
  return has() ? PYTHON : null;
}

// One eigh per "n path" line on stdin, its seconds on stdout: a warm process, so each timing is
// the decomposition alone (numpy copies the input inside eigh, as ours copies before it).
const NUMPY_SERVER = `
import sys, time, numpy as np
print(np.__version__, flush=True)
cache = {}
for line in sys.stdin:
    n, path = line.split()
    n = int(n)
    if path not in cache:
        cache.clear()
        cache[path] = np.fromfile(path, dtype='<f8').reshape(n, n)
    r = cache[path]
    t = time.perf_counter()
    w, v = np.linalg.eigh(r)
    print(time.perf_counter() - t, flush=True)
`;

class NumpyPeer {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static async start(python: string): Promise<{ peer: NumpyPeer; version: string }> {
    const peer = new NumpyPeer(spawn(python, ['-c', NUMPY_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] }));
    return { peer, version: await peer.next() };
  }

  async eigh(n: number, path: string): Promise<number> {
    this.child.stdin!.write(`${n} ${path}\n`);
    return Number(await this.next());
  }

  stop(): void {
    this.child.stdin!.end();
  }

  private async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('numpy peer exited');
    return r.value;
  }
}

/** The leading n × n block of the m × m matrix r. */
function leading(r: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out.set(r.subarray(i * m, i * m + n), i * n);
  return out;
}

function timeOurs(r: Float64Array, n: number, opts: EigenOptions): number {
  const a = new Float64Array(n * n);
  const t = performance.now();
  a.set(r);
  eigenSymmetric(a, n, opts);
  return (performance.now() - t) / 1000;
}

interface PanelChildResult {
  seconds: number;
  baselineMaxRssKb: number;
  peakMaxRssKb: number;
  largestBlock: number;
  blocks: number;
  backend: string;
}

/** Build a panel in a fresh process: its maxRSS is this build's alone. */
function measurePanel(args: { bfile: string; blocks: string; outDir: string }): PanelChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, JSON.stringify(args)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`panel child exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as PanelChildResult;
}

async function panelChild(json: string): Promise<void> {
  const args = JSON.parse(json) as { bfile: string; blocks: string; outDir: string };
  // The baseline holds what does not grow with the block: node, the modules, the addon and
  // OpenBLAS's per-thread buffers (allocated on the first call, so make one).
  const w = 256;
  await correlationMatrix(Float64Array.from({ length: w * w }, (_, i) => Math.sin(i)), w, w, resolveEigenBackend('auto'));
  eigenSymmetric(Float64Array.from({ length: w * w }, (_, i) => (i % (w + 1) === 0 ? 2 : 1 / w)), w);
  const baselineMaxRssKb = process.resourceUsage().maxRSS;
  const t = performance.now();
  const s = await buildLdPanel({ bfiles: [args.bfile], blocks: args.blocks, outDir: args.outDir, cutoff: 0.995 });
  const result: PanelChildResult = {
    seconds: (performance.now() - t) / 1000,
    baselineMaxRssKb,
    peakMaxRssKb: process.resourceUsage().maxRSS,
    largestBlock: s.largestBlock,
    blocks: s.blocks,
    backend: s.backend,
  };
  console.log(JSON.stringify(result));
}

export async function ldBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const sizes = [1000, 3000];
  // Best of several: the small block is cheap, so more reps there steady its ratio.
  const repsFor = (n: number): number => (n <= 1000 ? (quick ? 3 : 7) : quick ? 2 : 3);
  const rows: BenchRow[] = [];
  const native = resolveEigenBackend('auto') === 'native';
  if (!native) console.log(`LD eigen: native addon unavailable (${loadNativeAddon().error}); TypeScript only`);

  // Real LD: a simulated cohort, one 3,000-SNP block per chromosome (AR(1) haplotype LD).
  const sim = join(dir, 'ld-sim');
  const samples = 2000;
  await simulateStudy(parseSimulateOptions({ samples: [samples], refSamples: 10, snps: 6000, blockSnps: 3000, seed: 17 }), sim);
  const bfile = join(sim, 'geno/EUR');
  const geno = await openGenotypeFiles([bfile]);
  const kept = Int32Array.from({ length: geno.nSamples }, (_, i) => i);
  const reader = await BedVariantReader.open(geno);
  const big = Math.max(...sizes);
  const packed = await reader.read(Int32Array.from({ length: big }, (_, i) => i));
  await reader.close();
  const r3000 = await blockCorrelation(packed, big, geno.bytesPerVariant, kept, native ? 'native' : 'typescript');
  const matrices = new Map(sizes.map((n) => [n, n === big ? r3000 : leading(r3000, big, n)]));
  for (const [n, r] of matrices) writeFileSync(join(dir, `ld-r${n}.f64`), r);

  const python = numpyPython();
  const started = python ? await NumpyPeer.start(python) : null;
  const numpy = started?.peer ?? null;
  if (started) console.log(`LD eigen peer: numpy ${started.version} linalg.eigh (${python})`);
  const numpyBest = new Map<number, number>();
  try {
    for (const n of sizes) {
      const r = matrices.get(n)!;
      const path = join(dir, `ld-r${n}.f64`);
      const best = { d: Infinity, r: Infinity, np: Infinity };
      // Interleaved: ours, numpy, ours, numpy… so a load spike hits both sides alike.
      for (let rep = 0; rep < repsFor(n); rep++) {
        if (native) best.d = Math.min(best.d, timeOurs(r, n, { backend: 'native', method: 'd' }));
        if (native) best.r = Math.min(best.r, timeOurs(r, n, { backend: 'native', method: 'r' }));
        if (numpy) best.np = Math.min(best.np, await numpy.eigh(n, path));
      }
      const peer = numpy ? best.np : null;
      if (peer !== null) numpyBest.set(n, peer);
      const fmt = (x: number): string => `${x.toFixed(3)} s${peer ? ` (${(x / peer).toFixed(2)} × numpy)` : ''}`;
      console.log(`LD eigen ${n} × ${n}: native dsyevd ${fmt(best.d)}, dsyevr ${fmt(best.r)}, numpy eigh ${peer?.toFixed(3) ?? '—'} s`);
      if (native) {
        rows.push({ name: `LD eigen ${n} × ${n}, native LAPACK dsyevd (default)`, ours: best.d, peer, peerName: 'numpy.linalg.eigh', goal: '≤ 2' });
        rows.push({ name: `LD eigen ${n} × ${n}, native LAPACK dsyevr (a panel's largest blocks)`, ours: best.r, peer, peerName: 'numpy.linalg.eigh', goal: '≤ 2' });
      }
    }
    // The TypeScript fallback, for the record (1,000 only: 3,000 takes minutes).
    const n = 1000;
    const tsSeconds = Math.min(...Array.from({ length: quick ? 1 : 2 }, () => timeOurs(matrices.get(n)!, n, { backend: 'typescript' })));
    const peer = numpyBest.get(n) ?? null;
    console.log(`LD eigen ${n} × ${n}: TypeScript ${tsSeconds.toFixed(2)} s`);
    rows.push({ name: `LD eigen ${n} × ${n}, TypeScript fallback`, ours: tsSeconds, peer, peerName: 'numpy.linalg.eigh', goal: '(fallback)' });
  } finally {
    numpy?.stop();
  }

  // Whole panel, blocks of 3,000, 1,000 and 2,000 SNPs (chromosome 2 cut at its 1,000th SNP),
  // streamed; peak RSS against the largest dense matrix.
  const chr2 = geno.bim.pos.subarray(3000);
  const blocksFile = join(dir, 'ld-blocks.pos');
  writeFileSync(blocksFile, `Block Chrom StartBP EndBP\n1 1 0 2000000000\n2 2 0 ${chr2[1000]}\n3 2 ${chr2[1000]} 2000000000\n`);
  const p = measurePanel({ bfile, blocks: blocksFile, outDir: join(dir, 'ld-panel') });
  const dense = 8 * p.largestBlock * p.largestBlock;
  const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
  const grown = (p.peakMaxRssKb - p.baselineMaxRssKb) * 1024;
  console.log(
    `LD panel ${p.blocks} blocks (largest ${p.largestBlock} SNPs) × ${samples} samples: ${p.seconds.toFixed(1)} s (${p.backend}); ` +
      `peak RSS ${mb(p.peakMaxRssKb)} (baseline ${mb(p.baselineMaxRssKb)}, +${(grown / 2 ** 20).toFixed(0)} MB = ${(grown / dense).toFixed(2)} × the ` +
      `${(dense / 2 ** 20).toFixed(0)} MB dense block; whole process ${((p.peakMaxRssKb * 1024) / dense).toFixed(2)} ×)`,
  );
  rows.push({
    name: `LD panel, 6,000 SNPs in ${p.blocks} blocks (largest ${p.largestBlock}), ${samples} samples (peak RSS +${(grown / dense).toFixed(2)} × largest dense block, goal ≤ 3)`,
    ours: p.seconds,
    peer: null,
    peerName: '—',
    goal: '—',
  });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === CHILD_FLAG) await panelChild(process.argv[3]!);

/**
 * `npm run bench -- --only ldscale [--quick] [--blocks N]`: `pgsflow ld` at the size of a
 * published panel — N blocks of 2,000 SNPs (default 600; 20 with --quick) from 5,000 reference
 * samples — in its own process (time, peak RSS), against numpy.linalg.eigh on the same first
 * block's correlation matrix, timed per block and multiplied by N (numpy's eigen part alone:
 * correlation and I/O are ours only).
 */
export async function ldScaleBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const at = process.argv.indexOf('--blocks');
  const nBlocks = at >= 0 ? Number(process.argv[at + 1]) : quick ? 20 : 600;
  const m = 2000;
  const samples = 5000;
  const sim = join(dir, 'ldscale-sim');
  let t = performance.now();
  await simulateStudy(parseSimulateOptions({ samples: [samples], refSamples: 10, snps: nBlocks * m, blockSnps: m, seed: 29 }), sim);
  console.log(`LD scale: ${samples} samples × ${nBlocks} blocks of ${m} SNPs simulated in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const bfile = join(sim, 'geno/EUR');
  // The simulator lays its blocks of m SNPs along 22-ish chromosomes: one LD block per run of m.
  const geno = await openGenotypeFiles([bfile]);
  const blocksFile = join(dir, 'ldscale-blocks.pos');
  const lines = ['Block Chrom StartBP EndBP'];
  for (let b = 0; b < nBlocks; b++) lines.push(`${b + 1} ${geno.bim.chrom[b * m]} ${geno.bim.pos[b * m]} ${geno.bim.pos[b * m + m - 1]! + 1}`);
  writeFileSync(blocksFile, `${lines.join('\n')}\n`);
  const p = measurePanel({ bfile, blocks: blocksFile, outDir: join(dir, 'ldscale-panel') });
  if (p.blocks !== nBlocks || p.largestBlock !== m) throw new Error(`LD scale: the panel has ${p.blocks} blocks (largest ${p.largestBlock}), expected ${nBlocks} of ${m}`);
  console.log(`LD scale: pgsflow ld ${p.seconds.toFixed(1)} s (${((1000 * p.seconds) / nBlocks).toFixed(0)} ms per block), peak RSS ${(p.peakMaxRssKb / 1e6).toFixed(2)} GB, ${p.backend}`);

  // numpy's eigh on block 1's correlation matrix (ours, computed the panel's way).
  const reader = await BedVariantReader.open(geno);
  const packed = await reader.read(Int32Array.from({ length: m }, (_, i) => i));
  await reader.close();
  const kept = Int32Array.from({ length: geno.nSamples }, (_, i) => i);
  const r = await blockCorrelation(packed, m, geno.bytesPerVariant, kept, resolveEigenBackend('auto') === 'native' ? 'native' : 'typescript');
  const path = join(dir, 'ldscale-r.f64');
  writeFileSync(path, r);
  const python = numpyPython();
  const started = python ? await NumpyPeer.start(python) : null;
  let perBlock: number | null = null;
  try {
    if (started) {
      t = Infinity;
      for (let rep = 0; rep < 3; rep++) t = Math.min(t, await started.peer.eigh(m, path));
      perBlock = t;
      console.log(`LD scale: numpy ${started.version} eigh ${m} × ${m}: ${(1000 * t).toFixed(0)} ms per block → ${(t * nBlocks).toFixed(1)} s for ${nBlocks} blocks`);
    }
  } finally {
    started?.peer.stop();
  }
  return [
    {
      name: `pgsflow ld, ${nBlocks} blocks × ${m} SNPs, ${samples} samples (peak RSS ${(p.peakMaxRssKb / 1e6).toFixed(2)} GB)`,
      ours: p.seconds,
      peer: perBlock === null ? null : perBlock * nBlocks,
      peerName: 'numpy.linalg.eigh per block × blocks (eigen only)',
      goal: 'report',
    },
  ];
}
