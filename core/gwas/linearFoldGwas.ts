// All fold GWAS of a cross-validation in one pass over the genotypes (DESIGN §5.4).
// Per variant we accumulate, for each held-out group g, S_x, S_xx, S_xy and S_Cx over the
// non-missing samples; the training set of GWAS k is "every group but k", so its sums are
// totals minus group k. Frisch–Waugh–Lovell then gives exactly the per-variant OLS of
// y ~ C + x that `plink2 --glm` fits, with samples missing the variant dropped (their C'C,
// C'y, y'y removed from the training sums for that variant only).
import { choleskyInPlace } from '../numeric/linalg/dense.js';
import { studentTTwoSidedP } from '../numeric/stats/distributions.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { chooseGwasKernel, gwasThreads, type NativeGwasKernel } from './nativeGwas.js';

export const GWAS_OK = 0;
/** Genotype constant in the training samples (PLINK: CONST_ALLELE); no estimate. */
export const GWAS_CONST_ALLELE = 1;
/** Too few non-missing samples for the residual degrees of freedom. */
export const GWAS_TOO_FEW_SAMPLES = 2;
/** Genotype (nearly) collinear with the covariates (PLINK: VIF_TOO_HIGH / CORR_TOO_HIGH). */
export const GWAS_COLLINEAR = 3;
export const GWAS_ERROR_NAMES = ['.', 'CONST_ALLELE', 'TOO_FEW_SAMPLES', 'COLLINEAR', 'CONVERGE_FAIL', 'SEPARATION'] as const;

export interface LinearDesign {
  /** Samples in the genotype file (.fam order). */
  nSamples: number;
  /** Per genotype-file sample: its analysis index, or −1 when excluded. */
  analysisIndex: Int32Array;
  /** Per analysis sample. */
  y: Float64Array;
  /** Per analysis sample, row-major n × q; column 0 is the intercept (1). */
  covariates: Float64Array;
  q: number;
  /** Per analysis sample: held-out group 0..nGwas−1, or nGwas = in every training set. */
  group: Int32Array;
  /** Number of GWAS; GWAS k uses every analysis sample whose group ≠ k. */
  nGwas: number;
}

/** Per GWAS, per variant results (index gwas · nVariants + variant). */
export interface GwasResults {
  nVariants: number;
  nGwas: number;
  b: Float64Array;
  se: Float64Array;
  t: Float64Array;
  p: Float64Array;
  freq: Float64Array;
  n: Int32Array;
  err: Uint8Array;
}

export function allocateResults(nGwas: number, nVariants: number): GwasResults {
  const len = nGwas * nVariants;
  return {
    nVariants,
    nGwas,
    b: new Float64Array(len),
    se: new Float64Array(len),
    t: new Float64Array(len),
    p: new Float64Array(len),
    freq: new Float64Array(len),
    n: new Int32Array(len),
    err: new Uint8Array(len),
  };
}

/** Per-training-set constants, computed once: C'C, its Cholesky factor, w = L⁻¹C'y, y'y. */
interface TrainingSet {
  n: number;
  cc: Float64Array; // q × q
  cy: Float64Array;
  yy: number;
  chol: Float64Array; // lower, q × q
  w: Float64Array; // L⁻¹ C'y
}

export class LinearFoldGwas {
  private readonly G: number; // groups = nGwas + 1 (the last is "always training")
  private readonly q: number;
  private readonly groupN: Int32Array;
  private readonly groupCC: Float64Array; // G × q × q
  private readonly groupCy: Float64Array; // G × q
  private readonly groupYY: Float64Array; // G
  private readonly training: TrainingSet[];
  /** Per analysis sample [y, C_0 … C_{q−1}]: what each carried allele adds to its group's sums. */
  private readonly rows: Float64Array;
  /** The native accumulation kernel (native/gwas.c) when built; null: the loop below. */
  private readonly native: NativeGwasKernel | null;
  // Per chunk: per variant and group S_x, S_xx, S_xy, S_Cx (width q + 3), and the missing samples.
  private chunkSums = new Float64Array(0);
  private chunkMissingCount = new Int32Array(0);
  private chunkMissing = new Int32Array(0);
  private readonly tmpCC: Float64Array;
  private readonly tmpCy: Float64Array;
  private readonly tmpV: Float64Array;
  private readonly tmpW: Float64Array;
  private readonly tmpScx: Float64Array;

