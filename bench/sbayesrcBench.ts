// SBayesR / SBayesRC sweep speed (issue 6): 10,000 SNPs in 20 blocks of 500, eigen cut-off
// 0.995 (k ≈ 480 per block), summary statistics b̂ = R β + ε from known effects, no tuning.
// The LD blocks come from simulated reference genotypes (AR(1) latent haplotypes thresholded
// at each SNP's frequency); ε = Xᵀz/√N has covariance R/N. The peer is the reference
// package's time quoted in the issue (not run here), scaled to the sweeps run.
import { lowRankBlock, type LowRankBlock } from '../core/sbayesrc/lowRank.js';
import { initChain } from '../core/sbayesrc/chainState.js';
import { prestartBlockWorkers } from '../core/sbayesrc/blockWorkerPool.js';
import { runChainParallel, runChainsParallel } from '../core/sbayesrc/parallelChain.js';
import { loadSweepKernel, setSweepKernelPreference, type SweepKernelKind } from '../core/sbayesrc/nativeKernel.js';
import type { Annotations } from '../core/sbayesrc/probit.js';
import { assembleProblem, type SbayesProblem } from '../core/sbayesrc/problem.js';
import { chainWorkspace, finishSweep, prepareSweep, runChain, sweepBlocks, sweepTarget } from '../core/sbayesrc/sampler.js';
import { Rng } from '../core/numeric/random/rng.js';
import { cpus, loadavg } from 'node:os';
import { eigenBlockOf } from '../test/helpers/ldPanel.js';
import { type BenchRow, bestOf } from './timing.js';

const BLOCKS = 20;
const M = 500;
const REF_SAMPLES = 1500;
const N_GWAS = 50_000;
const H2 = 0.5;
const CUTOFF = 0.995;
const RHO = 0.9; // latent AR(1) correlation between neighbouring SNPs
const N_ANNOT = 4;
/** Reference package, single thread, 3,000 sweeps (issue 6). */
const REF_SECONDS = { sbayesr: 6.2, sbayesrc: 32.6, sweeps: 3000 } as const;
const PEER = 'reference (issue figure, not run here)';

interface BenchProblem {
  blocks: LowRankBlock[];
  bhat: Float64Array;
  annotations: Annotations;
  /** Σ m_b k_b: multiply-adds of one pass of Qᵀ·residual dots over every SNP (the count). */
  madds: number;
}

