// Cross-ancestry architecture (--rg, --private-causal): causal effects that differ between
// ancestries. The first ancestry keeps the single-ancestry draw of effects.ts exactly (its causal
// set and effects); every other ancestry gets
//   - the same shared causal variants, with the same component k and standardised effects
//     correlated R with every other ancestry's: (β_1j … β_Aj) ~ N(0, γ_k Σ), Σ = (1 − R)I + R11ᵀ,
//     drawn as β_aj = √γ_k Σ_b L_ab z_bj (L the Cholesky factor of Σ, z_1j = β_1j/√γ_k the
//     first ancestry's own draw), so R = 1 gives equal effects;
//   - q = round(F·m) private causal variants (m = the first ancestry's causal count), causal in that
//     ancestry only: the first ancestry's are q of its own causal variants (chosen at random, so
//     its causal set stays), the others' q variants not causal elsewhere, drawn without
//     replacement with probability ∝ the annotation prior Φ(a_jᵀα_0), their components from the
//     probit steps α_1…α_3 and effects N(0, γ_k) as in effects.ts.
// So every ancestry has m causal variants, exactly q of them private, m − q shared.
import { ConfigError } from '../../config/errors.js';
import { normalCdf } from '../numeric/random/normalDistribution.js';
import { Rng } from '../numeric/random/rng.js';
import { GAMMA, type TrueEffects, linear } from './effects.js';

export const STREAM_CROSS_ANCESTRY = 10;

export interface CrossAncestryEffects {
  /** Standardised effects per ancestry (before the h² scaling); [0] is the base draw. */
  betaStd: Float64Array[];
  /** Component per ancestry and SNP (0 = not causal in that ancestry). */
  component: Uint8Array[];
  /** Per SNP: the ancestry index it is privately causal in, −1 if shared or not causal. */
  privateOf: Int16Array;
  /** Causal in every ancestry. */
  shared: Uint8Array;
  sharedCount: number;
  /** Private causal variants per ancestry (the same q for all). */
  privateCount: number;
  /** Causal variants per ancestry (the same m for all). */
  causalCount: number;
}

/** Cholesky factor of the A×A equicorrelation matrix; semidefinite (R = 1, R = −1/(A−1)) gives zero columns. */
export function equicorrelationFactor(nAncestries: number, r: number): Float64Array[] {
  const c = (i: number, j: number): number => (i === j ? 1 : r);
  const L = Array.from({ length: nAncestries }, () => new Float64Array(nAncestries));
  for (let i = 0; i < nAncestries; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < j; k++) s += L[i]![k]! * L[j]![k]!;
      if (i === j) {
        const d = c(i, i) - s;
        L[i]![i] = d > 1e-12 ? Math.sqrt(d) : 0;
      } else {
        L[i]![j] = L[j]![j]! > 0 ? (c(i, j) - s) / L[j]![j]! : 0;
      }
    }
  }
  return L;
}

/**
 * `eligible(a, j)`: whether SNP j may be a private causal variant of ancestry a ≥ 1 (founders: it
 * varies in that ancestry's founders, so a private effect is visible there); default every SNP.
 */
