// The SBayesRC-multi combined score as an output (issue 21): the mixing model applied without
// centring, the per-allele weights over the union of the ancestries' fits (alignment counts), and
// the identity the export rests on — scoring genotypes with the combined weights (through the
// scoring matcher) gives Σ_a w_a · s_a / sd_a exactly, for three ancestries with partly disjoint
// variants, swapped and strand-flipped alleles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchAlleles } from '../../core/alleles/matchAlleles.js';
import { COMBINED_SCORE_NAME, combineRawScores, combinedScoreModel, rawScoreScale } from '../../core/multiAncestry/combinedScore.js';
import { type AlleleWeight, type AncestryFitWeights, combineFitWeights } from '../../core/multiAncestry/combinedWeights.js';
import { combineScores, fitMixingWeights } from '../../core/multiAncestry/mixingWeights.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { type CombinedExport, combinedScoringNotes, pgsCatalogScoringText } from '../../core/report/exports.js';
import { calibrationSeries } from '../../core/report/calibration.js';
import type { WeightFile, WeightSet } from '../../core/score/weights.js';
import { readWeightFile } from '../../core/score/weights.js';

const w = (snp: string, a1: string, a2: string | null, beta: number): AlleleWeight => ({ snp, chrom: '1', pos: Number(snp.slice(2)), a1, a2, beta });

describe('combineFitWeights', () => {
  it('aligns alleles as the scoring matcher does and counts per fit', () => {
    const fits: AncestryFitWeights[] = [
      { ancestry: 'EUR', scope: 'EUR/SBayesRC', rows: [w('rs1', 'A', 'G', 1), w('rs2', 'A', 'T', 2), w('rs3', 'C', 'T', 3)] },
      {
        ancestry: 'EAS',
        scope: 'EAS/SBayesRC',
        // rs1 on the other allele; rs2 (A/T) as T/A: the other allele by name, never a strand flip;
        // rs3 on the opposite strand (G/A = complement of C/T); rs4 new.
        rows: [w('rs1', 'G', 'A', 10), w('rs2', 'T', 'A', 20), w('rs3', 'G', 'A', 30), w('rs4', 'C', null, 40)],
      },
      {
        ancestry: 'AFR',
        scope: 'AFR/SBayesRC',
        // rs1 strand-flipped other allele (C = complement of G); rs3 alleles match neither way; rs4 named by its effect allele only.
        rows: [w('rs1', 'C', 'T', 100), w('rs3', 'A', 'C', 300), w('rs4', 'C', 'G', 400), w('rs5', 'T', 'C', 500)],
      },
    ];
    const { rows, counts } = combineFitWeights(fits, [1, 0.5, 0.25]);
    expect(rows.map((r) => [r.snp, r.a1, r.a2, r.beta])).toEqual([
      ['rs1', 'A', 'G', 1 - 0.5 * 10 - 0.25 * 100],
      ['rs2', 'A', 'T', 2 - 0.5 * 20],
      ['rs3', 'C', 'T', 3 + 0.5 * 30],
      ['rs4', 'C', 'G', 0.5 * 40 + 0.25 * 400],
      ['rs5', 'T', 'C', 0.25 * 500],
    ]);
    expect(counts.map(({ ancestry, variants, flipped, strandFlipped, mismatched, missing }) => ({ ancestry, variants, flipped, strandFlipped, mismatched, missing }))).toEqual([
      { ancestry: 'EUR', variants: 3, flipped: 0, strandFlipped: 0, mismatched: 0, missing: 2 },
      { ancestry: 'EAS', variants: 4, flipped: 2, strandFlipped: 1, mismatched: 0, missing: 1 },
      { ancestry: 'AFR', variants: 4, flipped: 1, strandFlipped: 1, mismatched: 1, missing: 1 },
    ]);
  });
});

/** Genotypes of n samples at the variants (dosage of each variant's A1), and the variant alleles. */
function cohort(rng: Rng, n: number, m: number) {
  const pairs = [['A', 'G'], ['C', 'T'], ['A', 'C'], ['G', 'T'], ['A', 'T'], ['C', 'G']] as const;
  const id = Array.from({ length: m }, (_, j) => `rs${j + 1}`);
  const a1: string[] = [];
  const a2: string[] = [];
  const dosage: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const p = pairs[Math.floor(rng.uniform() * pairs.length)]!;
    a1.push(p[0]);
    a2.push(p[1]);
    const f = 0.05 + 0.9 * rng.uniform();
    dosage.push(Float64Array.from({ length: n }, () => (rng.uniform() < f ? 1 : 0) + (rng.uniform() < f ? 1 : 0)));
  }
  return { id, a1, a2, dosage };
}

const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };

