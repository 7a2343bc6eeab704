// The nonlinear comparison's pure parts: the .npy codec, LD pruning, held-out metrics, paired
// differences and the answer sentence, against closed forms and hand-built cases.
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../../core/formats/npy.js';
import { pruneByLd, standardise } from '../../../core/nonlinear/ldPrune.js';
import { type FoldEvaluations, addPairedDifferences, heldOutMetrics, nonlinearMetricRows, predictiveR2 } from '../../../core/nonlinear/nonlinearMetrics.js';
import { nonlinearAnswer, pairedDifferences, t975 } from '../../../core/nonlinear/nonlinearAnswer.js';
import { modelsFor } from '../../../workflows/nonlinearComparison.js';
import { Rng } from '../../../core/numeric/random/rng.js';
import { BadInputError } from '../../../core/errors.js';
import type { MetricRow } from '../../../contracts/evaluation.js';

describe('.npy codec', () => {
  it('round-trips float64 matrices and int8 vectors with a 64-byte aligned header', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i / 3 - 1);
    const bytes = encodeNpy({ dtype: 'float64', data: x, shape: [4, 3] });
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toContain("'shape': (4, 3)");
    const back = decodeNpy(bytes, 'x.npy');
    expect(back.shape).toEqual([4, 3]);
    expect([...back.data]).toEqual([...x]);
    const s = decodeNpy(encodeNpy({ dtype: 'int8', data: Int8Array.of(0, 1, 1, 0, 1), shape: [5] }), 's.npy');
    expect(s.dtype).toBe('int8');
    expect([...s.data]).toEqual([0, 1, 1, 0, 1]);
    expect(new TextDecoder().decode(encodeNpy({ dtype: 'int8', data: Int8Array.of(1), shape: [1] }).subarray(10, 70))).toContain("'shape': (1,)");
  });

  it('refuses a truncated body, a foreign dtype and Fortran order, naming the file', () => {
    const bytes = encodeNpy({ dtype: 'float64', data: new Float64Array(4), shape: [4] });
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 1), 'p.npy')).toThrow(/p\.npy.*needs 32/);
    const text = new TextDecoder('latin1').decode(bytes);
    const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(() => decodeNpy(enc(text.replace('<f8', '<f4')), 'q.npy')).toThrow(BadInputError);
    expect(() => decodeNpy(enc(text.replace("'fortran_order': False", "'fortran_order': True ")), 'r.npy')).toThrow(/Fortran/);
    expect(() => decodeNpy(new Uint8Array(20), 'z.npy')).toThrow(/magic/);
  });
});

describe('LD pruning within the training samples', () => {
  const rng = Rng.stream(7);
  const n = 2000;
  const base = Float64Array.from({ length: n }, () => rng.normal());
  const noise = (): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
  // Row 0 and 1 correlate at r ≈ 0.9 (r² ≈ 0.81); row 2 independent; row 3 = row 0 far away.
  const e1 = noise();
  const rows = [base, Float64Array.from(base, (b, i) => 0.9 * b + Math.sqrt(1 - 0.81) * e1[i]!), noise(), base, new Float64Array(n).fill(1)];
  const std = (r: number): Float64Array => standardise(rows[r]!);

  it('drops a SNP in LD with a better one in the window, keeps it beyond the window or on another chromosome', () => {
    const cands = [
      { row: 0, chrom: '1', pos: 1000 },
      { row: 1, chrom: '1', pos: 5000 },
      { row: 2, chrom: '1', pos: 6000 },
      { row: 3, chrom: '2', pos: 1000 },
      { row: 4, chrom: '1', pos: 9000 },
    ];
    expect(pruneByLd(cands, std, { keep: 10, r2: 0.2, windowBp: 10_000 })).toEqual([0, 2, 3]);
    // Window of 1 kb: row 1 at 4 kb from row 0 is kept.
    expect(pruneByLd(cands, std, { keep: 10, r2: 0.2, windowBp: 1000 })).toEqual([0, 1, 2, 3]);
    // Threshold above the pair's r² ≈ 0.81: kept.
    expect(pruneByLd(cands, std, { keep: 10, r2: 0.9, windowBp: 10_000 })).toEqual([0, 1, 2, 3]);
    expect(pruneByLd(cands, std, { keep: 2, r2: 0.2, windowBp: 10_000 })).toEqual([0, 2]);
  });

  it('standardises with missing values at the mean', () => {
    const s = standardise([1, NaN, 3]);
    expect([...s].map((v) => +v.toFixed(12))).toEqual([-1, 0, 1].map((v) => +(v * Math.sqrt(3 / 2)).toFixed(12)));
  });
});

