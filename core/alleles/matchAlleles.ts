// Weight rows → genotype variants by ID, with allele orientation. Scores count A1 (the .bim 5th
// column), so a weight given on A2 contributes w·(2 − x) = 2w − w·x: the row gets −w and the
// score an offset 2w (0 when centring, since w·((2 − x) − 2(1 − f)) = −w·(x − 2f)). That makes the
// result equal PLINK's score when PLINK is told the weight's allele. Strand complements are
// recognised where the genotype pair is not itself complementary (A/T, C/G can't tell a flip).
import { BadInputError } from '../errors.js';
import { StringIndex } from '../formats/text.js';
import { NAMED_A1, NAMED_A2 } from '../score/scoreKernel.js';
import type { WeightSet } from '../score/weights.js';
import { isAmbiguousPair, orient } from './alleleOrientation.js';

export interface GenotypeVariants {
  id: readonly string[];
  /** Upper-case is not required: alleles compare case-insensitively. */
  a1: readonly string[];
  a2: readonly string[];
}

export type AmbiguousWeightPolicy = 'keep' | 'drop';

export interface MatchOptions {
  /** Strand-ambiguous variants (A/T, C/G): keep as the IDs and alleles say (default) or drop. */
  ambiguous?: AmbiguousWeightPolicy;
}

export interface MatchCounts {
  file: string;
  rows: number;
  /** Rows used (includes swapped, flipped and kept ambiguous rows). */
  used: number;
  /** Effect allele is the genotypes' A2: weight negated. */
  swapped: number;
  /** Alleles matched on the opposite strand. */
  flipped: number;
  /** Strand-ambiguous rows kept. */
  ambiguous: number;
  ambiguousDropped: number;
  /** ID not among the genotype variants. */
  absent: number;
  /** ID found, alleles match neither way, on either strand. */
  mismatched: number;
}

export interface AlleleMismatch {
  file: string;
  line: number;
  id: string;
  /** effect/other as given. */
  weightAlleles: string;
  /** A1/A2 of the genotypes. */
  genotypeAlleles: string;
}

export interface MatchedWeights {
  names: string[];
  /** Genotype variant of each model row, ascending. */
  variant: Int32Array;
  /** rows × names.length, per copy of A1. */
  weights: Float64Array;
  named: Uint8Array;
  /** Per score: Σ 2w over weights given on A2 (add when not centring). */
  a2Offset: Float64Array;
  counts: MatchCounts[];
  /** The first mismatches (up to MAX_EXAMPLES), for the log. */
  mismatches: AlleleMismatch[];
  /** The first absent IDs (up to MAX_EXAMPLES). */
  absent: string[];
}

export const MAX_EXAMPLES = 20;

const DUPLICATE = -2;

export function matchAlleles(geno: GenotypeVariants, set: WeightSet, options: MatchOptions = {}): MatchedWeights {
  const policy = options.ambiguous ?? 'keep';
  const nGeno = geno.id.length;
  const s = set.names.length;
  // Genotype IDs: StringIndex position → variant, DUPLICATE where an ID repeats.
  const index = new StringIndex();
  const variantOf: number[] = [];
  const firstAt: number[] = [];
  const dupSecond = new Map<number, number>();
  for (let v = 0; v < nGeno; v++) {
    const k = index.getOrAdd(geno.id[v]!);
    if (k < 0) {
      variantOf.push(v);
      firstAt.push(v);
    } else {
      if (variantOf[k] !== DUPLICATE) dupSecond.set(k, v);
      variantOf[k] = DUPLICATE;
    }
  }
  const known = index.size;
  const upper = (a: readonly string[], v: number): string => a[v]!.toUpperCase();

  // Pass 1: each weight row's variant and orientation.
  type Hit = { file: number; row: number; variant: number; onA2: boolean };
  const hits: Hit[] = [];
  const counts: MatchCounts[] = [];
  const mismatches: AlleleMismatch[] = [];
  const absent: string[] = [];
  set.files.forEach((f, fi) => {
    const c: MatchCounts = { file: f.path, rows: f.id.length, used: 0, swapped: 0, flipped: 0, ambiguous: 0, ambiguousDropped: 0, absent: 0, mismatched: 0 };
    counts.push(c);
    for (let r = 0; r < f.id.length; r++) {
      const id = f.id[r]!;
      const k = index.getOrAdd(id);
      const at = k < 0 || k >= known ? -1 : variantOf[k]!;
      if (at === -1) {
        c.absent++;
        if (absent.length < MAX_EXAMPLES) absent.push(id);
        continue;
      }
      if (at === DUPLICATE) {
        throw new BadInputError(
          f.path,
          `variant '${id}' occurs more than once among the genotype variants (#${firstAt[k]! + 1} and #${dupSecond.get(k)! + 1}); remove or rename the duplicates`,
          f.line[r],
        );
      }
      const a1 = upper(geno.a1, at);
      const a2 = upper(geno.a2, at);
      const o = orient(f.effectAllele[r]!, f.otherAllele?.[r], a1, a2);
      if (o === 'mismatch') {
        c.mismatched++;
        if (mismatches.length < MAX_EXAMPLES) {
          const other = f.otherAllele?.[r];
          mismatches.push({ file: f.path, line: f.line[r]!, id, weightAlleles: other ? `${f.effectAllele[r]}/${other}` : f.effectAllele[r]!, genotypeAlleles: `${a1}/${a2}` });
        }
        continue;
      }
      if (isAmbiguousPair(a1, a2)) {
        if (policy === 'drop') {
          c.ambiguousDropped++;
          continue;
        }
        c.ambiguous++;
      }
      if (o === 'flip-a1' || o === 'flip-a2') c.flipped++;
      const onA2 = o === 'a2' || o === 'flip-a2';
      if (onA2) c.swapped++;
      c.used++;
      hits.push({ file: fi, row: r, variant: at, onA2 });
    }
  });

  // Pass 2: model rows are the distinct variants hit, in genotype order.
  const rowOf = new Int32Array(nGeno).fill(-1);
  for (const h of hits) rowOf[h.variant] = 0;
  let rows = 0;
  for (let v = 0; v < nGeno; v++) if (rowOf[v] === 0) rowOf[v] = rows++;
  const variant = new Int32Array(rows);
  for (let v = 0; v < nGeno; v++) if (rowOf[v]! >= 0) variant[rowOf[v]!] = v;
  const weights = new Float64Array(rows * s);
  const named = new Uint8Array(rows);
  const a2Offset = new Float64Array(s);
  for (const h of hits) {
    const f = set.files[h.file]!;
    const nc = f.columns.length;
    const row = rowOf[h.variant]!;
    named[row]! |= h.onA2 ? NAMED_A2 : NAMED_A1;
    for (let k = 0; k < nc; k++) {
      const w = f.weights[h.row * nc + k]!;
      const col = set.firstColumn[h.file]! + k;
      if (h.onA2) {
        weights[row * s + col]! -= w;
        a2Offset[col]! += 2 * w;
      } else weights[row * s + col]! += w;
    }
  }
  return { names: set.names, variant, weights, named, a2Offset, counts, mismatches, absent };
}
