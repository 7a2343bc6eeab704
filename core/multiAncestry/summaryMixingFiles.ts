// Mixing weights from summary statistics on files (summaryWeights.ts): every ancestry's effects
// file standardised on the target LD panel, the validation half of the target GWAS as marginal
// correlations, then per LD block c and Σ (one eigen block in memory at a time) and the solve.
// A fit trained on the target GWAS must be the one refitted on the training half.
import { writeFileAtomic } from '../files/atomicWrite.js';
import { readLdFolder } from '../formats/ldFolder.js';
import { readSumstats } from '../formats/sumstats.js';
import { median } from '../numeric/stats/median.js';
import { MetricInputError } from '../errors.js';
import { readEffects } from '../sbayesrc/fitStore.js';
import { readPanelBlock, summaryCorrelations } from './pseudoSplit.js';
import { gwasOnPanel } from './summarySplitFiles.js';
import { type ScoreBlockMoments, blockMoments, standardisedEffects, summaryWeights } from './summaryWeights.js';
import type { SummaryMixingRequest, SummaryMixingResult } from '../../contracts/summaryWeighting.js';

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export async function summaryMixingOnFiles(req: SummaryMixingRequest, onBlock?: (block: number, blocks: number) => void): Promise<SummaryMixingResult> {
  if (req.effects.length === 0 || req.effects.length !== req.names.length) throw new MetricInputError(`${req.effects.length} effects files for ${req.names.length} score names`);
  const panel = await readLdFolder(req.ld);
  const m = panel.snps.id.length;
  const valid = gwasOnPanel(await readSumstats(req.validSumstats), panel);
  const nValidSnps = valid.n.filter((_, j) => valid.present[j] === 1);
  if (nValidSnps.length === 0) throw new MetricInputError(`the validation GWAS ${req.validSumstats} has no SNP of the LD panel ${req.ld}`);
  // Absent SNPs carry no validation signal: r_v = 0 there.
  const { r } = summaryCorrelations(
    Float64Array.from(valid.b, (v, j) => (valid.present[j] ? v : 0)),
    Float64Array.from(valid.se, (v, j) => (valid.present[j] ? v : 1)),
    Float64Array.from(valid.n, (v, j) => (valid.present[j] ? v : 1)),
  );
  const panelSnps = { id: panel.snps.id, a1: panel.snps.a1, a2: panel.snps.a2, a1Freq: panel.snps.a1Freq };
  const matched: number[] = [];
  const notMatched: number[] = [];
  const beta: Float64Array[] = [];
  for (const file of req.effects) {
    const e = await readEffects(file);
    const s = standardisedEffects(panelSnps, e.snp.map((snp, i) => ({ snp, a1: e.a1[i]!, beta: e.beta[i]! })));
    beta.push(s.beta);
    matched.push(s.matched);
    notMatched.push(s.notInPanel + s.mismatched);
  }
  const moments: ScoreBlockMoments[] = [];
  const blocks = panel.info.numSnps.length;
  let first = 0;
  for (let b = 0; b < blocks; b++) {
    const mb = panel.info.numSnps[b]!;
    const eigen = await readPanelBlock(panel, b);
    moments.push(blockMoments(eigen, beta.map((x) => x.subarray(first, first + mb)), r.subarray(first, first + mb)));
    first += mb;
    onBlock?.(b + 1, blocks);
  }
  if (first !== m) throw new MetricInputError(`LD panel ${req.ld}: blocks hold ${first} SNPs, snp.info ${m}`);
  const nValid = median(nValidSnps);
  const w = summaryWeights(moments, { names: req.names, nValid });
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
    nValid,
    dropped: w.dropped.map((d) => ({ name: d.name, reason: d.reason, detail: d.detail })),
    matched,
    notMatched,
    jackknifeBlocks: w.jackknifeBlocks,
    blocks: w.blocks,
  };
  const full = {
    ...result,
    weightCov: Array.from(w.weightCov, finiteOrNull),
    standardisedWeightCov: Array.from(w.standardisedWeightCov, finiteOrNull),
    weightSeValidation: Array.from(w.weightSeValidation, finiteOrNull),
    c: Array.from(w.c),
    sigma: Array.from(w.sigma),
    r2Adjusted: finiteOrNull(w.r2Adjusted),
    singularReplicates: w.singularReplicates,
  };
  await writeFileAtomic(req.out, `${JSON.stringify(full, null, 2)}\n`);
  return result;
}
