// SBayesR on simulated truth: genotypes with dense LD → reference panel (ldPanelFromBed) →
// summary statistics b̂ = Rβ + ε, ε ~ N(0, R/N), N = 50,000 → `pgsflow fit` → h² and β.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/commands/fit.js';
import { BED_MAGIC, bytesPerVariant, packVariant } from '../../core/genotypes/bedCodec.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeFitActivities } from '../../activities/fitSbayesrc.js';
import { fitOnFiles, removeFitCheckpoints } from '../../core/sbayesrc/fitFiles.js';
import { REFERENCE_PAR_ROWS } from '../../core/sbayesrc/outputs.js';
import { readWeightFile } from '../../core/score/weights.js';
import { copulaSource } from '../../core/simulate/genotypeSource.js';
import { ldPanelFromBed, type BedPanel } from '../helpers/ldPanel.js';
import type { FitHeartbeat, CheckpointWritten, FitRequest } from '../../contracts/fit.js';

const N_BLOCKS = 3;
const BLOCK_SNPS = 150;
const N_REF = 2000;
const N_GWAS = 50_000;
const H2 = 0.5;
const N_CAUSAL = 30;
const SEED = 2026;

let dir: string;
let panel: BedPanel;
/** Population A1 frequencies of the simulated genotypes. */
let refFreq: Float64Array;
const beta = new Float64Array(N_BLOCKS * BLOCK_SNPS);

async function writeReferenceBed(bfile: string): Promise<void> {
  const m = N_BLOCKS * BLOCK_SNPS;
  const rng = Rng.stream(SEED, 1);
  refFreq = Float64Array.from({ length: m }, () => 0.05 + 0.45 * rng.uniform());
  const source = copulaSource(refFreq, 0.95, N_REF, SEED, 0); // dense LD: ρ = 0.95 between neighbours
  const bpv = bytesPerVariant(N_REF);
  const bed = new Uint8Array(3 + m * bpv);
  bed.set(BED_MAGIC);
  const dos = new Uint8Array(BLOCK_SNPS * N_REF);
  const bim: string[] = [];
  for (let b = 0; b < N_BLOCKS; b++) {
    const first = b * BLOCK_SNPS;
    source.fillBlock({ first, end: first + BLOCK_SNPS, chrom: String(b + 1), startBp: 0, endBp: 1e6 }, b, dos);
    for (let j = 0; j < BLOCK_SNPS; j++) {
      packVariant(dos.subarray(j * N_REF, (j + 1) * N_REF), bed, 3 + (first + j) * bpv);
      bim.push(`${b + 1}\trs${first + j}\t0\t${1000 + 100 * j}\tA\tG`);
    }
  }
  await writeFile(`${bfile}.bed`, bed);
  await writeFile(`${bfile}.bim`, `${bim.join('\n')}\n`);
  await writeFile(`${bfile}.fam`, `${Array.from({ length: N_REF }, (_, i) => `F${i} I${i} 0 0 0 -9`).join('\n')}\n`);
}

const N_VAL = 3000;

