// Allele matching for scoring: orientation rules, A2 weights as −w plus 2w, strand flips,
// ambiguous pairs, absent and mismatched variants; then the matched model scored by hand.
import { describe, expect, it } from 'vitest';
import { MISSING_DOSAGE, packVariant } from '../../core/genotypes/bedCodec.js';
import { complement, isAmbiguousPair, orient } from '../../core/alleles/alleleOrientation.js';
import { matchAlleles } from '../../core/alleles/matchAlleles.js';
import { NAMED_A1, NAMED_A2, ScoreAccumulator } from '../../core/score/scoreKernel.js';
import { buildScoreModel } from '../../core/score/scoreModel.js';
import type { WeightFile, WeightSet } from '../../core/score/weights.js';

function weightFile(rows: [string, string, string | undefined, ...number[]][], columns = ['W'], path = 'w.txt'): WeightFile {
  const hasOther = rows.some((r) => r[2] !== undefined);
  return {
    path,
    format: 'table',
    columns,
    ignoredColumns: [],
    id: rows.map((r) => r[0]),
    effectAllele: rows.map((r) => r[1]),
    otherAllele: hasOther ? rows.map((r) => r[2] ?? '') : null,
    line: Int32Array.from(rows, (_, i) => i + 2),
    weights: Float64Array.from(rows.flatMap((r) => r.slice(3) as number[])),
  };
}

function set(...files: WeightFile[]): WeightSet {
  const firstColumn: number[] = [];
  let at = 0;
  for (const f of files) {
    firstColumn.push(at);
    at += f.columns.length;
  }
  return { files, names: files.flatMap((f) => f.columns), firstColumn };
}

// Genotype variants: v1 A/G, v2 C/T, v3 A/T (ambiguous), v4 G/C (ambiguous), v5 indel.
const GENO = { id: ['v1', 'v2', 'v3', 'v4', 'v5'], a1: ['A', 'C', 'A', 'G', 'AT'], a2: ['G', 'T', 'T', 'C', 'A'] };

describe('orientation', () => {
  it('knows complements and ambiguous pairs', () => {
    expect(complement('A')).toBe('T');
    expect(complement('G')).toBe('C');
    expect(complement('AT')).toBeUndefined();
    expect(isAmbiguousPair('A', 'T')).toBe(true);
    expect(isAmbiguousPair('C', 'G')).toBe(true);
    expect(isAmbiguousPair('A', 'G')).toBe(false);
  });

  it('matches A1, A2, and either on the other strand, using the other allele when given', () => {
    expect(orient('A', undefined, 'A', 'G')).toBe('a1');
    expect(orient('G', undefined, 'A', 'G')).toBe('a2');
    expect(orient('T', undefined, 'A', 'G')).toBe('flip-a1');
    expect(orient('C', undefined, 'A', 'G')).toBe('flip-a2');
    expect(orient('T', 'C', 'A', 'G')).toBe('flip-a1');
    expect(orient('A', 'G', 'A', 'G')).toBe('a1');
    expect(orient('A', 'C', 'A', 'G')).toBe('mismatch'); // a third allele
    expect(orient('T', 'G', 'A', 'G')).toBe('mismatch');
    expect(orient('A', '', 'A', 'G')).toBe('a1'); // empty other allele = not given
  });

  it('never flips an ambiguous pair, and flips nothing that is not a single base', () => {
    expect(orient('A', undefined, 'A', 'T')).toBe('a1');
    expect(orient('T', undefined, 'A', 'T')).toBe('a2');
    expect(orient('C', undefined, 'A', 'T')).toBe('mismatch');
    expect(orient('AT', undefined, 'AT', 'A')).toBe('a1');
    expect(orient('TA', undefined, 'AT', 'A')).toBe('mismatch');
  });
});