  constructor(private readonly d: LinearDesign) {
    const q = d.q;
    const G = d.nGwas + 1;
    this.G = G;
    this.q = q;
    this.groupN = new Int32Array(G);
    this.groupCC = new Float64Array(G * q * q);
    this.groupCy = new Float64Array(G * q);
    this.groupYY = new Float64Array(G);
    const n = d.y.length;
    for (let a = 0; a < n; a++) {
      const g = d.group[a]!;
      this.groupN[g]!++;
      const y = d.y[a]!;
      this.groupYY[g]! += y * y;
      const row = a * q;
      for (let r = 0; r < q; r++) {
        const cr = d.covariates[row + r]!;
        this.groupCy[g * q + r]! += cr * y;
        for (let c = 0; c < q; c++) this.groupCC[g * q * q + r * q + c]! += cr * d.covariates[row + c]!;
      }
    }
    this.training = [];
    for (let k = 0; k < d.nGwas; k++) {
      const cc = new Float64Array(q * q);
      const cy = new Float64Array(q);
      let yy = 0;
      let nk = 0;
      for (let g = 0; g < G; g++) {
        if (g === k) continue;
        nk += this.groupN[g]!;
        yy += this.groupYY[g]!;
        for (let i = 0; i < q; i++) cy[i]! += this.groupCy[g * q + i]!;
        for (let i = 0; i < q * q; i++) cc[i]! += this.groupCC[g * q * q + i]!;
      }
      const chol = Float64Array.from(cc);
      if (!choleskyInPlace(chol, q)) throw new RangeError(`training set ${k}: covariate matrix is singular`);
      const w = forwardSolve(chol, q, cy, new Float64Array(q));
      this.training.push({ n: nk, cc, cy, yy, chol, w });
    }
    this.rows = new Float64Array(n * (q + 1));
    for (let a = 0; a < n; a++) {
      this.rows[a * (q + 1)] = d.y[a]!;
      for (let c = 0; c < q; c++) this.rows[a * (q + 1) + 1 + c] = d.covariates[a * q + c]!;
    }
    this.native = chooseGwasKernel();
    this.tmpCC = new Float64Array(q * q);
    this.tmpCy = new Float64Array(q);
    this.tmpV = new Float64Array(q);
    this.tmpW = new Float64Array(q);
    this.tmpScx = new Float64Array(q);
  }

  /**
   * Process `nVariants` packed variants (.bed layout, `bytesPerVariant` each) and write their
   * results at variant index `outOffset…` of `out`: the sums of every variant and group (native
   * kernel on several threads, else the same loop here), then each variant's fold regressions.
   */
  processChunk(packed: Uint8Array, nVariants: number, bytesPerVariant: number, out: GwasResults, outOffset: number): void {
    const { d, G, q } = this;
    this.reserve(nVariants);
    if (this.native) {
      this.native.accumulate(packed, bytesPerVariant, nVariants, d.analysisIndex, d.group, this.rows, q, G, this.chunkSums, this.chunkMissingCount, this.chunkMissing, gwasThreads());
    } else {
      for (let v = 0; v < nVariants; v++) this.accumulateVariant(packed, v * bytesPerVariant, v);
    }
    for (let v = 0; v < nVariants; v++) this.finishVariant(v, out, outOffset + v);
  }

  /**
   * The same over dosages (pgen / VCF / BGEN cohorts): `dosage` holds nVariants × nSamples ALT
   * dosages in 1/16384 units, DOSAGE_MISSING for a missing one; samples missing a variant are
   * dropped from its regressions, as `plink2 --glm` does.
   */
  processDosageChunk(dosage: Uint16Array, nVariants: number, out: GwasResults, outOffset: number): void {
    const { d, G, q } = this;
    this.reserve(nVariants);
    if (this.native) {
      this.native.accumulateDosage(dosage, nVariants, d.analysisIndex, d.group, this.rows, q, G, this.chunkSums, this.chunkMissingCount, this.chunkMissing, gwasThreads());
    } else {
      for (let v = 0; v < nVariants; v++) this.accumulateDosageVariant(dosage, v * d.nSamples, v);
    }
    for (let v = 0; v < nVariants; v++) this.finishVariant(v, out, outOffset + v);
  }