/** AUC of PIP for telling causal from null SNPs (ties count ½). */
function pipAuc(pip: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < beta.length; i++) {
    if (beta[i] === 0) continue;
    for (let j = 0; j < beta.length; j++) {
      if (beta[j] !== 0) continue;
      pairs++;
      wins += pip[i]! > pip[j]! ? 1 : pip[i] === pip[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Genetic values from the true effects and a PGS from per-allele weights, in an independent cohort (cohort key 1). */
function validationScores(weights: readonly number[]): { gTrue: Float64Array; pgs: Float64Array } {
  const source = copulaSource(refFreq, 0.95, N_VAL, SEED, 1);
  const dos = new Uint8Array(BLOCK_SNPS * N_VAL);
  const gTrue = new Float64Array(N_VAL);
  const pgs = new Float64Array(N_VAL);
  for (let b = 0; b < N_BLOCKS; b++) {
    const first = b * BLOCK_SNPS;
    source.fillBlock({ first, end: first + BLOCK_SNPS, chrom: String(b + 1), startBp: 0, endBp: 1e6 }, b, dos);
    for (let j = 0; j < BLOCK_SNPS; j++) {
      const s = first + j;
      const f = refFreq[s]!;
      const sd = Math.sqrt(2 * f * (1 - f));
      for (let i = 0; i < N_VAL; i++) {
        const x = dos[j * N_VAL + i]! - 2 * f;
        gTrue[i]! += (x / sd) * beta[s]!;
        pgs[i]! += x * weights[s]!; // per-allele weights as any scorer applies them
      }
    }
  }
  return { gTrue, pgs };
}

/** True standardised effects: N_CAUSAL normal effects scaled so that βᵀRβ = H2. */
function drawTruth(): void {
  const rng = Rng.stream(SEED, 2);
  const m = BLOCK_SNPS;
  for (let c = 0; c < N_CAUSAL; c++) beta[rng.below(beta.length)] = rng.normal();
  let g = 0;
  panel.correlations.forEach((r, b) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) g += beta[b * m + i]! * r[i * m + j]! * beta[b * m + j]!;
  });
  for (let j = 0; j < beta.length; j++) beta[j] = beta[j]! * Math.sqrt(H2 / g);
}

/** COJO .ma whose standardised b̂ is R(βf) + ε exactly (se chosen so that b/sqrt(N se² + b²) = b̂). */
async function writeSumstats(path: string, factor: number, noiseKey: number, nGwas = N_GWAS): Promise<void> {
  const rng = Rng.stream(SEED, noiseKey);
  const m = BLOCK_SNPS;
  const lines = ['SNP A1 A2 freq b se p N'];
  panel.correlations.forEach((r, b) => {
    const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
    const z = Float64Array.from({ length: m }, () => rng.normal());
    for (let i = 0; i < m; i++) {
      let rb = 0;
      let e = 0;
      for (let j = 0; j < m; j++) rb += r[i * m + j]! * beta[b * m + j]! * factor;
      for (let t = 0; t < m; t++) e += vectors[t * m + i]! * Math.sqrt(Math.max(values[t]!, 0)) * z[t]!;
      const bhat = rb + e / Math.sqrt(nGwas);
      const s = b * m + i;
      const f = panel.snps.a1Freq[s]!;
      const sdx = Math.sqrt(2 * f * (1 - f));
      lines.push(`${panel.snps.id[s]} A G ${f} ${bhat / sdx} ${Math.sqrt((1 - bhat * bhat) / nGwas) / sdx} 0.5 ${nGwas}`);
    }
  });
  await writeFile(path, `${lines.join('\n')}\n`);
}

interface EffectRow {
  snp: string;
  beta: number;
  pip: number;
}

async function readEffects(path: string): Promise<EffectRow[]> {
  const [header, ...rows] = (await readFile(path, 'utf8')).trim().split('\n');
  expect(header).toBe('SNP\tA1\tBETA\tSE\tPIP\tBETAlast');
  return rows.map((l) => {
    const f = l.split('\t');
    return { snp: f[0]!, beta: Number(f[2]), pip: Number(f[4]) };
  });
}

const covariance = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let sx = 0, sy = 0, sxy = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    sx += x[i]!; sy += y[i]!; sxy += x[i]! * y[i]!;
  }
  return (sxy - (sx * sy) / n) / (n - 1);
};

