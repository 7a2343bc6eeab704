// Mixing weights from summary statistics on files (summaryWeights.ts): every ancestry's effects
// file standardised on the target LD panel, then per LD block c and Σ (one eigen block in memory
// at a time) and the solve.
//
// Where c comes from. A score fitted on another cohort is independent of the target GWAS, so
// c_a = β̃_aᵀ r over the whole target GWAS (all of its N, not only a validation half). The
// target's own full-GWAS score shares the GWAS's noise, so its c is not read from r: with its
// method refitted on the in-silico training half (`targetHalf`, N_t = f·N), c_T = s·Σ_T,full:
// the full fit's LD-implied score variance times its calibration slope s. The validation half
// measures the half fit's slope, s_v = c_half/Σ_half (c_half = β̃_halfᵀ r_v), SE_v =
// 1/sqrt(N_v·Σ_half) (Var c_half = Σ_half/N_v). A fit with estimated priors is over- or
// under-shrunk by an amount that fades as its GWAS grows (measured: half fits of 2,000 at slope
// 1.34 where the full 4,000 had 1.10), taken here as (s − 1) ∝ 1/N, so the full fit's slope is
// 1 + f·(s_v − 1); that step is combined by precision with a prior at 1 (a posterior mean is
// calibrated when its model fits), SD τ = CALIBRATION_PRIOR_SD:
//   s = 1 + λ·f·(s_v − 1),  λ = (f·SE_v)⁻² / ((f·SE_v)⁻² + τ⁻²).
// Per block, c_T,b = Σ_T,b + λ·f·(κ·c_half,b − Σ_T,b) with κ = Σ_T,full/Σ_half, which sums to
// s·Σ_T,full and lets the block jackknife see the validation noise that s carries.
// Σ uses the full fits throughout: they are what the combined score sums.
import { writeFileAtomic } from '../files/atomicWrite.js';
import { readLdFolder } from '../formats/ldFolder.js';
import { readSumstats } from '../formats/sumstats.js';
import type { LdFolder } from '../formats/types.js';
import { median } from '../numeric/stats/median.js';
import { MetricInputError } from '../errors.js';
import { readEffects } from '../sbayesrc/fitStore.js';
import { readPanelBlock, summaryCorrelations } from './pseudoSplit.js';
import { gwasOnPanel } from './summarySplitFiles.js';
import { type ScoreBlockMoments, blockMoments, standardisedEffects, summaryWeights } from './summaryWeights.js';
import type { SummaryMixingRequest, SummaryMixingResult, TargetCalibration } from '../../contracts/summaryWeighting.js';

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** τ: prior SD of the target fit's calibration slope around 1 (see the file head). */
export const CALIBRATION_PRIOR_SD = 0.1;

/** Marginal correlations of a panel-aligned GWAS on every panel SNP (0 where it lacks one), and its median N. */
async function panelCorrelations(path: string, panel: LdFolder): Promise<{ r: Float64Array; n: number }> {
  const g = gwasOnPanel(await readSumstats(path), panel);
  const n = g.n.filter((_, j) => g.present[j] === 1);
  if (n.length === 0) throw new MetricInputError(`the GWAS ${path} has no SNP of the LD panel ${panel.dir}`);
  const { r } = summaryCorrelations(
    Float64Array.from(g.b, (v, j) => (g.present[j] ? v : 0)),
    Float64Array.from(g.se, (v, j) => (g.present[j] ? v : 1)),
    Float64Array.from(g.n, (v, j) => (g.present[j] ? v : 1)),
  );
  return { r, n: median(n) };
}

