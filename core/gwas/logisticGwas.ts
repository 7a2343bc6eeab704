// Logistic GWAS per fold, as `plink2 --glm no-firth`: for each training set and variant,
// Newton–Raphson on logit P(case) = Cβ + xβ_x over the samples with a call, started from the
// covariates-only fit; Wald z and a normal p-value. Non-convergence is reported per variant
// (CONVERGE_FAIL), never a silent NaN.
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { choleskyInPlace } from '../numeric/linalg/dense.js';
import { normalTwoSidedP } from '../numeric/stats/distributions.js';
import { GWAS_CONST_ALLELE, GWAS_OK, GWAS_TOO_FEW_SAMPLES, type GwasResults, type LinearDesign } from './linearFoldGwas.js';

export const GWAS_CONVERGE_FAIL = 4;
export const LOGISTIC_MAX_ITERATIONS = 50;
/** Converged when the largest Newton step is below this (PLINK-equivalent precision). */
export const LOGISTIC_TOLERANCE = 1e-10;

export class LogisticGwas {
  private readonly q: number;
  private readonly nullFit: Float64Array[]; // per GWAS: covariate coefficients of the null model
  private readonly x: Float64Array; // current variant's dosages per analysis sample (NaN missing)
  private readonly beta: Float64Array;
  private readonly grad: Float64Array;
  private readonly hess: Float64Array;
  private readonly step: Float64Array;
  private readonly idx: Int32Array;

  constructor(private readonly d: LinearDesign) {
    this.q = d.q;
    const n = d.y.length;
    this.x = new Float64Array(n);
    const p = d.q + 1;
    this.beta = new Float64Array(p);
    this.grad = new Float64Array(p);
    this.hess = new Float64Array(p * p);
    this.step = new Float64Array(p);
    this.idx = new Int32Array(n);
    this.nullFit = [];
    for (let k = 0; k < d.nGwas; k++) {
      let m = 0;
      for (let a = 0; a < n; a++) if (d.group[a] !== k) this.idx[m++] = a;
      const b = new Float64Array(p);
      if (!this.newton(m, b, false)) throw new RangeError(`training set ${k}: the covariates-only logistic model does not converge`);
      this.nullFit.push(b.subarray(0, d.q).slice());
    }
  }

  processChunk(packed: Uint8Array, nVariants: number, bytesPerVariant: number, out: GwasResults, outOffset: number): void {
    const { d } = this;
    for (let v = 0; v < nVariants; v++) {
      const base = v * bytesPerVariant;
      for (let i = 0; i < d.nSamples; i++) {
        const a = d.analysisIndex[i]!;
        if (a < 0) continue;
        const code = (packed[base + (i >>> 2)]! >>> ((i & 3) << 1)) & 3;
        this.x[a] = code === 0 ? 2 : code === 2 ? 1 : code === 3 ? 0 : NaN;
      }
      for (let k = 0; k < d.nGwas; k++) this.fitVariant(k, out, k * out.nVariants + outOffset + v);
    }
  }

  /** The same over dosages (1/16384 units, DOSAGE_MISSING dropped per variant as plink2 --glm does). */
  processDosageChunk(dosage: Uint16Array, nVariants: number, out: GwasResults, outOffset: number): void {
    const { d } = this;
    for (let v = 0; v < nVariants; v++) {
      const base = v * d.nSamples;
      for (let i = 0; i < d.nSamples; i++) {
        const a = d.analysisIndex[i]!;
        if (a < 0) continue;
        const units = dosage[base + i]!;
        this.x[a] = units === DOSAGE_MISSING ? NaN : units / DOSAGE_SCALE;
      }
      for (let k = 0; k < d.nGwas; k++) this.fitVariant(k, out, k * out.nVariants + outOffset + v);
    }
  }