/** One weight file as the scorer reads it (`withOther` false: effect allele only, as a fit's .txt). */
function weightSet(rows: readonly AlleleWeight[], withOther: boolean): WeightSet {
  const file: WeightFile = {
    path: 'mem',
    format: 'table',
    columns: ['w'],
    ignoredColumns: [],
    id: rows.map((r) => r.snp),
    effectAllele: rows.map((r) => r.a1.toUpperCase()),
    otherAllele: withOther ? rows.map((r) => (r.a2 ?? '').toUpperCase()) : null,
    line: Int32Array.from(rows, (_, i) => i + 2),
    weights: Float64Array.from(rows, (r) => r.beta),
  };
  return { files: [file], names: ['w'], firstColumn: [0] };
}

/** Σ weight · dosage of the named allele per sample, through the scoring matcher (as `pgsflow score`). */
function scoreWith(geno: ReturnType<typeof cohort>, rows: readonly AlleleWeight[], withOther: boolean): { score: Float64Array; mismatched: number } {
  const matched = matchAlleles(geno, weightSet(rows, withOther));
  const n = geno.dosage[0]!.length;
  const out = new Float64Array(n).fill(matched.a2Offset[0]!);
  matched.variant.forEach((v, r) => {
    const x = geno.dosage[v]!;
    const wt = matched.weights[r]!;
    for (let i = 0; i < n; i++) out[i] = out[i]! + wt * x[i]!;
  });
  return { score: out, mismatched: matched.counts[0]!.mismatched };
}

describe('the combined scoring file reproduces the stored combined score', () => {
  it('three ancestries, partly disjoint variants, swapped, strand-flipped and mismatched alleles: equal to 1e-12', () => {
    const rng = Rng.stream(21, 1);
    const n = 400;
    const geno = cohort(rng, n, 300);
    const ancestries = ['EUR', 'EAS', 'AFR'];
    // Each fit: ~80 % of the variants, effect allele A1 or A2 at random, some on the other strand,
    // a few with alleles the target does not have, and variants the target lacks.
    const fits: AncestryFitWeights[] = ancestries.map((a, f) => {
      const rows: AlleleWeight[] = [];
      geno.id.forEach((id, j) => {
        if (rng.uniform() < 0.2) return;
        const swap = rng.uniform() < 0.4;
        let e = swap ? geno.a2[j]! : geno.a1[j]!;
        let o = swap ? geno.a1[j]! : geno.a2[j]!;
        const ambiguous = COMPLEMENT[geno.a1[j]!] === geno.a2[j];
        if (!ambiguous && rng.uniform() < 0.2) [e, o] = [COMPLEMENT[e]!, COMPLEMENT[o]!];
        if (f > 0 && rng.uniform() < 0.02) [e, o] = ['AC', 'A'];
        rows.push({ snp: id, chrom: '1', pos: j + 1, a1: e, a2: rng.uniform() < 0.1 ? null : o, beta: 0.05 * rng.normal() });
      });
      for (let j = 0; j < 20; j++) rows.push({ snp: `${a}_only_${j}`, chrom: '2', pos: j + 1, a1: 'A', a2: 'G', beta: 0.05 * rng.normal() });
      return { ancestry: a, scope: `${a}/SBayesRC`, rows };
    });
    // Per-fit scores as the study stores them (each fit's .txt names its effect allele only).
    const scored = fits.map((f) => scoreWith(geno, f.rows, false));
    const scores = scored.map((x) => x.score);
    expect(scored.slice(1).every((x) => x.mismatched > 0)).toBe(true);
    const y = Float64Array.from({ length: n }, (_, i) => scores[0]![i]! + 0.5 * scores[1]![i]! + 0.2 * scores[2]![i]! + 0.1 * rng.normal());
    const half = (x: Float64Array): Float64Array => x.slice(0, n / 2);
    const mixing = fitMixingWeights(half(y), [], scores.map(half));
    // What the combine step does: the fits' A2 offsets against the target, then the model.
    const effectsOnly = fits.map((f) => ({ ...f, rows: f.rows.map((r) => ({ ...r, a2: null, chrom: null, pos: null })) }));
    const a2Offset = combineFitWeights(effectsOnly, [1, 1, 1], geno).counts.map((c) => c.a2Offset);
    expect(a2Offset.every((x) => x !== 0)).toBe(true);
    const model = combinedScoreModel(mixing, { cohort: 'AFR', ancestries, scoreNames: ancestries, fitScopes: fits.map((f) => f.scope), a2Offset });
    expect(model.scoreName).toBe(COMBINED_SCORE_NAME);
    expect(model.weights.every((x) => x !== null && Number.isFinite(x))).toBe(true);
    const scale = rawScoreScale(model)!;
    const stored = combineRawScores(scale, scores, model.a2Offset);

    // What the export does: the union with the fits' panel alleles, aligned to the target.
    const { rows, counts } = combineFitWeights(fits, scale, geno);
    expect(rows.length).toBe(new Set(fits.flatMap((f) => f.rows.map((r) => r.snp))).size);
    expect(rows.length).toBeGreaterThan(300);
    expect(counts.every((c) => c.variants + c.missing === rows.length)).toBe(true);
    expect(counts.slice(1).every((c) => c.flipped > 0 && c.strandFlipped > 0 && c.mismatched > 0)).toBe(true);
    expect(counts.map((c) => c.a2Offset)).toEqual(a2Offset);
    const fromFile = scoreWith(geno, rows, true);
    expect(fromFile.mismatched).toBe(0);
    const size = Math.max(...stored.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(fromFile.score[i]! - stored[i]!));
    expect(worst).toBeLessThanOrEqual(1e-12 * size);

    // The tuning-centred score the metrics use is the stored one minus the recorded offset.
    const centred = combineScores(mixing, scores);
    for (let i = 0; i < n; i++) expect(Math.abs(stored[i]! - model.offset! - centred[i]!)).toBeLessThanOrEqual(1e-12 * size);
  });

  it('a weight that could not be estimated gives no raw scale and no offset', () => {
    const model = combinedScoreModel(
      { mean: Float64Array.of(0, 1), sd: Float64Array.of(1, 2), weights: Float64Array.of(0.5, NaN), weightSe: Float64Array.of(NaN, NaN) },
      { cohort: 'EAS', ancestries: ['EUR', 'EAS'], scoreNames: ['EUR', 'EAS'], fitScopes: [null, null], a2Offset: [0, 0] },
    );
    expect(model.weights).toEqual([0.5, null]);
    expect(model.offset).toBeNull();
    expect(rawScoreScale(model)).toBeNull();
  });
});