export async function summaryMixingOnFiles(req: SummaryMixingRequest, onBlock?: (block: number, blocks: number) => void): Promise<SummaryMixingResult> {
  const nA = req.effects.length;
  if (nA === 0 || nA !== req.names.length) throw new MetricInputError(`${nA} effects files for ${req.names.length} score names`);
  const half = req.targetHalf;
  if (half !== undefined && !(Number.isInteger(half.index) && half.index >= 0 && half.index < nA)) throw new MetricInputError(`target half fit index ${half.index} for ${nA} scores`);
  const panel = await readLdFolder(req.ld);
  const m = panel.snps.id.length;
  const full = await panelCorrelations(req.sumstats, panel);
  const valid = half === undefined ? null : await panelCorrelations(req.validSumstats, panel);
  const panelSnps = { id: panel.snps.id, a1: panel.snps.a1, a2: panel.snps.a2, a1Freq: panel.snps.a1Freq };
  const matched: number[] = [];
  const notMatched: number[] = [];
  const beta: Float64Array[] = [];
  // The half fit, when given, is scored last (index A): its block moments give Σ_half.
  for (const file of half === undefined ? req.effects : [...req.effects, half.effects]) {
    const e = await readEffects(file);
    const s = standardisedEffects(panelSnps, e.snp.map((snp, i) => ({ snp, a1: e.a1[i]!, beta: e.beta[i]! })));
    beta.push(s.beta);
    matched.push(s.matched);
    notMatched.push(s.notInPanel + s.mismatched);
  }
  const moments: ScoreBlockMoments[] = [];
  const cHalfValid: number[] = [];
  const blocks = panel.info.numSnps.length;
  let first = 0;
  for (let b = 0; b < blocks; b++) {
    const mb = panel.info.numSnps[b]!;
    const eigen = await readPanelBlock(panel, b);
    const part = (x: Float64Array): Float64Array => x.subarray(first, first + mb);
    moments.push(blockMoments(eigen, beta.map(part), part(full.r)));
    if (valid !== null) {
      const bh = part(beta[nA]!);
      const rv = part(valid.r);
      let c = 0;
      for (let j = 0; j < mb; j++) c += bh[j]! * rv[j]!;
      cHalfValid.push(c);
    }
    first += mb;
    onBlock?.(b + 1, blocks);
  }
  if (first !== m) throw new MetricInputError(`LD panel ${req.ld}: blocks hold ${first} SNPs, snp.info ${m}`);
  const { moments: used, calibration } = half === undefined ? { moments, calibration: null } : withTargetFromHalf(moments, cHalfValid, { nA, target: half.index, name: req.names[half.index]!, nValid: valid!.n, trainFraction: half.trainFraction });
  // The validation-noise SE is that of the target's slope: N_v when the target trains, else N.
  const nValid = valid?.n ?? full.n;
  const w = summaryWeights(used, { names: req.names, nValid });
  const result: SummaryMixingResult = {
    out: req.out,
    names: [...req.names],
    rawWeights: Array.from(w.weights),
    rawWeightSe: Array.from(w.weightSe, finiteOrNull),
    standardisedWeights: Array.from(w.standardisedWeights),
    standardisedWeightSe: Array.from(w.standardisedWeightSe, finiteOrNull),
    r2: w.r2,
    r2Se: finiteOrNull(w.r2Se),
    singleR2: Array.from(w.singleR2),
    n: full.n,
    nValid,
    dropped: w.dropped.map((d) => ({ name: d.name, reason: d.reason, detail: d.detail })),
    matched: matched.slice(0, nA),
    notMatched: notMatched.slice(0, nA),
    jackknifeBlocks: w.jackknifeBlocks,
    blocks: w.blocks,
    targetCalibration: calibration,
  };
  const record = {
    ...result,
    weightCov: Array.from(w.weightCov, finiteOrNull),
    standardisedWeightCov: Array.from(w.standardisedWeightCov, finiteOrNull),
    weightSeValidation: Array.from(w.weightSeValidation, finiteOrNull),
    c: Array.from(w.c),
    sigma: Array.from(w.sigma),
    r2Adjusted: finiteOrNull(w.r2Adjusted),
    singularReplicates: w.singularReplicates,
  };
  await writeFileAtomic(req.out, `${JSON.stringify(record, null, 2)}\n`);
  return result;
}

export interface TargetHalf {
  /** Scores besides the half fit, and the target's index among them. */
  nA: number;
  target: number;
  name: string;
  /** Validation GWAS size N_v and the training fraction f = N_t/N of the half fit. */
  nValid: number;
  trainFraction: number;
  /** τ (default CALIBRATION_PRIOR_SD); Infinity: no prior, 0: slope 1 by assumption. */
  priorSd?: number;
}

/**
 * Moments of the A full fits from those of A + 1 scores (the half fit last, Σ on the target LD)
 * and the half fit's validation covariance per block: the target's c per block replaced by
 * Σ_T,b + λ·f·(κ·c_half,b − Σ_T,b) (file head), Σ restricted to the full fits. Pure.
 */
export function withTargetFromHalf(moments: readonly ScoreBlockMoments[], cHalfValid: readonly number[], t: TargetHalf): { moments: ScoreBlockMoments[]; calibration: TargetCalibration } {
  const { nA, target, name, nValid, trainFraction: f } = t;
  const priorSd = t.priorSd ?? CALIBRATION_PRIOR_SD;
  if (cHalfValid.length !== moments.length) throw new MetricInputError(`${cHalfValid.length} half-fit covariances for ${moments.length} blocks`);
  if (!(nValid > 0)) throw new MetricInputError(`validation GWAS size ${nValid}`);
  if (!(f > 0 && f < 1)) throw new MetricInputError(`training fraction ${f} is not in (0, 1)`);
  const n1 = nA + 1;
  let sFull = 0;
  let sHalf = 0;
  let cHalf = 0;
  moments.forEach((m, b) => {
    sFull += m.sigma[target * n1 + target]!;
    sHalf += m.sigma[nA * n1 + nA]!;
    cHalf += cHalfValid[b]!;
  });
  if (!(sHalf > 0)) throw new MetricInputError(`the target's half fit (${name}) has no effect on the target LD panel: its score has no variance`);
  const kappa = sFull / sHalf;
  const validSlope = cHalf / sHalf;
  const validSlopeSe = 1 / Math.sqrt(nValid * sHalf);
  const stepSe = f * validSlopeSe;
  const lambda = priorSd > 0 ? stepSe ** -2 / (stepSe ** -2 + priorSd ** -2) : 0;
  const out = moments.map((m, b) => {
    const c = m.c.slice(0, nA);
    const sT = m.sigma[target * n1 + target]!;
    c[target] = sT + lambda * f * (kappa * cHalfValid[b]! - sT);
    const sigma = new Float64Array(nA * nA);
    for (let a = 0; a < nA; a++) for (let k = 0; k < nA; k++) sigma[a * nA + k] = m.sigma[a * n1 + k]!;
    return { c, sigma };
  });
  return {
    moments: out,
    calibration: {
      name,
      slope: 1 + lambda * f * (validSlope - 1),
      validationSlope: validSlope,
      validationSlopeSe: validSlopeSe,
      trainFraction: f,
      priorSd,
      lambda,
      kappa,
      halfR2: (cHalf * cHalf) / sHalf,
    },
  };
}
