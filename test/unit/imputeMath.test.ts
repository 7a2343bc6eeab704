// Imputation arithmetic on hand-made LD: ẑ_I = R̃_IT R̃_TT⁻¹ z_T and its quality, against hand
// values and against an explicit inverse; the median rules; imputed se/b/p.
import { describe, expect, it } from 'vitest';
import { LD_RIDGE } from '../../core/impute/blockLd.js';
import { choleskyBlocked, forwardSolveRows } from '../../core/impute/blockedCholesky.js';
import { addRowDots } from '../../core/impute/rowDots.js';
import { SOLVE_BATCH, imputeBlockZ, workspaceBytes } from '../../core/impute/conditionalZ.js';
import { imputedStats } from '../../core/impute/imputedStats.js';
import { imputationScale, impliedVariance } from '../../core/impute/imputationScale.js';
import { median } from '../../core/numeric/stats/median.js';
import { choleskyInPlace, invertSpd } from '../../core/numeric/linalg/dense.js';
import { chiSquareUpperP } from '../../core/numeric/stats/distributions.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { eigenBlockOf } from '../helpers/ldPanel.js';

// R = [[1, .8, .5], [.8, 1, .6], [.5, .6, 1]]; T = {0, 2}, I = {1}, z_T = (3, −1).
// R̃_TT = [[1.1, .5], [.5, 1.1]], det .96; R̃_IT = (.8, .6).
// ẑ = (.8, .6)·[[1.1, −.5], [−.5, 1.1]]·(3, −1)/.96 = (.8·3.8 − .6·2.6)/.96 = 1.48/.96.
// quality = (.8, .6)·[[1.1, −.5], [−.5, 1.1]]·(.8, .6)/.96 = (.8·.58 + .6·.26)/.96 = .62/.96.
const HAND_R = Float64Array.of(1, 0.8, 0.5, 0.8, 1, 0.6, 0.5, 0.6, 1);
const HAND_Z = 1.48 / 0.96;
const HAND_QUALITY = 0.62 / 0.96;