  private reserve(nVariants: number): void {
    const W = this.q + 3;
    if (this.chunkMissingCount.length < nVariants) {
      this.chunkSums = new Float64Array(nVariants * this.G * W);
      this.chunkMissingCount = new Int32Array(nVariants);
      this.chunkMissing = new Int32Array(nVariants * this.d.y.length);
    }
  }

  /** Variant v's sums per group from dosages (native/gwas.c accumulateDosage: same order, no FMA). */
  private accumulateDosageVariant(dosage: Uint16Array, base: number, v: number): void {
    const { d, G, q } = this;
    const W = q + 3;
    const R = q + 1;
    const sums = this.chunkSums;
    const at = v * G * W;
    sums.fill(0, at, at + G * W);
    const missing = this.chunkMissing;
    const missAt = v * d.y.length;
    let nMissing = 0;
    const ai = d.analysisIndex;
    const group = d.group;
    const rows = this.rows;
    for (let i = 0; i < d.nSamples; i++) {
      const a = ai[i]!;
      if (a < 0) continue;
      const dv = dosage[base + i]!;
      if (dv === 0) continue; // dosage 0 adds nothing
      if (dv === DOSAGE_MISSING) {
        missing[missAt + nMissing++] = a;
        continue;
      }
      const x = dv / DOSAGE_SCALE;
      const acc = at + group[a]! * W;
      sums[acc]! += x;
      sums[acc + 1]! += x * x;
      const row = a * R;
      for (let r = 0; r < R; r++) sums[acc + 2 + r]! += x * rows[row + r]!;
    }
    this.chunkMissingCount[v] = nMissing;
  }

  /** Variant v's sums per group (native/gwas.c accumulate does the same, in the same order). */
  private accumulateVariant(packed: Uint8Array, base: number, v: number): void {
    const { d, G, q } = this;
    const W = q + 3;
    const R = q + 1;
    const sums = this.chunkSums;
    const at = v * G * W;
    sums.fill(0, at, at + G * W);
    const n = d.y.length;
    const missing = this.chunkMissing;
    const missAt = v * n;
    let nMissing = 0;
    const ns = d.nSamples;
    const ai = d.analysisIndex;
    const group = d.group;
    const rows = this.rows;
    for (let i = 0; i < ns; i++) {
      const a = ai[i]!;
      if (a < 0) continue;
      const code = (packed[base + (i >>> 2)]! >>> ((i & 3) << 1)) & 3;
      if (code === 3) continue; // hom A2: dosage 0 adds nothing
      if (code === 1) {
        missing[missAt + nMissing++] = a;
        continue;
      }
      const x = code === 0 ? 2 : 1;
      const acc = at + group[a]! * W;
      sums[acc]! += x;
      sums[acc + 1]! += x * x;
      const row = a * R;
      for (let r = 0; r < R; r++) sums[acc + 2 + r]! += x * rows[row + r]!;
    }
    this.chunkMissingCount[v] = nMissing;
  }