export function simulate(seed: number): BenchProblem {
  const rng = Rng.stream(seed, 0);
  const nSnps = BLOCKS * M;
  // Known effects: 1 % causal, normal, scaled to h² on the standardised scale (R ≈ I within blocks for the scale).
  const beta = new Float64Array(nSnps);
  const causal: number[] = [];
  for (let j = 0; j < nSnps; j++) if (rng.uniform() < 0.01) causal.push(j);
  for (const j of causal) beta[j] = rng.normal();
  const annotations: Annotations = { nA: N_ANNOT + 1, a: new Float32Array(nSnps * (N_ANNOT + 1)) };
  for (let j = 0; j < nSnps; j++) {
    annotations.a[j * (N_ANNOT + 1)] = 1;
    const isCausal = beta[j] !== 0;
    // Two binary annotations (the first enriched for causal SNPs), two continuous.
    annotations.a[j * (N_ANNOT + 1) + 1] = rng.uniform() < (isCausal ? 0.5 : 0.1) ? 1 : 0;
    annotations.a[j * (N_ANNOT + 1) + 2] = rng.uniform() < 0.2 ? 1 : 0;
    annotations.a[j * (N_ANNOT + 1) + 3] = rng.normal();
    annotations.a[j * (N_ANNOT + 1) + 4] = rng.normal();
  }
  const bhat = new Float64Array(nSnps);
  const blocks: LowRankBlock[] = [];
  const x = new Float64Array(M * REF_SAMPLES); // standardised dosages of one block, SNP-major
  const lat = new Float64Array(M);
  const r = new Float64Array(M * M);
  let genetic = 0;
  const rb: Float64Array[] = [];
  const eps: Float64Array[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const freq = Float64Array.from({ length: M }, () => 0.05 + 0.45 * rng.uniform());
    const thr = freq.map((p) => -probitApprox(p)); // P(latent > thr) = p
    x.fill(0);
    for (let i = 0; i < REF_SAMPLES; i++) {
      for (let h = 0; h < 2; h++) {
        let z = rng.normal();
        for (let j = 0; j < M; j++) {
          if (j > 0) z = RHO * z + Math.sqrt(1 - RHO * RHO) * rng.normal();
          lat[j] = z;
          if (z > thr[j]!) x[j * REF_SAMPLES + i] = x[j * REF_SAMPLES + i]! + 1;
        }
      }
    }
    for (let j = 0; j < M; j++) {
      const row = x.subarray(j * REF_SAMPLES, (j + 1) * REF_SAMPLES);
      let s = 0;
      for (const v of row) s += v;
      const mean = s / REF_SAMPLES;
      let ss = 0;
      for (let i = 0; i < REF_SAMPLES; i++) {
        row[i] = row[i]! - mean;
        ss += row[i]! * row[i]!;
      }
      const sd = Math.sqrt(ss);
      for (let i = 0; i < REF_SAMPLES; i++) row[i] = sd > 0 ? row[i]! / sd : 0;
    }
    for (let p = 0; p < M; p++) {
      const xp = x.subarray(p * REF_SAMPLES, (p + 1) * REF_SAMPLES);
      for (let q = 0; q < p; q++) {
        const xq = x.subarray(q * REF_SAMPLES, (q + 1) * REF_SAMPLES);
        let s = 0;
        for (let i = 0; i < REF_SAMPLES; i++) s += xp[i]! * xq[i]!;
        r[p * M + q] = s;
        r[q * M + p] = s;
      }
      r[p * M + p] = 1;
    }
    rb.push(Float64Array.from(r));
    // ε = Xᵀ z (covariance R); scaled by 1/√N below.
    const z = Float64Array.from({ length: REF_SAMPLES }, () => rng.normal());
    const e = new Float64Array(M);
    for (let j = 0; j < M; j++) {
      let s = 0;
      for (let i = 0; i < REF_SAMPLES; i++) s += x[j * REF_SAMPLES + i]! * z[i]!;
      e[j] = s;
    }
    eps.push(e);
    // βᵀ R β of the block.
    for (let p = 0; p < M; p++) {
      const bp = beta[b * M + p]!;
      if (bp === 0) continue;
      for (let q = 0; q < M; q++) genetic += bp * r[p * M + q]! * beta[b * M + q]!;
    }
  }
  const scale = Math.sqrt(H2 / genetic);
  let madds = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const r0 = rb[b]!;
    for (let p = 0; p < M; p++) {
      let s = 0;
      for (let q = 0; q < M; q++) s += r0[p * M + q]! * beta[b * M + q]! * scale;
      bhat[b * M + p] = s + eps[b]![p]! / Math.sqrt(N_GWAS);
    }
    const eigen = eigenBlockOf(r0, M, CUTOFF);
    madds += M * eigen.k;
    blocks.push(lowRankBlock(eigen, bhat.subarray(b * M, (b + 1) * M), N_GWAS));
  }
  return { blocks, bhat, annotations, madds };
}

/** Φ⁻¹(p) (Acklam's rational approximation; ample for thresholds). */
function probitApprox(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858758520166, -155.6989798598866, 66.80131188771589, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -probitApprox(1 - p);
  const q = p - 0.5;
  const t = q * q;
  return ((((((a[0]! * t + a[1]!) * t + a[2]!) * t + a[3]!) * t + a[4]!) * t + a[5]!) * q) / (((((b[0]! * t + b[1]!) * t + b[2]!) * t + b[3]!) * t + b[4]!) * t + 1);
}