describe('imputeBlockZ', () => {
  it('gives the hand-computed ẑ and quality on a 3-SNP block', () => {
    const e = eigenBlockOf(HAND_R, 3, 1);
    expect(e.k).toBe(3);
    const r = imputeBlockZ(e, { observed: Int32Array.of(0, 2), zObserved: Float64Array.of(3, -1), missing: Int32Array.of(1) })!;
    expect(r.z[0]!).toBeCloseTo(HAND_Z, 6); // float32 eigen data
    expect(r.quality[0]!).toBeCloseTo(HAND_QUALITY, 6);
  });

  it('one observed SNP in perfect LD: ẑ = z/1.1 (the ridge shrinks), quality 1/1.1', () => {
    const e = eigenBlockOf(Float64Array.of(1, 1, 1, 1), 2, 1);
    const r = imputeBlockZ(e, { observed: Int32Array.of(1), zObserved: Float64Array.of(5), missing: Int32Array.of(0) })!;
    expect(r.z[0]!).toBeCloseTo(5 / (1 + LD_RIDGE), 6);
    expect(r.quality[0]!).toBeCloseTo(1 / (1 + LD_RIDGE), 6);
  });

  it('an SNP uncorrelated with every observed one gets ẑ = 0, quality 0', () => {
    const e = eigenBlockOf(Float64Array.of(1, 0, 0, 0, 1, 0.7, 0, 0.7, 1), 3, 1);
    const r = imputeBlockZ(e, { observed: Int32Array.of(1, 2), zObserved: Float64Array.of(4, 2), missing: Int32Array.of(0) })!;
    expect(Math.abs(r.z[0]!)).toBeLessThan(1e-6);
    expect(r.quality[0]!).toBeLessThan(1e-10);
  });

  it('nothing to impute: empty results, no solve', () => {
    const e = eigenBlockOf(HAND_R, 3, 1);
    const r = imputeBlockZ(e, { observed: Int32Array.of(0, 1, 2), zObserved: Float64Array.of(1, 2, 3), missing: new Int32Array(0) })!;
    expect(r.z.length).toBe(0);
  });

  it('equals R̃_IT R̃_TT⁻¹ z_T from an explicit inverse of the truncated LD (160 SNPs: several Cholesky blocks)', () => {
    const m = 160;
    const rng = Rng.stream(11);
    const r = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = 0.9 ** Math.abs(i - j);
    const e = eigenBlockOf(r, m, 0.95);
    expect(e.k).toBeLessThan(m); // truncation matters
    // R̃ from the stored (float32) eigen data, as the code must use it.
    const rt = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let c = 0; c < e.k; c++) s += e.vectors[c * m + i]! * e.values[c]! * e.vectors[c * m + j]!;
        rt[i * m + j] = s + (i === j ? LD_RIDGE : 0);
      }
    const observed: number[] = [];
    const missing: number[] = [];
    for (let j = 0; j < m; j++) (rng.uniform() < 0.5 ? missing : observed).push(j);
    expect(observed.length).toBeGreaterThan(64); // more than one Cholesky block
    const zT = Float64Array.from(observed, () => 3 * rng.normal());
    const t = observed.length;
    const tt = new Float64Array(t * t);
    observed.forEach((a, p) => observed.forEach((b, q) => (tt[p * t + q] = rt[a * m + b]!)));
    const inv = invertSpd(tt, t)!;
    const got = imputeBlockZ(e, { observed: Int32Array.from(observed), zObserved: zT, missing: Int32Array.from(missing) })!;
    missing.forEach((j, i) => {
      const rIT = Float64Array.from(observed, (b) => rt[j * m + b]!);
      let z = 0;
      let q = 0;
      for (let p = 0; p < t; p++)
        for (let s = 0; s < t; s++) {
          z += rIT[p]! * inv[p * t + s]! * zT[s]!;
          q += rIT[p]! * inv[p * t + s]! * rIT[s]!;
        }
      // U Λ^{1/2} is held in float32 like U itself: agreement to float32 rounding.
      expect(Math.abs(got.z[i]! - z)).toBeLessThan(1e-6 * Math.max(1, Math.abs(z)));
      expect(Math.abs(got.quality[i]! - Math.min(1, q))).toBeLessThan(1e-6);
    });
  });

  it('gives the same answer whatever the batching of missing SNPs', () => {
    const m = 40;
    const r = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = 0.8 ** Math.abs(i - j);
    const e = eigenBlockOf(r, m, 1);
    const observed = Int32Array.from({ length: 10 }, (_, i) => 4 * i);
    const zObserved = Float64Array.from(observed, (j) => Math.sin(j));
    const missing = Int32Array.from({ length: m }, (_, i) => i).filter((i) => i % 4 !== 0);
    const all = imputeBlockZ(e, { observed, zObserved, missing })!;
    missing.forEach((j, i) => {
      const one = imputeBlockZ(e, { observed, zObserved, missing: Int32Array.of(j) })!;
      expect(one.z[0]).toBe(all.z[i]);
      expect(one.quality[0]).toBe(all.quality[i]);
    });
    expect(SOLVE_BATCH).toBeGreaterThan(1);
  });

  it('workspace grows with t² + (t + i)·k, not with m²', () => {
    // A 3,000-SNP block, 20 % missing, full rank: 2,400² doubles dominate.
    expect(workspaceBytes(2400, 600, 3000)).toBe(8 * 2400 * 2400 + 4 * 3000 * 3000 + 8 * (SOLVE_BATCH * 2400 + 2400 + 1200));
  });
});