export function crossAncestryEffects(
  base: TrueEffects,
  nAncestries: number,
  rg: number,
  privateFraction: number,
  seed: number,
  eligible: (a: number, j: number) => boolean = () => true,
): CrossAncestryEffects {
  const nSnps = base.component.length;
  const causal: number[] = [];
  for (let j = 0; j < nSnps; j++) if (base.component[j]! > 0) causal.push(j);
  const m = causal.length;
  const q = Math.round(privateFraction * m);
  const tooFew = (free: number): ConfigError =>
    new ConfigError('simulate options', [
      {
        field: 'privateCausal',
        message: `--private-causal ${privateFraction} needs ${q} private causal variants in each of ${nAncestries - 1} further ancestries, but only ${free} of ${nSnps} SNPs are left that are not causal elsewhere (lower it or --causal-fraction, or add SNPs)`,
      },
    ]);
  if ((nAncestries - 1) * q > nSnps - m) throw tooFew(nSnps - m);

  const betaStd = Array.from({ length: nAncestries }, (_, a) => (a === 0 ? Float64Array.from(base.betaStd) : new Float64Array(nSnps)));
  const component = Array.from({ length: nAncestries }, (_, a) => (a === 0 ? Uint8Array.from(base.component) : new Uint8Array(nSnps)));
  const privateOf = new Int16Array(nSnps).fill(-1);
  const shared = new Uint8Array(nSnps);

  // The first ancestry's private variants: q of its causal variants at random (partial Fisher–Yates).
  const pickRng = Rng.stream(seed, STREAM_CROSS_ANCESTRY, 0);
  const order = causal.slice();
  for (let i = 0; i < q; i++) {
    const k = i + pickRng.below(m - i);
    [order[i], order[k]] = [order[k]!, order[i]!];
  }
  for (let i = 0; i < q; i++) privateOf[order[i]!] = 0;
  let sharedCount = 0;
  for (const j of causal) {
    if (privateOf[j] === -1) {
      shared[j] = 1;
      sharedCount++;
    }
  }

  // Shared variants: correlated effects, same component.
  const L = equicorrelationFactor(nAncestries, rg);
  const effRng = Rng.stream(seed, STREAM_CROSS_ANCESTRY, 1);
  const z = new Float64Array(nAncestries);
  for (const j of causal) {
    if (!shared[j]) continue;
    const k = base.component[j]!;
    const sd = Math.sqrt(GAMMA[k]!);
    z[0] = base.betaStd[j]! / sd;
    for (let a = 1; a < nAncestries; a++) z[a] = effRng.normal();
    for (let a = 1; a < nAncestries; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += L[a]![b]! * z[b]!;
      betaStd[a]![j] = sd * s;
      component[a]![j] = k;
    }
  }

  // Other ancestries' private variants: weighted sampling without replacement (Efraimidis–
  // Spirakis keys log(u)/w) among SNPs causal nowhere yet, weights the annotation prior.
  if (q > 0) {
    const weight = new Float64Array(nSnps);
    for (let j = 0; j < nSnps; j++) weight[j] = Math.max(normalCdf(linear(base.annotations, base.alpha[0]!, j)), 1e-300);
    const taken = Uint8Array.from(base.component, (k) => (k > 0 ? 1 : 0));
    for (let a = 1; a < nAncestries; a++) {
      const rng = Rng.stream(seed, STREAM_CROSS_ANCESTRY, 1 + a);
      const pool: number[] = [];
      const key = new Float64Array(nSnps);
      for (let j = 0; j < nSnps; j++) {
        if (taken[j] || !eligible(a, j)) continue;
        pool.push(j);
        key[j] = Math.log(rng.uniform()) / weight[j]!;
      }
      if (pool.length < q) throw tooFew(pool.length);
      pool.sort((x, y) => key[y]! - key[x]! || x - y);
      const chosen = pool.slice(0, q).sort((x, y) => x - y);
      for (const j of chosen) {
        taken[j] = 1;
        privateOf[j] = a;
        let k = 1;
        while (k < 4 && rng.uniform() < normalCdf(linear(base.annotations, base.alpha[k]!, j))) k++;
        component[a]![j] = k;
        betaStd[a]![j] = Math.sqrt(GAMMA[k]!) * rng.normal();
      }
    }
  }
  // The first ancestry's private variants are causal there only: nothing to do (others hold 0).
  return { betaStd, component, privateOf, shared, sharedCount, privateCount: q, causalCount: m };
}

/** Pearson correlation of x and y over the SNPs where `keep` holds; null with fewer than 3 or no spread. */
export function correlationOver(x: Float64Array, y: Float64Array, keep: (j: number) => boolean): { n: number; r: number | null } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let j = 0; j < x.length; j++) {
    if (!keep(j)) continue;
    n++;
    sx += x[j]!;
    sy += y[j]!;
  }
  if (n < 3) return { n, r: null };
  const mx = sx / n;
  const my = sy / n;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let j = 0; j < x.length; j++) {
    if (!keep(j)) continue;
    const dx = x[j]! - mx;
    const dy = y[j]! - my;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  return { n, r: xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : null };
}

/**
 * Realised correlations of the effects for every pair of ancestries: over the shared causal
 * variants on the standardised scale (what --rg sets) and per allele (truth/effects.tsv), and over
 * the union of the two ancestries' causal variants (zeros where not causal: ≈ R·(1 − F)).
 */
export function realisedCorrelations(ancestries: string[], x: CrossAncestryEffects, perAllele: Float64Array[]) {
  const out: { ancestries: [string, string]; sharedCausal: number; standardised: number | null; perAllele: number | null; causalUnion: number | null }[] = [];
  for (let a = 0; a < ancestries.length; a++) {
    for (let b = a + 1; b < ancestries.length; b++) {
      const isShared = (j: number): boolean => x.shared[j] === 1;
      const inUnion = (j: number): boolean => x.component[a]![j]! > 0 || x.component[b]![j]! > 0;
      const std = correlationOver(x.betaStd[a]!, x.betaStd[b]!, isShared);
      out.push({
        ancestries: [ancestries[a]!, ancestries[b]!],
        sharedCausal: std.n,
        standardised: std.r,
        perAllele: correlationOver(perAllele[a]!, perAllele[b]!, isShared).r,
        causalUnion: correlationOver(x.betaStd[a]!, x.betaStd[b]!, inUnion).r,
      });
    }
  }
  return out;
}
