// Per-allele weights of the SBayesRC-multi combined score: Σ_a k_a · β_a over the union of the
// ancestries' fitted variants, k_a = w_a / sd_a (combinedScore.ts).
//
// Alleles. A variant of the reference (the target cohort's genotypes) is written with the
// reference's A1 as effect allele and every fit's β is aligned to it exactly as the scoring
// matcher aligned that fit's weight file when the study scored the target (core/alleles/
// `orient`, effect allele only, as the fit's .txt names it): the same allele (or its strand
// complement) adds k·β, the other allele adds −k·β, no strand flip is inferred for A/T and C/G,
// and a row matching neither way contributes 0 (the scorer skipped it too). The scorer counted a
// weight given on A2 as k·β·(2 − x): those rows' 2·β per fit are `a2Offset`, so that on the
// reference cohort Σ_a k_a · (s_a − a2Offset_a) is exactly the score of these weights. A variant
// the reference lacks takes the alleles of the first fit (in ancestry order) that has it, later
// fits aligned by the same rule with both alleles. A fit that lacks a variant contributes 0. Pure.
import { type Orientation, complement, orient } from '../alleles/alleleOrientation.js';
import { MetricInputError } from '../errors.js';

export interface AlleleWeight {
  snp: string;
  chrom: string | null;
  pos: number | null;
  /** Effect allele. */
  a1: string;
  /** The other allele, null when not known. */
  a2: string | null;
  beta: number;
}

export interface AncestryFitWeights {
  ancestry: string;
  /** The fit's scope in `fits` / `effects`, e.g. 'EUR/SBayesRC'. */
  scope: string;
  rows: readonly AlleleWeight[];
}

/** The target cohort's variants (its genotypes' A1/A2), the alleles the study scored against. */
export interface ReferenceVariants {
  id: readonly string[];
  a1: readonly string[];
  a2: readonly string[];
  chrom?: readonly string[];
  pos?: readonly number[];
}

export interface CombinedFitCounts {
  ancestry: string;
  scope: string;
  /** Rows of the fit. */
  variants: number;
  /** The fit's effect allele is the combined row's other allele: its β enters with the sign flipped. */
  flipped: number;
  /** Alleles matched on the opposite strand (also in `flipped` when on the other allele). */
  strandFlipped: number;
  /** Alleles match neither way: the fit contributes 0 to that variant. */
  mismatched: number;
  /** Union variants the fit does not have: it contributes 0 there. */
  missing: number;
  /** Σ 2·β over the fit's rows on the reference's A2 (what its score adds to the per-A1 score). */
  a2Offset: number;
}

export interface CombinedWeights {
  /** One row per union variant, `beta` the combined per-allele weight of `a1`. */
  rows: AlleleWeight[];
  counts: CombinedFitCounts[];
}

type Sign = 1 | -1 | 0;

const upper = (s: string | null | undefined): string | undefined => (s === null || s === undefined || s === '' ? undefined : s.toUpperCase());

/** A fit's row against a reference variant: by its effect allele only, as the scorer matched it. */
function alignToReference(refA1: string, refA2: string, r: AlleleWeight, c: CombinedFitCounts): Sign {
  return signCounted(orient(r.a1.toUpperCase(), undefined, refA1.toUpperCase(), refA2.toUpperCase()), c);
}

/** The sign a fit's row takes for an orientation, counting allele and strand flips. */
function signCounted(rel: Orientation, c: CombinedFitCounts): Sign {
  if (rel === 'mismatch') return 0;
  if (rel === 'flip-a1' || rel === 'flip-a2') c.strandFlipped++;
  if (rel === 'a2' || rel === 'flip-a2') {
    c.flipped++;
    return -1;
  }
  return 1;
}

/** A later fit's row against a union row from an earlier fit (not in the reference), both alleles used. */
function alignToFit(u: AlleleWeight, r: AlleleWeight, c: CombinedFitCounts): Sign {
  const e = r.a1.toUpperCase();
  const o = upper(r.a2);
  const ua1 = u.a1.toUpperCase();
  const ua2 = upper(u.a2);
  if (ua2 === undefined) {
    // Only the union row's effect allele is known: orient it to the fit's pair instead (and
    // learn its other allele); with neither other allele known, only the same allele matches.
    if (o === undefined) return e === ua1 ? 1 : 0;
    const rel = orient(ua1, undefined, e, o);
    if (rel !== 'mismatch') u.a2 = rel === 'a1' ? o : rel === 'a2' ? e : rel === 'flip-a1' ? (complement(o) ?? o) : (complement(e) ?? e);
    return signCounted(rel, c);
  }
  return signCounted(orient(e, o, ua1, ua2), c);
}

/** `scale[a]` multiplies fit a's effects (w_a / sd_a); fits in ancestry order. */
export function combineFitWeights(fits: readonly AncestryFitWeights[], scale: readonly number[], reference?: ReferenceVariants): CombinedWeights {
  if (fits.length === 0 || scale.length !== fits.length) throw new MetricInputError(`${scale.length} scale factors for ${fits.length} fits`);
  // Reference variant of each ID (an ID listed twice is left to the fits: the scorer refuses it).
  const ref = new Map<string, number>();
  if (reference) {
    const twice = new Set<string>();
    reference.id.forEach((id, v) => {
      if (ref.has(id)) twice.add(id);
      else ref.set(id, v);
    });
    for (const id of twice) ref.delete(id);
  }
  const at = new Map<string, number>();
  const rows: AlleleWeight[] = [];
  const inReference: boolean[] = [];
  const distinct: number[] = [];
  const counts = fits.map((f, a): CombinedFitCounts => {
    const k = scale[a]!;
    const c: CombinedFitCounts = { ancestry: f.ancestry, scope: f.scope, variants: f.rows.length, flipped: 0, strandFlipped: 0, mismatched: 0, missing: 0, a2Offset: 0 };
    const seen = new Set<string>();
    for (const r of f.rows) {
      seen.add(r.snp);
      let j = at.get(r.snp);
      if (j === undefined) {
        j = rows.length;
        at.set(r.snp, j);
        const v = ref.get(r.snp);
        if (v === undefined) {
          rows.push({ snp: r.snp, chrom: r.chrom, pos: r.pos, a1: r.a1, a2: r.a2, beta: k * r.beta });
          inReference.push(false);
          continue;
        }
        rows.push({ snp: r.snp, chrom: r.chrom ?? reference!.chrom?.[v] ?? null, pos: r.pos ?? reference!.pos?.[v] ?? null, a1: reference!.a1[v]!, a2: reference!.a2[v]!, beta: 0 });
        inReference.push(true);
      }
      const u = rows[j]!;
      if (u.chrom === null && r.chrom !== null) u.chrom = r.chrom;
      if (u.pos === null && r.pos !== null) u.pos = r.pos;
      const sign = inReference[j] ? alignToReference(u.a1, u.a2!, r, c) : alignToFit(u, r, c);
      if (sign === 0) c.mismatched++;
      else u.beta += sign * k * r.beta;
      if (sign === -1 && inReference[j]) c.a2Offset += 2 * r.beta;
    }
    distinct.push(seen.size);
    return c;
  });
  counts.forEach((c, a) => (c.missing = rows.length - distinct[a]!));
  return { rows, counts };
}