describe('tiled kernels', () => {
  it('addRowDots equals plain dot products (odd shapes, more columns than one pass, ±)', () => {
    const rng = Rng.stream(3);
    const [na, nb, len, ld] = [7, 37, 1100, 1103];
    const x = Float32Array.from({ length: na * ld }, () => rng.normal());
    const y = Float64Array.from({ length: (nb + 2) * ld }, () => rng.normal());
    const out = Float64Array.from({ length: na * 50 }, () => rng.normal());
    const before = Float64Array.from(out);
    addRowDots(x, 0, ld, na, y, 2 * ld + 1, ld, nb, len, out, 3, 50, -1);
    for (let a = 0; a < na; a++)
      for (let j = 0; j < 50; j++) {
        const b = j - 3;
        let s = 0;
        if (b >= 0 && b < nb) for (let c = 0; c < len; c++) s += x[a * ld + c]! * y[2 * ld + 1 + b * ld + c]!;
        expect(out[a * 50 + j]!).toBeCloseTo(before[a * 50 + j]! - s, 9);
      }
  });

  it('blocked Cholesky and forward solve equal the unblocked ones (n = 150: blocks and a remainder)', () => {
    const n = 150;
    const rng = Rng.stream(4);
    const g = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let c = 0; c < n; c++) s += (g[i * n + c]! * g[j * n + c]!) / n;
        a[i * n + j] = s;
      }
    const ref = Float64Array.from(a);
    expect(choleskyInPlace(ref, n)).toBe(true);
    const got = Float64Array.from(a);
    expect(choleskyBlocked(got, n)).toBe(true);
    for (let i = 0; i < n * n; i++) expect(got[i]!).toBeCloseTo(ref[i]!, 10);
    const rhs = Float64Array.from({ length: 3 * n }, () => rng.normal());
    const y = Float64Array.from(rhs);
    forwardSolveRows(got, n, y, 3);
    for (let r = 0; r < 3; r++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c <= i; c++) s += ref[i * n + c]! * y[r * n + c]!;
        expect(s).toBeCloseTo(rhs[r * n + i]!, 9);
      }
  });

  it('a matrix that is not positive definite is refused', () => {
    expect(choleskyBlocked(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
  });
});

describe('median rules', () => {
  it('odd count: the middle value; even count: the mean of the two middle values', () => {
    expect(median(Float64Array.of(5, 1, 3))).toBe(3);
    expect(median(Float64Array.of(4, 1, 3, 2))).toBe(2.5);
    expect(median(Float64Array.of(7))).toBe(7);
    expect(median(new Float64Array(0))).toBeNaN();
    expect(median(Float64Array.of(9, 1, 5, 100), 3)).toBe(5); // first `count` values only
  });

  it('N_med and V_p over the listed rows only, with v_j = 2f(1−f)(N·se² + b²)', () => {
    const cols = {
      freq: Float64Array.of(0.5, 0.2, 0.1, 0.3, 0.9),
      n: Float64Array.of(1000, 2000, 3000, 4000, 1),
      b: Float64Array.of(0.1, -0.05, 0.02, 0, 50),
      se: Float64Array.of(0.04, 0.03, 0.05, 0.02, 9),
    };
    const s = imputationScale(Int32Array.of(0, 1, 2, 3), cols);
    expect(s.nMed).toBe(2500);
    const v = [0, 1, 2, 3].map((r) => impliedVariance(cols.freq[r]!, cols.n[r]!, cols.b[r]!, cols.se[r]!)).sort((x, y) => x - y);
    expect(s.vP).toBeCloseTo((v[1]! + v[2]!) / 2, 15);
    expect(impliedVariance(0.5, 1000, 0.1, 0.04)).toBeCloseTo(0.5 * (1000 * 0.0016 + 0.01), 15);
  });
});

describe('imputed statistics', () => {
  it('se = sqrt(V_p / (2f(1−f)(N_med + ẑ²))), b = ẑ·se, p from χ²₁(ẑ²)', () => {
    const scale = { nMed: 10_000, vP: 1.2 };
    const s = imputedStats(2.5, 0.3, scale)!;
    const se = Math.sqrt(1.2 / (0.42 * (10_000 + 6.25)));
    expect(s.se).toBeCloseTo(se, 15);
    expect(s.b).toBeCloseTo(2.5 * se, 15);
    expect(s.p).toBeCloseTo(chiSquareUpperP(6.25, 1), 15);
    expect(s.p).toBeCloseTo(0.012419330651552318, 12); // two-sided normal p of 2.5
  });

  it('a panel-monomorphic SNP cannot be given a per-allele effect', () => {
    expect(imputedStats(1, 0, { nMed: 100, vP: 1 })).toBeNull();
    expect(imputedStats(1, 1, { nMed: 100, vP: 1 })).toBeNull();
  });
});
