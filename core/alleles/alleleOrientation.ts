// How two allele pairs relate: the one definition used wherever alleles from one source (weights,
// summary statistics) are matched to another's A1/A2 (genotypes, LD panel). Callers decide what
// to accept: scoring and QC take strand flips, the panel alignment only same or swapped.

const COMPLEMENT: Readonly<Record<string, string>> = { A: 'T', T: 'A', C: 'G', G: 'C' };

/** Complement of a single-base allele; undefined for anything else (indels, '0', N). */
export function complement(allele: string): string | undefined {
  return COMPLEMENT[allele];
}

/** A/T and C/G pairs read the same on both strands. */
export function isAmbiguousPair(a1: string, a2: string): boolean {
  return complement(a1) === a2;
}

/**
 * Which of (a1, a2) the effect allele is: as given, or after complementing both alleles
 * ('flip-'). A flip is never inferred for an ambiguous (a1, a2): A/T and C/G can't tell it.
 */
export type Orientation = 'a1' | 'a2' | 'flip-a1' | 'flip-a2' | 'mismatch';

/**
 * Which allele of (a1, a2) `effect` is. `other` may be undefined or '' (not known); when given
 * it must be the remaining allele. Comparison is exact: callers upper-case where needed.
 */
export function orient(effect: string, other: string | undefined, a1: string, a2: string): Orientation {
  const o = other === '' ? undefined : other;
  if (effect === a1 && (o === undefined || o === a2)) return 'a1';
  if (effect === a2 && (o === undefined || o === a1)) return 'a2';
  if (isAmbiguousPair(a1, a2)) return 'mismatch';
  const ce = complement(effect);
  const co = o === undefined ? undefined : complement(o);
  if (ce === undefined || (o !== undefined && co === undefined)) return 'mismatch';
  if (ce === a1 && (o === undefined || co === a2)) return 'flip-a1';
  if (ce === a2 && (o === undefined || co === a1)) return 'flip-a2';
  return 'mismatch';
}