describe('the combined scoring file', () => {
  it('carries the combination in header notes that pgsflow score reads as metadata', async () => {
    const fits: AncestryFitWeights[] = [
      { ancestry: 'EUR', scope: 'EUR/SBayesRC', rows: [w('rs1', 'A', 'G', 1), w('rs2', 'C', 'T', 2)] },
      { ancestry: 'EAS', scope: 'EAS/SBayesRC', rows: [w('rs1', 'G', 'A', 2)] },
      { ancestry: 'AFR', scope: 'AFR/SBayesR', rows: [w('rs3', 'T', 'C', 8)] },
    ];
    const model = combinedScoreModel(
      { mean: Float64Array.of(1, 2, 3), sd: Float64Array.of(1, 2, 4), weights: Float64Array.of(0.5, 0.25, 1), weightSe: Float64Array.of(NaN, NaN, NaN) },
      { cohort: 'AFR', ancestries: ['EUR', 'EAS', 'AFR'], scoreNames: ['EUR', 'EAS', 'AFR'], fitScopes: fits.map((f) => f.scope), a2Offset: [0, 0, 0] },
    );
    expect(model.offset).toBe(0.5 + 0.25 + 0.75);
    const weights = combineFitWeights(fits, rawScoreScale(model)!);
    const c: CombinedExport = { model, scopes: fits.map((f) => f.scope), tuning: 100, test: 120, weights };
    const text = pgsCatalogScoringText({ name: 'pgsflow_multi_SBayesRC-multi', trait: 'trait', genomeBuild: 'NR', notes: combinedScoringNotes(c) }, weights.rows);
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '#variants_number=3',
        '##PGSFLOW SBAYESRC-MULTI COMBINATION',
        '#combination_offset=1.5',
        '#combination_target=AFR',
        '#combination_ancestries=EUR,EAS,AFR',
        '#combination_union_variants=3',
        '#combination_tuning_samples=100',
        '#combination_test_samples=120',
        '#combination_EAS_fit=EAS/SBayesRC',
        '#combination_EAS_weight=0.25',
        '#combination_EAS_tuning_sd=2',
        '#combination_EAS_variants=1',
        '#combination_EAS_flipped=1',
        '#combination_EAS_missing=2',
        '#combination_AFR_fit=AFR/SBayesR',
        'rs1\t1\t1\tA\tG\t0.25',
      ]),
    );
    // Every header line is metadata (`##…` or `#key=value`) up to the column header.
    const header = lines.indexOf('rsID\tchr_name\tchr_position\teffect_allele\tother_allele\teffect_weight');
    expect(lines.slice(0, header).every((l) => l.startsWith('##') || /^#[^=]+=/.test(l))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'pgsflow-combined-'));
    try {
      writeFileSync(join(dir, 'combined.pgs.txt'), text);
      const f = await readWeightFile(join(dir, 'combined.pgs.txt'));
      expect(f.format).toBe('pgs-catalog');
      expect(f.id).toEqual(['rs1', 'rs2', 'rs3']);
      expect([...f.weights]).toEqual([0.5 * 1 - 0.125 * 2, 0.5 * 2, 0.25 * 8]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the combined score is its own calibration series', () => {
    expect(calibrationSeries('SBayesRC-multi')).toEqual({ label: 'SBayesRC-multi (combined)', subgroup: '' });
    expect(calibrationSeries('EUR')).toEqual({ label: 'EUR weights', subgroup: '' });
    expect(calibrationSeries('SBayesRC/fold3')).toEqual({ label: 'SBayesRC', subgroup: '3' });
  });
});