const corr = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    sx += x[i]!; sy += y[i]!; sxx += x[i]! ** 2; syy += y[i]! ** 2; sxy += x[i]! * y[i]!;
  }
  return (sxy - (sx * sy) / n) / Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgsflow-sbayesrc-'));
  await writeReferenceBed(join(dir, 'ref'));
  panel = await ldPanelFromBed(join(dir, 'ref'), join(dir, 'ld'), BLOCK_SNPS, 0.995);
  drawTruth();
  await writeSumstats(join(dir, 'gwas.ma'), 1, 3);
  await writeSumstats(join(dir, 'gwas01.ma'), Math.sqrt(0.1 / H2), 4); // h² = 0.1
  await writeSumstats(join(dir, 'gwas01n10k.ma'), Math.sqrt(0.1 / H2), 8, 10_000); // h² = 0.1, N = 10,000: weak signal
  // Annotations: 'enriched' covers every causal SNP and 10 % of the rest, 'noise' a random 30 %.
  const rng = Rng.stream(SEED, 5);
  const rows = ['SNP\tIntercept\tenriched\tnoise\tcont'];
  for (let j = 0; j < beta.length; j++) {
    const enriched = beta[j] !== 0 || rng.uniform() < 0.1 ? 1 : 0;
    rows.push(`${panel.snps.id[j]}\t1\t${enriched}\t${rng.uniform() < 0.3 ? 1 : 0}\t${rng.normal().toFixed(4)}`);
  }
  await writeFile(join(dir, 'annot.txt'), `${rows.join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pgsflow fit (SBayesR) on simulated truth', () => {
  it('recovers h² and the effects', async () => {
    const out: string[] = [];
    const code = await fitCommand.run(
      { values: { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'fit'), seed: '11', json: true }, positionals: [] },
      { stdout: (t) => out.push(t), stderr: () => undefined, onInterrupt: () => () => undefined },
    );
    expect(code).toBe(0);
    const summary = JSON.parse(out.join('')) as { h2: { mean: number; sd: number }; nnz: { mean: number }; sweepsPerSecond: number; removedSnps: string[] };
    const effects = await readEffects(join(dir, 'fit.txt'));
    expect(effects.map((e) => e.snp)).toEqual(panel.snps.id);
    // Back on the standardised scale: β̄_std = BETA · sd(x) (s_j = 1/sd(x) here).
    const post = effects.map((e, j) => e.beta * Math.sqrt(2 * panel.snps.a1Freq[j]! * (1 - panel.snps.a1Freq[j]!)));
    const r = corr(post, beta);
    let pipCausal = 0;
    for (let j = 0; j < beta.length; j++) if (beta[j] !== 0) pipCausal += effects[j]!.pip / N_CAUSAL;
    console.log(
      `SBayesR simulated (3 × 150 SNPs, ρ = 0.95, N = 50,000): h² ${summary.h2.mean.toFixed(4)} ± ${summary.h2.sd.toFixed(4)} (truth ${H2}),` +
        ` r(β̄, β) = ${r.toFixed(3)}, nnz ${summary.nnz.mean.toFixed(1)}, mean causal PIP ${pipCausal.toFixed(2)},` +
        ` ${summary.sweepsPerSecond.toFixed(0)} sweeps/s, removed ${summary.removedSnps.length}`,
    );
    expect(Math.abs(summary.h2.mean / H2 - 1)).toBeLessThan(0.1);
    expect(r).toBeGreaterThan(0.8);

    // Prediction in an independent simulated cohort (same LD model, cohort key 1).
    const { gTrue, pgs } = validationScores(effects.map((e) => e.beta));
    const noise = Rng.stream(SEED, 6);
    const y = Float64Array.from(gTrue, (g) => g + Math.sqrt(1 - H2) * noise.normal());
    const r2Fit = corr(pgs, y) ** 2;
    const r2True = corr(gTrue, y) ** 2;
    const slope = covariance(pgs, y) / covariance(pgs, pgs);
    console.log(`validation (n = ${N_VAL}): R² ${r2Fit.toFixed(4)} vs true effects ${r2True.toFixed(4)} (ratio ${(r2Fit / r2True).toFixed(3)}), calibration slope ${slope.toFixed(3)}`);
    expect(r2Fit / r2True).toBeGreaterThan(0.9);
    // Slope SE ≈ sqrt((1 − R²)/(n R²)) ≈ 0.018 here: 0.9–1.1 is > 5 SE either side.
    expect(slope).toBeGreaterThan(0.9);
    expect(slope).toBeLessThan(1.1);
    const par = await readFile(join(dir, 'fit.par'), 'utf8');
    expect(par).toMatch(/^Item\tMean\tSD\nhsq\t/);
    // The reference's rows first, in its order; hsq as in the summary, SDs from the draws.
    const parRows = par.trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    expect(parRows.slice(0, REFERENCE_PAR_ROWS.length).map((f) => f[0])).toEqual([...REFERENCE_PAR_ROWS]);
    expect(Number(parRows[0]![1])).toBeCloseTo(summary.h2.mean, 5);
    expect(Number(parRows[0]![2])).toBeCloseTo(summary.h2.sd, 5);
    for (const f of parRows.slice(0, REFERENCE_PAR_ROWS.length)) expect(Number.isFinite(Number(f[2])), f[0]).toBe(true);
  });

  it('recovers h² = 0.1', async () => {
    const res = await fitOnFiles({ sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'fit01'), seed: 3 });
    const s = res.summary!;
    console.log(`SBayesR h² = 0.1: estimate ${s.h2.mean.toFixed(4)} ± ${s.h2.sd.toFixed(4)}`);
    expect(Math.abs(s.h2.mean / 0.1 - 1)).toBeLessThan(0.1);
  });

  it('SBayesRC with annotations ranks the truly enriched annotation first', async () => {
    const res = await fitOnFiles({ sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), annot: join(dir, 'annot.txt'), out: join(dir, 'rc'), seed: 4 });
    const s = res.summary!;
    expect(s.method).toBe('SBayesRC');
    expect(s.annotations).toEqual(['Intercept', 'enriched', 'noise', 'cont']);
    const [, enriched, noise, cont] = s.enrichment;
    console.log(
      `SBayesRC: h² ${s.h2.mean.toFixed(4)} (truth ${H2}); enrichment enriched ${enriched!.toFixed(2)}, noise ${noise!.toFixed(2)}, cont ${cont!.toFixed(2)};` +
        ` α level 0 ${s.alpha[0]!.map((a) => a.toFixed(2)).join(' ')}; ${s.sweepsPerSecond.toFixed(0)} sweeps/s`,
    );
    expect(Math.abs(s.h2.mean / H2 - 1)).toBeLessThan(0.1);
    expect(enriched!).toBeGreaterThan(2);
    expect(enriched!).toBeGreaterThan(noise!);
    expect(Math.abs(cont! - 1)).toBeLessThan(0.5); // continuous noise column: about no enrichment per SD
    // A SNP with the enriched annotation is more likely non-zero than one with the intercept only.
    const joint = s.jointProbabilities;
    expect(joint[1]![0]!).toBeLessThan(joint[0]![0]!);
    expect(joint[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(s.alpha[0]![1]!).toBeGreaterThan(0);
    // The PGS Catalog file is readable by the scoring reader.
    const w = await readWeightFile(res.files.pgs);
    expect(w.format).toBe('pgs-catalog');
  });

  it('with annotation-driven truth, SBayesRC beats SBayesR on PIP and prediction (h² = 0.1, N = 10,000)', async () => {
    const r = await fitOnFiles({ sumstats: join(dir, 'gwas01n10k.ma'), ld: join(dir, 'ld'), out: join(dir, 'cmp-r'), seed: 12 });
    const rc = await fitOnFiles({ sumstats: join(dir, 'gwas01n10k.ma'), ld: join(dir, 'ld'), annot: join(dir, 'annot.txt'), out: join(dir, 'cmp-rc'), seed: 12 });
    const eff = [await readEffects(r.files.txt), await readEffects(rc.files.txt)];
    const h2 = 0.1;
    const f = Math.sqrt(h2 / H2); // gwas01.ma's effects are β·f
    const noise = Rng.stream(SEED, 7);
    const out = eff.map((e) => {
      let pip = 0;
      let pipNull = 0;
      for (let j = 0; j < beta.length; j++) {
        if (beta[j] !== 0) pip += e[j]!.pip / N_CAUSAL;
        else pipNull += e[j]!.pip / (beta.length - N_CAUSAL);
      }
      const { gTrue, pgs } = validationScores(e.map((x) => x.beta));
      return { pip, pipNull, auc: pipAuc(e.map((x) => x.pip)), gTrue, pgs };
    });
    const y = Float64Array.from(out[0]!.gTrue, (g) => g * f + Math.sqrt(1 - h2) * noise.normal());
    const r2 = out.map((o) => corr(o.pgs, y) ** 2);
    console.log(
      `h² = 0.1, N = 10,000, SBayesR vs SBayesRC: mean PIP causal ${out[0]!.pip.toFixed(3)} vs ${out[1]!.pip.toFixed(3)},` +
        ` null ${out[0]!.pipNull.toFixed(3)} vs ${out[1]!.pipNull.toFixed(3)}, PIP AUC ${out[0]!.auc.toFixed(3)} vs ${out[1]!.auc.toFixed(3)},` +
        ` validation R² ${r2[0]!.toFixed(4)} vs ${r2[1]!.toFixed(4)}`,
    );
    expect(out[1]!.auc).toBeGreaterThan(out[0]!.auc);
    expect(out[1]!.pip).toBeGreaterThan(out[0]!.pip);
    // 450 SNPs leave little room in R² (0.0778 → 0.0797 at the time of writing): assert no loss, not a margin.
    expect(r2[1]!).toBeGreaterThan(0.99 * r2[0]!);
  });

  it('a fit stopped at a checkpoint and run again resumes and writes identical effects', async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'whole'), iterations: 600, burnIn: 200, seed: 5, checkpointEvery: 100 };
    await fitOnFiles(base);
    // The resumed run uses 2 threads: thread count and resume both leave the numbers unchanged.
    const part = { ...base, out: join(dir, 'part'), threads: 2 };
    const stopped = await fitOnFiles({ ...part, stopAfter: 345 });
    expect(stopped.summary).toBeNull();
    const resumed = await fitOnFiles(part);
    expect(resumed.summary?.resumedFromSweep).toBe(345);
    expect(await readFile(join(dir, 'part.txt'), 'utf8')).toBe(await readFile(join(dir, 'whole.txt'), 'utf8'));
    expect(await readFile(join(dir, 'part.par'), 'utf8')).toBe(await readFile(join(dir, 'whole.par'), 'utf8'));
  });

  it('--tune scores every cut-off of the grid and records the decision', async () => {
    const out: string[] = [];
    const code = await fitCommand.run(
      { values: { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'tuned'), tune: '0.995,0.99,0.95,0.9', iterations: '300', 'burn-in': '100' }, positionals: [] },
      { stdout: (t) => out.push(t), stderr: () => undefined, onInterrupt: () => () => undefined },
    );
    expect(code).toBe(0);
    const s = JSON.parse(await readFile(join(dir, 'tuned.json'), 'utf8')) as { cutoff: number; tuning: { scores: { cutoff: number; r: number }[]; decision: string; reason: string } };
    console.log(`tuning: ${s.tuning.scores.map((x) => `${x.cutoff}: ${x.r.toFixed(4)}`).join(', ')} → ${s.cutoff} (${s.tuning.decision}: ${s.tuning.reason})`);
    expect(s.tuning.scores.map((x) => x.cutoff).slice(0, 4)).toEqual([0.995, 0.99, 0.95, 0.9]);
    // The LD of the GWAS is the panel's here, so there is no reason to leave 0.995.
    expect(s.tuning.scores[0]!.r).toBeGreaterThan(0);
    expect(s.cutoff).toBe(0.995);
    expect(out.join('')).toContain('cut-off 0.995 (tuned');
  });

  it('--chains 2 pools two chains and reports R-hat and ESS; resuming mid-way through chain 2 changes nothing', async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'chains'), iterations: 400, burnIn: 150, seed: 8, chains: 2, checkpointEvery: 50 };
    const whole = (await fitOnFiles(base)).summary!;
    const cv = whole.convergence!;
    console.log(`2 chains: h² ${whole.h2.mean.toFixed(4)}, R-hat h² ${cv.rhat.h2.toFixed(3)} nnz ${cv.rhat.nnz.toFixed(3)} σ²e ${cv.rhat.sigma2e.toFixed(3)}, ESS h² ${cv.ess.h2.toFixed(0)} of 500 draws`);
    expect(cv.chains).toBe(2);
    expect(cv.rhat.h2).toBeLessThan(1.1);
    expect(cv.ess.h2).toBeGreaterThan(20);
    expect(whole.draws).toBe(500);
    expect(Math.abs(whole.h2.mean / 0.1 - 1)).toBeLessThan(0.15);
    const part = { ...base, out: join(dir, 'chains-part') };
    // Chain 1 completes; chain 2 stops at its sweep 120; a rerun resumes from both checkpoints.
    const first = await fitOnFiles({ ...part, stopAfter: 520 });
    expect(first.sweep).toBe(520);
    expect(first.summary).toBeNull();
    const resumed = await fitOnFiles(part);
    expect(resumed.summary!.resumedFromSweep).toBe(520);
    expect(await readFile(join(dir, 'chains-part.txt'), 'utf8')).toBe(await readFile(join(dir, 'chains.txt'), 'utf8'));
    expect(resumed.summary!.h2).toEqual(whole.h2);
  });

  it('--chains 2 --threads 2 runs the chains in lockstep with identical results; a lockstep run stopped part-way resumes to them too', async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'chains-seq'), iterations: 300, burnIn: 100, seed: 4, chains: 2, checkpointEvery: 50 };
    await fitOnFiles(base);
    const together = { ...base, out: join(dir, 'chains-lockstep'), threads: 2 };
    const seen = new Set<number>();
    const both = await fitOnFiles(together, (_r, chain) => seen.add(chain));
    expect([...seen].sort()).toEqual([0, 1]);
    expect(both.summary!.convergence!.chains).toBe(2);
    expect(await readFile(`${together.out}.txt`, 'utf8')).toBe(await readFile(`${base.out}.txt`, 'utf8'));
    expect(await readFile(`${together.out}.par`, 'utf8')).toBe(await readFile(`${base.out}.par`, 'utf8'));
    // Stopped part-way three times: chain 1 to 150; chain 1 on to the end while chain 2 runs to
    // 150 beside it (lockstep with one chain ahead); then the rest, from both checkpoints.
    const part = { ...together, out: join(dir, 'chains-lockstep-part') };
    const first = await fitOnFiles({ ...part, stopAfter: 150 });
    expect(first.summary).toBeNull();
    const c0 = await readFile(`${part.out}.ckpt`);
    await fitOnFiles({ ...part, stopAfter: 450 }); // chain 1 complete, chain 2 to its sweep 150
    expect((await readFile(`${part.out}.ckpt`)).equals(c0)).toBe(false);
    const resumed = await fitOnFiles(part);
    expect(resumed.summary!.resumedFromSweep).toBe(300 + 150);
    expect(await readFile(`${part.out}.txt`, 'utf8')).toBe(await readFile(`${base.out}.txt`, 'utf8'));
  });

  it('a cancelled fit stops after the sweep in progress, checkpoints every chain there, and a rerun gives identical effects (one after another; in lockstep)', async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'cancel-whole'), iterations: 300, burnIn: 100, seed: 6, chains: 2, checkpointEvery: 0 };
    await fitOnFiles(base);
    for (const threads of [1, 2]) {
      const part = { ...base, out: join(dir, `cancel-${threads}`), threads };
      const stop = new AbortController();
      const written: CheckpointWritten[] = [];
      const r = await fitOnFiles(part, (rep, chain) => (chain === 0 && rep.sweep === 137 ? stop.abort() : undefined), (c) => written.push(c), stop.signal);
      expect(r.cancelled).toBe(true);
      expect(r.summary).toBeNull();
      expect(existsSync(`${part.out}.txt`)).toBe(false);
      // One after another only chain 1 had started; in lockstep both stood at sweep 137.
      const want = threads === 1 ? [{ chain: 0, sweep: 137 }] : [{ chain: 0, sweep: 137 }, { chain: 1, sweep: 137 }];
      expect(written.map(({ chain, sweep }) => ({ chain, sweep }))).toEqual(want);
      expect(r.sweep).toBe(137 * want.length);
      const resumed = await fitOnFiles(part);
      expect(resumed.summary!.resumedFromSweep).toBe(137 * want.length);
      expect(await readFile(`${part.out}.txt`, 'utf8')).toBe(await readFile(`${base.out}.txt`, 'utf8'));
      expect(await readFile(`${part.out}.par`, 'utf8')).toBe(await readFile(`${base.out}.par`, 'utf8'));
    }
  });

  it('pgsflow fit: Ctrl-C checkpoints the chain at the sweep it reached; the same command then finishes with the same effects', async () => {
    const values = { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), iterations: '3000', 'burn-in': '100', seed: '5' };
    const quiet = { stdout: () => undefined, stderr: () => undefined, onInterrupt: () => () => undefined };
    expect(await fitCommand.run({ values: { ...values, out: join(dir, 'cli-whole') }, positionals: [] }, quiet)).toBe(0);
    let interrupt: (() => Promise<void>) | undefined;
    const err: string[] = [];
    const ctx = {
      stdout: () => undefined,
      stderr: (t: string) => {
        err.push(t);
        if (t.startsWith('sweep 600/')) void interrupt?.(); // what Ctrl-C runs, from inside the sweep-600 progress line
      },
      onInterrupt: (fn: () => Promise<void>) => {
        interrupt = fn;
        return () => (interrupt = undefined);
      },
    };
    const args = { values: { ...values, out: join(dir, 'cli-cancel') }, positionals: [] };
    expect(await fitCommand.run(args, ctx)).toBe(1);
    expect(err.join('')).toContain(`fit interrupted after 600 sweeps, checkpointed in ${join(dir, 'cli-cancel.ckpt')}`);
    expect(interrupt).toBeUndefined(); // released once the fit ended
    expect(await fitCommand.run(args, quiet)).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'cli-cancel.json'), 'utf8'))).toMatchObject({ resumedFromSweep: 600 });
    expect(await readFile(join(dir, 'cli-cancel.txt'), 'utf8')).toBe(await readFile(join(dir, 'cli-whole.txt'), 'utf8'));
  });

  it("resumeFrom: a fit with no checkpoint of its own continues an earlier run's matching checkpoints (copied over); a non-matching one is ignored", async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'rf-whole'), iterations: 300, burnIn: 100, seed: 9, chains: 2, checkpointEvery: 50 };
    await fitOnFiles(base);
    const earlier = { ...base, out: join(dir, 'rf-earlier') };
    expect((await fitOnFiles({ ...earlier, stopAfter: 420 })).summary).toBeNull(); // chain 1 done, chain 2 at 120
    const later = { ...base, out: join(dir, 'rf-later'), resumeFrom: earlier.out };
    // One sweep further, then stopped: the earlier checkpoints were adopted and are now its own.
    expect((await fitOnFiles({ ...later, stopAfter: 421 })).summary).toBeNull();
    expect(existsSync(`${later.out}.ckpt`) && existsSync(`${later.out}.chain1.ckpt`)).toBe(true);
    const r = await fitOnFiles(later);
    expect(r.summary!.resumedFromSweep).toBe(421);
    expect(await readFile(`${later.out}.txt`, 'utf8')).toBe(await readFile(`${base.out}.txt`, 'utf8'));
    expect(existsSync(`${earlier.out}.chain1.ckpt`)).toBe(true); // the earlier run's files are left as they were
    // Another seed: the earlier checkpoints do not match its fingerprint, so it starts afresh.
    const other = await fitOnFiles({ ...base, seed: 10, out: join(dir, 'rf-other'), resumeFrom: earlier.out });
    expect(other.summary!.resumedFromSweep).toBeNull();
    // keepFinalCheckpoint (the study's fit activity): a finished fit leaves its checkpoints for
    // recordFit to remove, so a run interrupted in between is not fitted again on resume.
    const kept = { ...base, out: join(dir, 'rf-kept'), keepFinalCheckpoint: true };
    await fitOnFiles(kept);
    expect(existsSync(`${kept.out}.ckpt`) && existsSync(`${kept.out}.chain1.ckpt`)).toBe(true);
    const after = await fitOnFiles({ ...base, out: join(dir, 'rf-after'), resumeFrom: kept.out });
    expect(after.summary!.resumedFromSweep).toBe(600); // both chains at their end: nothing to sweep
    expect(await readFile(`${join(dir, 'rf-after')}.txt`, 'utf8')).toBe(await readFile(`${base.out}.txt`, 'utf8'));
    expect(existsSync(`${join(dir, 'rf-after')}.ckpt`)).toBe(false);
    await removeFitCheckpoints(kept.out);
    expect(existsSync(`${kept.out}.ckpt`) || existsSync(`${kept.out}.chain1.ckpt`)).toBe(false);
    // A missing earlier run is no error either.
    const none = await fitOnFiles({ ...base, iterations: 120, burnIn: 20, chains: 1, out: join(dir, 'rf-none'), resumeFrom: join(dir, 'no-such-run') });
    expect(none.summary!.resumedFromSweep).toBeNull();
  });

  it('activity: a cancellation ends the fit within a sweep as CancelledFailure, its checkpoint heartbeated; the next attempt resumes there', async () => {
    const req = { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'act-cancel'), iterations: 5000, burnIn: 100, checkpointEvery: 1000 };
    const env = new MockActivityEnvironment();
    const beats: FitHeartbeat[] = [];
    env.on('heartbeat', (d: unknown) => {
      beats.push(d as FitHeartbeat);
      if ((d as FitHeartbeat).sweep >= 60) env.cancel();
    });
    const { fitSbayesrc } = makeFitActivities();
    await expect(env.run(fitSbayesrc, req)).rejects.toBeInstanceOf(CancelledFailure);
    const last = beats.at(-1)!;
    // Cancelled at the heartbeat of sweep 60; the chain ends after the sweep then in progress.
    expect(last.checkpoint?.sweep).toBeGreaterThanOrEqual(60);
    expect(last.checkpoint!.sweep).toBeLessThan(1000);
    expect(createHash('sha256').update(await readFile(last.checkpoint!.path)).digest('hex')).toBe(last.checkpoint!.sha256);
    const again = new MockActivityEnvironment();
    const summary = (await again.run(fitSbayesrc, { ...req, iterations: 5000 })) as { resumedFromSweep: number | null };
    expect(summary.resumedFromSweep).toBe(last.checkpoint!.sweep);
  });

  it('activity: heartbeats progress and each checkpoint; bad input is non-retryable', async () => {
    const env = new MockActivityEnvironment();
    const beats: FitHeartbeat[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d as FitHeartbeat));
    const { fitSbayesrc } = makeFitActivities();
    const req = { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'act'), iterations: 200, burnIn: 50, checkpointEvery: 50 };
    const summary = (await env.run(fitSbayesrc, req)) as { draws: number };
    expect(summary.draws).toBe(150);
    const cps = beats.filter((b) => b.checkpoint !== null).map((b) => b.checkpoint!);
    expect([...new Set(cps.map((c) => c.sweep))]).toEqual([50, 100, 150]);
    expect(cps[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(beats.some((b) => b.sweep === 200 || b.sweep === 190)).toBe(true);
    await expect(env.run(fitSbayesrc, { ...req, cutoff: 2 })).rejects.toMatchObject({ type: 'BadInputError', nonRetryable: true });
  });

  it('a process that fitted with block worker threads exits by itself (pooled workers never keep it alive)', async () => {
    const req: FitRequest = { sumstats: join(dir, 'gwas.ma'), ld: join(dir, 'ld'), out: join(dir, 'threads-exit'), iterations: 120, burnIn: 40, threads: 2 };
    const fitFilesUrl = new URL('../../core/sbayesrc/fitFiles.ts', import.meta.url).href;
    const code = `const { fitOnFiles } = await import(${JSON.stringify(fitFilesUrl)}); await fitOnFiles(${JSON.stringify(req)});`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code0 = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code0).toBe(0);
    expect(existsSync(`${req.out}.txt`)).toBe(true);
  });

  it('a fit process killed with SIGKILL after a checkpoint and run again gives bit-identical effects', async () => {
    const base: FitRequest = { sumstats: join(dir, 'gwas01.ma'), ld: join(dir, 'ld'), out: join(dir, 'killed'), iterations: 6000, burnIn: 1000, seed: 21, checkpointEvery: 100 };
    const fitFilesUrl = new URL('../../core/sbayesrc/fitFiles.ts', import.meta.url).href;
    const code = `const { fitOnFiles } = await import(${JSON.stringify(fitFilesUrl)}); await fitOnFiles(${JSON.stringify(base)});`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    let killedAt = -1;
    for (let i = 0; i < 3000 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (existsSync(`${base.out}.ckpt`)) {
        child.kill('SIGKILL');
        killedAt = i;
        break;
      }
    }
    await exited;
    expect(killedAt).toBeGreaterThanOrEqual(0); // killed mid-run, not finished
    expect(existsSync(`${base.out}.txt`)).toBe(false);
    const resumed = await fitOnFiles(base);
    expect(resumed.summary!.resumedFromSweep).toBeGreaterThan(0);
    await fitOnFiles({ ...base, out: join(dir, 'unkilled') });
    expect(await readFile(`${base.out}.txt`, 'utf8')).toBe(await readFile(join(dir, 'unkilled.txt'), 'utf8'));
    console.log(`SIGKILL test: resumed from sweep ${resumed.summary!.resumedFromSweep} of ${base.iterations}`);
  });

  it('refuses summary statistics that do not cover the panel', async () => {
    const lines = (await readFile(join(dir, 'gwas.ma'), 'utf8')).trim().split('\n');
    await writeFile(join(dir, 'partial.ma'), `${lines.slice(0, -5).join('\n')}\n`);
    await expect(fitOnFiles({ sumstats: join(dir, 'partial.ma'), ld: join(dir, 'ld'), out: join(dir, 'bad'), iterations: 10, burnIn: 5 })).rejects.toThrow(/run `pgsflow impute` first/);
  });
});