  /** Every fold's regression for chunk variant v from its group sums. */
  private finishVariant(v: number, out: GwasResults, vOut: number): void {
    const { d, G, q } = this;
    const W = q + 3;
    const sums = this.chunkSums;
    const at = v * G * W;
    const nMissing = this.chunkMissingCount[v]!;
    const missing = this.chunkMissing;
    const missAt = v * d.y.length;
    const group = d.group;
    const y = d.y;
    const cov = d.covariates;
    const sx = (g: number): number => sums[at + g * W]!;
    const sxx = (g: number): number => sums[at + g * W + 1]!;
    const sxy = (g: number): number => sums[at + g * W + 2]!;
    // Totals over all groups.
    let tsx = 0;
    let tsxx = 0;
    let tsxy = 0;
    for (let g = 0; g < G; g++) {
      tsx += sx(g);
      tsxx += sxx(g);
      tsxy += sxy(g);
    }
    const nV = out.nVariants;
    for (let k = 0; k < d.nGwas; k++) {
      const idx = k * nV + vOut;
      const tr = this.training[k]!;
      const sxk = tsx - sx(k);
      const sxxk = tsxx - sxx(k);
      const sxyk = tsxy - sxy(k);
      const s = this.tmpScx;
      for (let c = 0; c < q; c++) {
        let t = 0;
        for (let g = 0; g < G; g++) if (g !== k) t += sums[at + g * W + 3 + c]!;
        s[c] = t;
      }
      // Samples of this training set that miss the variant: remove them from C'C, C'y, y'y.
      let nk = tr.n;
      let chol = tr.chol;
      let w = tr.w;
      let yy = tr.yy;
      let dropped = 0;
      for (let m = 0; m < nMissing; m++) if (group[missing[missAt + m]!] !== k) dropped++;
      if (dropped > 0) {
        const cc = this.tmpCC;
        const cy = this.tmpCy;
        cc.set(tr.cc);
        cy.set(tr.cy);
        for (let m = 0; m < nMissing; m++) {
          const a = missing[missAt + m]!;
          if (group[a] === k) continue;
          const ya = y[a]!;
          yy -= ya * ya;
          const row = a * q;
          for (let r = 0; r < q; r++) {
            const cr = cov[row + r]!;
            cy[r]! -= cr * ya;
            for (let c = 0; c < q; c++) cc[r * q + c]! -= cr * cov[row + c]!;
          }
        }
        nk -= dropped;
        if (!choleskyInPlace(cc, q)) {
          writeFailure(out, idx, GWAS_COLLINEAR, nk, sxk);
          continue;
        }
        chol = cc;
        w = forwardSolve(cc, q, cy, this.tmpW);
      }
      const df = nk - q - 1;
      if (df < 1) {
        writeFailure(out, idx, GWAS_TOO_FEW_SAMPLES, nk, sxk);
        continue;
      }
      const vv = forwardSolve(chol, q, s, this.tmpV);
      let vw = 0;
      let v2 = 0;
      let w2 = 0;
      for (let c = 0; c < q; c++) {
        vw += vv[c]! * w[c]!;
        v2 += vv[c]! * vv[c]!;
        w2 += w[c]! * w[c]!;
      }
      const xtx = sxxk - v2;
      const xty = sxyk - vw;
      const yty = yy - w2;
      // x̃'x̃ relative to the raw centred sum of squares: ~0 means no variation left.
      const centred = sxxk - (sxk * sxk) / nk;
      if (!(centred > 1e-9 * Math.max(1, sxxk))) {
        writeFailure(out, idx, GWAS_CONST_ALLELE, nk, sxk);
        continue;
      }
      if (!(xtx > 1e-8 * centred)) {
        writeFailure(out, idx, GWAS_COLLINEAR, nk, sxk);
        continue;
      }
      const beta = xty / xtx;
      const sigma2 = (yty - beta * xty) / df;
      const se = Math.sqrt(sigma2 / xtx);
      const t = beta / se;
      out.b[idx] = beta;
      out.se[idx] = se;
      out.t[idx] = t;
      out.p[idx] = studentTTwoSidedP(t, df);
      out.n[idx] = nk;
      out.freq[idx] = sxk / (2 * nk);
      out.err[idx] = GWAS_OK;
    }
  }
}

function writeFailure(out: GwasResults, idx: number, err: number, n: number, sx: number): void {
  out.b[idx] = NaN;
  out.se[idx] = NaN;
  out.t[idx] = NaN;
  out.p[idx] = NaN;
  out.n[idx] = n;
  out.freq[idx] = n > 0 ? sx / (2 * n) : NaN;
  out.err[idx] = err;
}

/** Solve L z = b for lower-triangular L (row-major q × q) into `out`. */
function forwardSolve(l: Float64Array, q: number, b: Float64Array, out: Float64Array): Float64Array {
  for (let r = 0; r < q; r++) {
    let s = b[r]!;
    for (let c = 0; c < r; c++) s -= l[r * q + c]! * out[c]!;
    out[r] = s / l[r * q + r]!;
  }
  return out;
}