/** Wall seconds (pooled workers: start-up not included), this process's CPU seconds over the run, and h² of the last sweep. */
async function timeChain(p: SbayesProblem, sweeps: number, threads: number, kernel: SweepKernelKind): Promise<{ seconds: number; cpu: number; h2: number }> {
  let h2 = NaN;
  const c0 = process.cpuUsage();
  setSweepKernelPreference(kernel === 'native' ? 'auto' : 'wasm');
  const seconds = await bestOf(1, async () => {
    const st = initChain(p, 1);
    const opts = { iterations: sweeps, burnIn: Math.floor(sweeps / 3) };
    const last = threads > 1 ? await runChainParallel(p, st, opts, threads) : runChain(p, st, opts);
    h2 = last?.h2 ?? NaN;
  });
  const c = process.cpuUsage(c0);
  return { seconds, cpu: (c.user + c.system) / 1e6, h2 };
}

/** Wall seconds of two chains (seeds 1, 2) on `threads` threads, one after another or in lockstep. */
async function timeChains(p: SbayesProblem, sweeps: number, threads: number, lockstep: boolean): Promise<number> {
  setSweepKernelPreference('auto');
  const opts = { iterations: sweeps, burnIn: Math.floor(sweeps / 3) };
  return bestOf(1, async () => {
    const states = [initChain(p, 1), initChain(p, 2)];
    if (lockstep) await runChainsParallel(p, states, opts, threads);
    else for (const st of states) await runChainParallel(p, st, opts, threads);
  });
}

/**
 * One thread, `sweeps` sweeps: milliseconds per sweep in the block sweeps (the part threads
 * share) and in the rest (hyper-parameters, annotation model, accumulators: the main thread's
 * serial part), and the speed-up two threads could reach on two idle cores (Amdahl, ignoring
 * the hand-over): a figure to read beside the measured one when the machine is loaded.
 */
function breakdown(p: SbayesProblem, sweeps: number, kernel: SweepKernelKind): { blocks: number; serial: number; bound2: number } {
  setSweepKernelPreference(kernel === 'native' ? 'auto' : 'wasm');
  const st = initChain(p, 1);
  const ws = chainWorkspace(p);
  const opts = { iterations: sweeps, burnIn: Math.floor(sweeps / 3) };
  let blocks = 0;
  let serial = 0;
  for (let s = 0; s < sweeps; s++) {
    const a = performance.now();
    const params = prepareSweep(p, st, ws, opts);
    const b = performance.now();
    sweepBlocks(sweepTarget(p, st, ws), params, ws.blockOrder);
    const c = performance.now();
    finishSweep(p, st, opts, ws);
    serial += b - a + (performance.now() - c);
    blocks += c - b;
  }
  blocks /= sweeps;
  serial /= sweeps;
  return { blocks, serial, bound2: (blocks + serial) / (blocks / 2 + serial) };
}