  private fitVariant(k: number, out: GwasResults, o: number): void {
    const { d, q } = this;
    const n = d.y.length;
    let m = 0;
    let sx = 0;
    let sxx = 0;
    for (let a = 0; a < n; a++) {
      if (d.group[a] === k) continue;
      const x = this.x[a]!;
      if (Number.isNaN(x)) continue;
      this.idx[m++] = a;
      sx += x;
      sxx += x * x;
    }
    out.n[o] = m;
    out.freq[o] = m > 0 ? sx / (2 * m) : NaN;
    const fail = (err: number): void => {
      out.b[o] = NaN;
      out.se[o] = NaN;
      out.t[o] = NaN;
      out.p[o] = NaN;
      out.err[o] = err;
    };
    if (m < q + 2) return fail(GWAS_TOO_FEW_SAMPLES);
    if (!(sxx - (sx * sx) / m > 1e-9 * Math.max(1, sxx))) return fail(GWAS_CONST_ALLELE);
    const b = this.beta;
    b.set(this.nullFit[k]!);
    b[q] = 0;
    if (!this.newton(m, b, true)) return fail(GWAS_CONVERGE_FAIL);
    // se² = (H⁻¹)_xx = 1 / L_xx² with x ordered last in the Cholesky factor of the Hessian.
    const p = q + 1;
    const lxx = this.hess[(p - 1) * p + (p - 1)]!;
    const se = 1 / lxx;
    const z = b[q]! / se;
    out.b[o] = b[q]!;
    out.se[o] = se;
    out.t[o] = z;
    out.p[o] = normalTwoSidedP(z);
    out.err[o] = GWAS_OK;
  }

  /**
   * Newton–Raphson over the first `m` samples of `idx`; with `withX` the variant's dosage is the
   * last parameter. On success `hess` holds the Cholesky factor of the Hessian at the MLE.
   */
  private newton(m: number, b: Float64Array, withX: boolean): boolean {
    const { d, q } = this;
    const p = withX ? q + 1 : q;
    const cov = d.covariates;
    const y = d.y;
    const g = this.grad;
    const h = this.hess;
    const row = new Float64Array(p);
    for (let iter = 0; iter < LOGISTIC_MAX_ITERATIONS; iter++) {
      g.fill(0);
      h.fill(0);
      for (let t = 0; t < m; t++) {
        const a = this.idx[t]!;
        const base = a * q;
        let eta = 0;
        for (let c = 0; c < q; c++) {
          row[c] = cov[base + c]!;
          eta += row[c]! * b[c]!;
        }
        if (withX) {
          row[q] = this.x[a]!;
          eta += row[q]! * b[q]!;
        }
        const mu = 1 / (1 + Math.exp(-eta));
        const w = mu * (1 - mu);
        const r = y[a]! - mu;
        for (let i = 0; i < p; i++) {
          const wi = w * row[i]!;
          g[i]! += r * row[i]!;
          for (let j = 0; j <= i; j++) h[i * p + j]! += wi * row[j]!;
        }
      }
      for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) h[j * p + i] = h[i * p + j]!;
      if (!choleskyInPlace(h.subarray(0, p * p), p)) return false;
      // Solve H Δ = g by forward and back substitution on the factor.
      const s = this.step;
      for (let i = 0; i < p; i++) {
        let v = g[i]!;
        for (let j = 0; j < i; j++) v -= h[i * p + j]! * s[j]!;
        s[i] = v / h[i * p + i]!;
      }
      let maxStep = 0;
      for (let i = p - 1; i >= 0; i--) {
        let v = s[i]!;
        for (let j = i + 1; j < p; j++) v -= h[j * p + i]! * s[j]!;
        s[i] = v / h[i * p + i]!;
        b[i]! += s[i]!;
        maxStep = Math.max(maxStep, Math.abs(s[i]!));
      }
      if (!Number.isFinite(maxStep)) return false;
      if (maxStep < LOGISTIC_TOLERANCE) {
        // Refresh the Hessian factor at the converged β (the last step was tiny, but be exact).
        return this.factorAt(m, b, withX);
      }
    }
    return false;
  }

  private factorAt(m: number, b: Float64Array, withX: boolean): boolean {
    const { d, q } = this;
    const p = withX ? q + 1 : q;
    const h = this.hess;
    h.fill(0);
    const row = new Float64Array(p);
    for (let t = 0; t < m; t++) {
      const a = this.idx[t]!;
      let eta = 0;
      for (let c = 0; c < q; c++) {
        row[c] = d.covariates[a * q + c]!;
        eta += row[c]! * b[c]!;
      }
      if (withX) {
        row[q] = this.x[a]!;
        eta += row[q]! * b[q]!;
      }
      const mu = 1 / (1 + Math.exp(-eta));
      const w = mu * (1 - mu);
      for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) h[i * p + j]! += w * row[i]! * row[j]!;
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) h[j * p + i] = h[i * p + j]!;
    return choleskyInPlace(h.subarray(0, p * p), p);
  }
}
