// Times the native dosage scoring kernel (native/dosageScore.c) on one synthetic block as the
// store hands it over: 10,000 samples × 5,000 variants of uint16 dosages (1/16384 units, blurred
// around hard calls, 0.5 % missing), ten weight columns, with and without centring, and with a
// per-sample score column (fold-wise scoring). With `--against OTHER.node` it also times another
// build of the kernel (e.g. an older source compiled to /tmp) and checks both give the same bits.
//
//   npx tsx bench/dosageKernelTiming.ts [--samples N] [--variants M] [--scores S] [--reps R]
//                                       [--threads T] [--kernel FILE.node] [--against FILE.node]
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../core/numeric/random/rng.js';
import type { NativeDosageScoreKernel } from '../core/score/nativeDosageScore.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

const n = Number(arg('samples', '10000'));
const m = Number(arg('variants', '5000'));
const s = Number(arg('scores', '10'));
const reps = Number(arg('reps', '5'));
const threads = Number(arg('threads', String(availableParallelism())));
const kernelFile = arg('kernel', fileURLToPath(new URL('../native/build/dosageScore.node', import.meta.url)));
const againstFile = arg('against', '');

const load = (f: string): NativeDosageScoreKernel => createRequire(import.meta.url)(resolve(f)) as NativeDosageScoreKernel;
const kernels: [string, NativeDosageScoreKernel][] = [[kernelFile, load(kernelFile)]];
if (againstFile) kernels.push([againstFile, load(againstFile)]);

const rng = Rng.stream(19, 1);
const dosage = new Uint16Array(m * n);
for (let v = 0; v < m; v++) {
  const f = 0.05 + 0.9 * rng.uniform();
  for (let i = 0; i < n; i++) {
    if (rng.uniform() < 0.005) {
      dosage[v * n + i] = 0xffff;
      continue;
    }
    const g = (rng.uniform() < f ? 1 : 0) + (rng.uniform() < f ? 1 : 0);
    dosage[v * n + i] = Math.max(0, Math.min(32768, Math.round((g + 0.1 * rng.normal()) * 16384)));
  }
}
// --cached: every row reads the first variant's dosages (the compute alone, no memory traffic).
const rowAt = Int32Array.from({ length: m }, (_, r) => (process.argv.includes('--cached') ? 0 : r * n));
const named = Uint8Array.from({ length: m }, () => 1 + rng.below(2));
const w = Float64Array.from({ length: m * s }, () => rng.normal() * 0.01);
const freq = Float64Array.from({ length: m }, () => rng.uniform());

function terms(center: boolean): { mu: Float64Array; mt: Float64Array } {
  const mu = new Float64Array(m * s);
  const mt = new Float64Array(m * s);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < s; c++) {
      mu[r * s + c] = center ? 2 * freq[r]! : 0;
      mt[r * s + c] = w[r * s + c]! * (2 * freq[r]! - mu[r * s + c]!);
    }
  }
  return { mu, mt };
}

const folds = Int32Array.from({ length: n }, () => rng.below(s));
const cases: [string, boolean, Int32Array][] = [
  ['plain', false, new Int32Array(0)],
  ['centred', true, new Int32Array(0)],
  ['fold-wise', false, folds],
];
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; dosage kernel, ${n.toLocaleString('en')} samples × ${m.toLocaleString('en')} variants × ${s} scores, ${threads} thread(s), best of ${reps}`);
for (const [label, center, pick] of cases) {
  const { mu, mt } = terms(center);
  const results: Float64Array[] = [];
  for (const [file, k] of kernels) {
    let best = Infinity;
    let bestCpu = Infinity;
    let out: { acc: Float64Array; observed: Int32Array; nd: Float64Array } | undefined;
    for (let rep = 0; rep < reps; rep++) {
      const acc = new Float64Array(n * s);
      const observed = new Int32Array(n);
      const nd = new Float64Array(n);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      k.addRows(dosage, n, rowAt, named, w, mu, mt, s, pick, acc, observed, nd, threads);
      const cpu = process.cpuUsage(c0);
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
      out = { acc, observed, nd };
    }
    // Only what finish() reads: a sample's own score column when it has one.
    const kept = Float64Array.from({ length: n * s }, (_, q) => (pick.length === 0 || pick[Math.floor(q / s)] === q % s ? out!.acc[q]! : 0));
    results.push(kept, Float64Array.from(out!.observed), out!.nd);
    console.log(`  ${label.padEnd(9)} ${(best / 1000).toFixed(3)} s wall, ${(bestCpu / 1000).toFixed(3)} s CPU  ${file}`);
  }
  if (results.length === 6) {
    const same = [0, 1, 2].every((q) => results[q]!.every((x, t) => Object.is(x, results[q + 3]![t])));
    console.log(`  ${label.padEnd(9)} ${same ? 'same bits' : 'DIFFERENT NUMBERS'}`);
    if (!same) process.exitCode = 1;
  }
}