describe('held-out metrics and paired differences', () => {
  it('predictive R² is 1 − SSE/SST on the held-out samples (negative when worse than the mean)', () => {
    const y = Float64Array.of(1, 2, 3, 4);
    expect(predictiveR2(y, Float64Array.of(1, 2, 3, 4))).toBe(1);
    expect(predictiveR2(y, Float64Array.of(2.5, 2.5, 2.5, 2.5))).toBe(0);
    expect(predictiveR2(y, Float64Array.of(1.5, 2, 3, 4))).toBeCloseTo(1 - 0.25 / 5, 15);
    expect(predictiveR2(y, Float64Array.of(4, 3, 2, 1))).toBeCloseTo(1 - 20 / 5, 15);
    const m = heldOutMetrics('quantitative', y, Float64Array.of(1.5, 2, 3, 4), Float64Array.of(2.5, 2.5, 2.5, 2.5));
    expect(m.get('incremental_r2')).toBeCloseTo(0.95, 15);
    expect(heldOutMetrics('binary', Float64Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.6, 0.4, 0.9), Float64Array.of(0.5, 0.5, 0.5, 0.5)).get('auc')).toBe(0.75);
  });

  it('pairs each model with the linear score and the SNP models with the elastic net, fold by fold', () => {
    const fold = (r2: number): Map<string, number> => new Map([['r2', r2]]);
    const evals: FoldEvaluations = new Map([
      ['linear:pgs+covariates', [fold(0.3), fold(0.32), fold(0.28)]],
      ['gbdt:pgs+covariates', [fold(0.29), fold(0.33), fold(0.27)]],
      ['elasticnet:snps+covariates', [fold(0.2), fold(0.22), fold(0.18)]],
      ['mlp:snps+covariates', [fold(0.25), fold(0.26), fold(0.24)]],
    ]);
    addPairedDifferences('quantitative', evals);
    expect(evals.get('gbdt:pgs+covariates')!.map((m) => +m.get('delta_r2')!.toFixed(12))).toEqual([-0.01, 0.01, -0.01]);
    expect(evals.get('gbdt:pgs+covariates')![0]!.has('delta_r2_vs_elasticnet')).toBe(false);
    expect(evals.get('mlp:snps+covariates')!.map((m) => +m.get('delta_r2_vs_elasticnet')!.toFixed(12))).toEqual([0.05, 0.04, 0.06]);
    expect(evals.get('linear:pgs+covariates')![0]!.has('delta_r2')).toBe(false);
    const rows = nonlinearMetricRows(evals, [100, 101, 99]);
    const agg = rows.find((r) => r.scope === 'folds' && r.method === 'mlp:snps+covariates' && r.metric === 'delta_r2_vs_elasticnet')!;
    expect(agg.value).toBeCloseTo(0.05, 12);
    expect(agg.se).toBeCloseTo(0.01 / Math.sqrt(3), 12);
    expect(agg.n).toBe(3);
    expect(rows.find((r) => r.scope === 'fold-2' && r.method === 'gbdt:pgs+covariates' && r.metric === 'r2')!.n).toBe(101);
  });
});

describe('the answer sentence', () => {
  it("Student's t quantile", () => {
    expect(t975(9)).toBeCloseTo(2.262157, 5);
    expect(t975(1000)).toBeCloseTo(1.962339, 4);
  });

  const row = (method: string, metric: string, value: number, se: number): MetricRow => ({ scope: 'folds', method, metric, value, se, n: 10 });

  it('says no model beat the linear score when every interval covers 0 or lies below', () => {
    const rows = [row('gbdt:pgs+covariates', 'delta_r2', -0.002, 0.002), row('mlp:pgs+covariates', 'delta_r2', 0.001, 0.002)];
    expect(pairedDifferences(rows, 'quantitative')[1]!.low).toBeCloseTo(0.001 - 2.262157 * 0.002, 5);
    expect(nonlinearAnswer(rows, 'quantitative')).toMatch(/^No nonlinear model beat the linear score: the best, mlp:pgs\+covariates, changed held-out R² by \+0\.0010/);
  });

  it('names the winner, and splits a SNP model’s gain into tagging and nonlinearity', () => {
    const rows = [
      row('gbdt:pgs+covariates', 'delta_r2', 0.03, 0.005),
      row('gbdt:snps+covariates', 'delta_r2', 0.05, 0.005),
      row('gbdt:snps+covariates', 'delta_r2_vs_elasticnet', 0.004, 0.004),
    ];
    const text = nonlinearAnswer(rows, 'quantitative');
    expect(text).toMatch(/^gbdt:snps\+covariates, gbdt:pgs\+covariates beat the linear score/);
    expect(text).toMatch(/gets \+0\.0460 of it.*its gain is linear \(LD tagging\)/);
  });
});

describe('models per feature set', () => {
  it('always fits the linear baseline of the inputs and never the other one', () => {
    expect(modelsFor('pgs+covariates', ['gbdt', 'mlp'])).toEqual(['linear', 'gbdt', 'mlp']);
    expect(modelsFor('snps+covariates', ['gbdt', 'mlp'])).toEqual(['elasticnet', 'gbdt', 'mlp']);
    expect(modelsFor('snps+covariates', ['linear', 'mlp'])).toEqual(['elasticnet', 'mlp']);
  });
});

describe('the answer sentence with the elastic-net control ahead', () => {
  it('never names the linear control as the best nonlinear model', () => {
    const r = (method: string, value: number): MetricRow => ({ scope: 'folds', method, metric: 'delta_r2', value, se: 0.001, n: 5 });
    const text = nonlinearAnswer([r('elasticnet:snps+covariates', 0.05), r('gbdt:pgs+covariates', -0.001)], 'quantitative');
    expect(text).toMatch(/^No nonlinear model beat the linear score: the best, gbdt:pgs\+covariates/);
  });
});