export async function sbayesrcBench(_dir: string, quick: boolean): Promise<BenchRow[]> {
  const sweeps = quick ? 300 : 3000;
  const t0 = performance.now();
  const sim = simulate(7);
  const ks = sim.blocks.map((b) => b.k);
  console.log(
    `SBayesRC bench: ${BLOCKS} blocks × ${M} SNPs, cut-off ${CUTOFF}, k ${Math.min(...ks)}–${Math.max(...ks)} (mean ${(sim.madds / BLOCKS / M).toFixed(0)}), ` +
      `${sweeps} sweeps; problem built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const plain = assembleProblem(sim.blocks, sim.bhat, null);
  const annotated = assembleProblem(sim.blocks, sim.bhat, sim.annotations);
  const rows: BenchRow[] = [];
  const native = loadSweepKernel();
  // Both kernels side by side in one run (same machine load): the C kernel, and the WebAssembly path it replaces.
  // `--native-only`: skip the WebAssembly rows (a shorter run while iterating).
  const kernels: SweepKernelKind[] = native.addon ? (process.argv.includes('--native-only') ? ['native'] : ['native', 'wasm']) : ['wasm'];
  console.log(native.addon ? `native sweep kernel: ${native.addon.config()}` : `native sweep kernel missing (${native.error}): WebAssembly only`);
  const label = `${BLOCKS * M} SNPs, ${BLOCKS} blocks of ${M}, ${sweeps} sweeps`;
  // Worker threads are started once per process and pooled (blockWorkerPool.ts); \`pgsflow fit\`
  // starts them while it reads the LD panel. Their start-up is timed here, apart from the chains.
  const bootStart = performance.now();
  await prestartBlockWorkers(1);
  console.log(`block worker start-up (once per process, overlapped with reading the panel in a fit): ${((performance.now() - bootStart) / 1000).toFixed(2)} s`);
  const cases = [
    { name: 'SBayesR', p: plain, ref: REF_SECONDS.sbayesr, goal1: '≤ 1 (≥ the reference per thread)' },
    { name: `SBayesRC (${N_ANNOT} annotations)`, p: annotated, ref: REF_SECONDS.sbayesrc, goal1: '≤ 0.5 (≥ 2× the reference)' },
  ];
  for (const c of cases) for (const kernel of kernels) {
    const peer = (c.ref * sweeps) / REF_SECONDS.sweeps;
    let one = NaN;
    const bd = breakdown(c.p, Math.min(sweeps, 600), kernel);
    console.log(
      `${c.name} [${kernel}], 1 thread, per sweep: blocks ${bd.blocks.toFixed(2)} ms + serial ${bd.serial.toFixed(2)} ms ` +
        `→ two idle cores could give at most ${bd.bound2.toFixed(2)}× (load average ${loadavg()[0]!.toFixed(2)})`,
    );
    for (const threads of [1, 2]) {
      const load = loadavg()[0]!;
      const { seconds, cpu, h2 } = await timeChain(c.p, sweeps, threads, kernel);
      if (threads === 1) one = seconds;
      const sps = sweeps / seconds;
      console.log(
        `${c.name} [${kernel}], ${threads} thread${threads > 1 ? 's' : ''}: ${seconds.toFixed(2)} s, ${sps.toFixed(0)} sweeps/s, ` +
          `${((sim.madds * sps) / 1e9).toFixed(2)} G multiply-adds/s (Σ m·k per sweep; reference ${((sim.madds * REF_SECONDS.sweeps) / c.ref / 1e9).toFixed(2)}), ` +
          `h² (last sweep) ${h2.toFixed(3)}; CPU ${cpu.toFixed(2)} s, load average before ${load.toFixed(2)} on ${cpus().length} cores` + (threads > 1 ? `, speed-up ${(one / seconds).toFixed(2)}× (goal ≥ 1.7×)` : ''),
      );
      rows.push({
        name: `${c.name} [${kernel}], ${threads} thread${threads > 1 ? 's' : ''}, ${label}`,
        ours: seconds,
        peer,
        peerName: PEER,
        goal: threads === 1 ? c.goal1 : `2 threads ≥ 1.7× one (${(one / seconds).toFixed(2)}×)`,
      });
    }
    // --chains 2 on 2 threads: the chains one after another (each block-parallel) against in
    // lockstep (their blocks shared out together); the peer is the previous way. Native only.
    if (kernel === 'native') {
      const seqSeconds = await timeChains(c.p, sweeps, 2, false);
      const lockSeconds = await timeChains(c.p, sweeps, 2, true);
      console.log(
        `${c.name} [native], 2 chains on 2 threads: one after another ${seqSeconds.toFixed(2)} s, in lockstep ${lockSeconds.toFixed(2)} s ` +
          `(${(seqSeconds / lockSeconds).toFixed(2)}×; 2 × one chain on 1 thread: ${(2 * one).toFixed(2)} s, ${((2 * one) / lockSeconds).toFixed(2)}×; load average ${loadavg()[0]!.toFixed(2)})`,
      );
      rows.push({ name: `${c.name} [native], 2 chains in lockstep, 2 threads, ${label}`, ours: lockSeconds, peer: seqSeconds, peerName: 'the same chains one after another', goal: '< 1' });
    }
  }
  setSweepKernelPreference('auto');
  return rows;
}