describe('matchAlleles', () => {
  const file = weightFile([
    ['v1', 'A', undefined, 0.5],
    ['v2', 'T', undefined, 0.25], // on A2
    ['v3', 'A', undefined, 1], // ambiguous, kept
    ['v4', 'C', undefined, 2], // ambiguous, on A2
    ['v9', 'A', undefined, 7], // absent
    ['v5', 'G', undefined, 3], // mismatch
  ]);

  it('negates weights on A2, adds 2w to the offset, counts ambiguous, absent and mismatched rows', () => {
    const m = matchAlleles(GENO, set(file));
    expect(Array.from(m.variant)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.weights)).toEqual([0.5, -0.25, 1, -2]);
    expect(Array.from(m.named)).toEqual([NAMED_A1, NAMED_A2, NAMED_A1, NAMED_A2]);
    expect(Array.from(m.a2Offset)).toEqual([2 * 0.25 + 2 * 2]);
    expect(m.counts[0]).toMatchObject({ rows: 6, used: 4, swapped: 2, flipped: 0, ambiguous: 2, ambiguousDropped: 0, absent: 1, mismatched: 1 });
    expect(m.absent).toEqual(['v9']);
    expect(m.mismatches).toEqual([{ file: 'w.txt', line: 7, id: 'v5', weightAlleles: 'G', genotypeAlleles: 'AT/A' }]);
  });

  it('drops ambiguous variants on request', () => {
    const m = matchAlleles(GENO, set(file), { ambiguous: 'drop' });
    expect(Array.from(m.variant)).toEqual([0, 1]);
    expect(m.counts[0]).toMatchObject({ used: 2, ambiguousDropped: 2 });
  });

  it('flips strands of unambiguous variants (on A1 or A2), case-insensitively on the genotype side', () => {
    const m = matchAlleles({ ...GENO, a1: GENO.a1.map((a) => a.toLowerCase()) }, set(weightFile([['v1', 'T', 'C', 0.5], ['v2', 'A', undefined, 0.25]])));
    expect(Array.from(m.weights)).toEqual([0.5, -0.25]);
    expect(Array.from(m.a2Offset)).toEqual([0.5]);
    expect(m.counts[0]).toMatchObject({ used: 2, flipped: 2, swapped: 1 });
  });

  it('adds up both alleles of one variant and columns of several files', () => {
    const a = weightFile([['v1', 'A', undefined, 1, 10], ['v1', 'G', undefined, 0.5, 0]], ['X', 'Y'], 'a.txt');
    const b = weightFile([['v2', 'C', undefined, 4]], ['Z'], 'b.txt');
    const m = matchAlleles(GENO, set(a, b));
    expect(Array.from(m.variant)).toEqual([0, 1]);
    // rows × 3 columns: v1: X = 1 − 0.5, Y = 10, Z = 0; v2: Z = 4
    expect(Array.from(m.weights)).toEqual([0.5, 10, 0, 0, 0, 4]);
    expect(Array.from(m.a2Offset)).toEqual([1, 0, 0]);
    expect(Array.from(m.named)).toEqual([NAMED_A1 | NAMED_A2, NAMED_A1]);
  });

  it('refuses a weighted ID that the genotypes hold twice', () => {
    const geno = { id: ['v1', 'v1', 'v2'], a1: ['A', 'A', 'C'], a2: ['G', 'C', 'T'] };
    expect(() => matchAlleles(geno, set(weightFile([['v1', 'A', undefined, 1]])))).toThrow(/'v1' occurs more than once .*#1 and #2/);
    expect(matchAlleles(geno, set(weightFile([['v2', 'C', undefined, 1]]))).variant).toEqual(Int32Array.of(2));
  });
});

describe('matched weights scored', () => {
  it('equals Σ w · dosage of the named allele, with missing calls as 2f of that allele', () => {
    // v1 A/G named G (A2), v2 C/T named C (A1); samples' A1 dosages below, one missing.
    const dos = [
      [2, 1, MISSING_DOSAGE, 0],
      [0, 2, 1, 1],
    ];
    const packed = new Uint8Array(2);
    dos.forEach((d, v) => packVariant(Uint8Array.from(d), packed, v));
    const m = matchAlleles({ id: ['v1', 'v2'], a1: ['A', 'C'], a2: ['G', 'T'] }, set(weightFile([['v1', 'G', undefined, 3], ['v2', 'C', undefined, -1]])));
    const fA1 = Float64Array.of(0.25, 0.5);
    for (const center of [false, true]) {
      const acc = new ScoreAccumulator(buildScoreModel(m, fA1, center), 4, null);
      acc.addChunk(packed, 0, 2);
      const r = acc.finish();
      // G dosage = 2 − x, G frequency 0.75; C dosage = x, frequency 0.5.
      const gDose = [0, 1, 2 * 0.75, 2];
      const cDose = [0, 2, 1, 1];
      for (let i = 0; i < 4; i++) {
        const want = center ? 3 * (gDose[i]! - 1.5) - (cDose[i]! - 1) : 3 * gDose[i]! - cDose[i]!;
        expect(r.scores[i]).toBeCloseTo(want, 14);
      }
      expect(Array.from(r.namedDosage)).toEqual([0, 3, 1, 3]);
    }
  });
});
