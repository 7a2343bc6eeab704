// The scoring kernel on hand-computed tiny cohorts, then against a naive per-genotype sum on
// random inputs with every chunking and thread slicing (the results must be bit-identical).
import { describe, expect, it } from 'vitest';
import { MISSING_DOSAGE, bytesPerVariant, packVariant } from '../../core/genotypes/bedCodec.js';
import { ALL_SCORES, NAMED_A1, NAMED_A2, SKIP_SAMPLE, ScoreAccumulator, type ScoreModel, type ScoreSums } from '../../core/score/scoreKernel.js';
import { Rng } from '../../core/numeric/random/rng.js';

const M = MISSING_DOSAGE;

/** Variant-major dosages (3 = missing) → packed .bed bytes. */
function pack(dosages: number[][]): Uint8Array {
  const n = dosages[0]!.length;
  const bpv = bytesPerVariant(n);
  const out = new Uint8Array(dosages.length * bpv);
  dosages.forEach((d, v) => packVariant(Uint8Array.from(d), out, v * bpv));
  return out;
}

function model(p: Partial<ScoreModel> & Pick<ScoreModel, 'weights' | 'freq'>, rows: number, nScores = 1): ScoreModel {
  return {
    nScores,
    variant: Int32Array.from({ length: rows }, (_, r) => r),
    named: new Uint8Array(rows).fill(NAMED_A1),
    offset: new Float64Array(nScores),
    center: false,
    ...p,
  };
}

function scoreAll(m: ScoreModel, packed: Uint8Array, n: number, sampleScore: Int32Array | null = null): ScoreSums {
  const acc = new ScoreAccumulator(m, n, sampleScore);
  acc.addChunk(packed, 0, m.variant.length === 0 ? 0 : m.variant[m.variant.length - 1]! + 1);
  return acc.finish();
}

// Five samples, four variants: A1 dosages per variant, M = missing.
const G = [
  [2, 1, 0, M, 1],
  [0, 0, 1, 2, 2],
  [1, M, 2, 0, 1],
  [2, 2, 1, 1, 0],
];
const W = Float64Array.of(0.5, -0.25, 1, -2);
const F = Float64Array.of(0.3, 0.4, 0.6, 0.5);

describe('score kernel: hand-computed', () => {
  it('sums w·x with a missing call as 2f, and counts alleles and named dosages as PLINK does', () => {
    const r = scoreAll(model({ weights: W, freq: F }, 4), pack(G), 5);
    // s0: 0.5·2 + 0 + 1·1 − 2·2; s1: 0.5·1 + 0 + 1·(2·0.6) − 2·2; s3: 0.5·(2·0.3) − 0.25·2 + 0 − 2·1
    const expected = [-2, -2.3, -0.25, -2.2, 1];
    expected.forEach((e, i) => expect(r.scores[i]).toBeCloseTo(e, 14));
    expect(Array.from(r.alleleCount)).toEqual([8, 6, 8, 6, 8]);
    expect(Array.from(r.namedDosage)).toEqual([5, 3, 4, 3, 4]);
  });

  it('centres with 2f and a missing call then contributes nothing', () => {
    const r = scoreAll(model({ weights: W, freq: F, center: true }, 4), pack(G), 5);
    // Σ w·2f = 0.3 − 0.2 + 1.2 − 2 = −0.7 for complete samples; s1 lacks v3, s3 lacks v1.
    const expected = [-2 + 0.7, 0.5 * 0.4 + -0.25 * -0.8 + -2 * 1, -0.25 + 0.7, -0.25 * 1.2 + 1 * -1.2 + 0, 1 + 0.7];
    expected.forEach((e, i) => expect(r.scores[i]).toBeCloseTo(e, 14));
  });

  it('adds the offset and counts the dosage of whichever alleles are named', () => {
    // v2 named on A2 (weight 0.25 per copy of A2 → −0.25 per A1, offset 0.5), v4 named on both.
    const named = Uint8Array.of(NAMED_A1, NAMED_A2, NAMED_A1, NAMED_A1 | NAMED_A2);
    const r = scoreAll(model({ weights: W, freq: F, named, offset: Float64Array.of(0.5) }, 4), pack(G), 5);
    [-1.5, -1.8, 0.25, -1.7, 1.5].forEach((e, i) => expect(r.scores[i]).toBeCloseTo(e, 14));
    // s0: A1 of v1 (2) + A2 of v2 (2) + A1 of v3 (1) + both of v4 (2) = 7
    expect(Array.from(r.namedDosage)).toEqual([7, 5, 5, 2, 4]);
  });

  it('scores each sample with its own column (the fold trick), all columns, or not at all', () => {
    const weights = new Float64Array(8);
    for (let v = 0; v < 4; v++) {
      weights[2 * v] = W[v]!;
      weights[2 * v + 1] = -2 * W[v]!;
    }
    const choice = Int32Array.of(0, 1, ALL_SCORES, SKIP_SAMPLE, 1);
    const r = scoreAll(model({ weights, freq: F }, 4, 2), pack(G), 5, choice);
    const one = [-2, -2.3, -0.25, -2.2, 1];
    expect(r.scores[0]).toBeCloseTo(one[0]!, 14);
    expect(r.scores[1]).toBeNaN();
    expect(r.scores[2]).toBeNaN();
    expect(r.scores[3]).toBeCloseTo(-2 * one[1]!, 14);
    expect(r.scores[4]).toBeCloseTo(one[2]!, 14);
    expect(r.scores[5]).toBeCloseTo(-2 * one[2]!, 14);
    expect(r.scores[6]).toBeNaN();
    expect(r.scores[7]).toBeNaN();
    expect(r.scores[9]).toBeCloseTo(-2 * one[4]!, 14);
    expect(Array.from(r.alleleCount)).toEqual([8, 6, 8, 0, 8]);
  });

  it('gives NaN only where a weighted missing call has no frequency', () => {
    const freq = Float64Array.of(NaN, 0.4, NaN, 0.5);
    const zeroOnV3 = Float64Array.of(0.5, -0.25, 0, -2);
    const r = scoreAll(model({ weights: zeroOnV3, freq }, 4), pack(G), 5);
    expect(r.scores[1]).toBeCloseTo(-3.5, 14); // v3 missing but unweighted
    expect(r.scores[3]).toBeNaN(); // v1 missing, weighted, no f
    expect(r.scores[0]).toBeCloseTo(-3, 14);
  });
});

/** Reference: the definition, one genotype at a time. */
function naive(m: ScoreModel, dos: number[][], sampleScore: Int32Array | null): ScoreSums {
  const n = dos[0]!.length;
  const s = m.nScores;
  const rows = m.variant.length;
  const scores = new Float64Array(n * s).fill(NaN);
  const alleleCount = new Int32Array(n);
  const namedDosage = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const choice = sampleScore ? sampleScore[i]! : ALL_SCORES;
    if (choice === SKIP_SAMPLE) continue;
    for (let c = 0; c < s; c++) {
      if (choice >= 0 && choice !== c) continue;
      let sum = m.offset[c]!;
      for (let r = 0; r < rows; r++) {
        const x = dos[m.variant[r]!]![i]!;
        const f = m.freq.length === rows ? m.freq[r]! : m.freq[r * s + c]!;
        const w = m.weights[r * s + c]!;
        if (w === 0) continue;
        sum += w * ((x === M ? 2 * f : x) - (m.center ? 2 * f : 0));
      }
      scores[i * s + c] = sum;
    }
    for (let r = 0; r < rows; r++) {
      const x = dos[m.variant[r]!]![i]!;
      if (x === M) continue;
      alleleCount[i]! += 2;
      namedDosage[i]! += (m.named[r]! & NAMED_A1 ? x : 0) + (m.named[r]! & NAMED_A2 ? 2 - x : 0);
    }
  }
  return { sampleStart: 0, sampleEnd: n, nScores: s, scores, alleleCount, namedDosage };
}

function randomCase(seed: number) {
  const rng = Rng.stream(seed, 99);
  const n = 1 + rng.below(23);
  const nVariants = 1 + rng.below(30);
  const s = 1 + rng.below(5);
  const dos = Array.from({ length: nVariants }, () => Array.from({ length: n }, () => (rng.uniform() < 0.1 ? M : rng.below(3))));
  const variant = Int32Array.from(Array.from({ length: nVariants }, (_, v) => v).filter(() => rng.uniform() < 0.8));
  const rows = variant.length;
  const perScore = rng.uniform() < 0.3;
  const m: ScoreModel = {
    nScores: s,
    variant,
    weights: Float64Array.from({ length: rows * s }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform() * 2 - 1)),
    freq: Float64Array.from({ length: perScore ? rows * s : rows }, () => rng.uniform()),
    named: Uint8Array.from({ length: rows }, () => 1 + rng.below(3)),
    offset: Float64Array.from({ length: s }, () => rng.uniform()),
    center: rng.uniform() < 0.5,
  };
  const mode = rng.below(3);
  const sampleScore =
    mode === 0 ? null : Int32Array.from({ length: n }, () => (mode === 1 ? (rng.uniform() < 0.3 ? SKIP_SAMPLE : ALL_SCORES) : rng.below(s + 2) - 2));
  return { rng, n, nVariants, dos, m, sampleScore };
}

describe('score kernel: against the definition', () => {
  it('matches a naive sum on random cohorts, bit for bit across chunkings and sample slices', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { rng, n, nVariants, dos, m, sampleScore } = randomCase(seed);
      const packed = pack(dos);
      const bpv = bytesPerVariant(n);
      const want = naive(m, dos, sampleScore);
      const whole = new ScoreAccumulator(m, n, sampleScore);
      whole.addChunk(packed, 0, nVariants);
      const got = whole.finish();
      for (let k = 0; k < want.scores.length; k++) {
        if (Number.isNaN(want.scores[k])) expect(got.scores[k], `seed ${seed} k ${k}`).toBeNaN();
        else expect(Math.abs(got.scores[k]! - want.scores[k]!), `seed ${seed} k ${k}`).toBeLessThan(1e-12);
      }
      expect(Array.from(got.alleleCount)).toEqual(Array.from(want.alleleCount));
      expect(Array.from(got.namedDosage)).toEqual(Array.from(want.namedDosage));

      // The JavaScript loops (the fallback without WebAssembly SIMD) give the same bits.
      const js = new ScoreAccumulator(m, n, sampleScore, 0, n, { wasm: false });
      js.addChunk(packed, 0, nVariants);
      const viaJs = js.finish();
      expect(Array.from(viaJs.scores), `seed ${seed}`).toEqual(Array.from(got.scores));
      expect(Array.from(viaJs.alleleCount)).toEqual(Array.from(got.alleleCount));
      expect(Array.from(viaJs.namedDosage)).toEqual(Array.from(got.namedDosage));

      // Random chunk boundaries and a random split of the samples: identical bits.
      const cut = 4 * rng.below(((n + 3) >>> 2) + 1);
      const slices = [new ScoreAccumulator(m, n, sampleScore, 0, Math.min(cut, n)), new ScoreAccumulator(m, n, sampleScore, Math.min(cut, n), n)];
      for (let v = 0; v < nVariants; ) {
        const len = 1 + rng.below(5);
        const end = Math.min(nVariants, v + len);
        const chunk = packed.slice(v * bpv, end * bpv);
        for (const a of slices) a.addChunk(chunk, v, end - v);
        v = end;
      }
      const parts = slices.map((a) => a.finish());
      const joined = new Float64Array(n * m.nScores);
      for (const p of parts) joined.set(p.scores, p.sampleStart * m.nScores);
      expect(Array.from(joined), `seed ${seed}`).toEqual(Array.from(got.scores));
    }
  });

  it('rejects chunks out of order and ends before the last row', () => {
    const m = model({ weights: W, freq: F }, 4);
    const packed = pack(G);
    const acc = new ScoreAccumulator(m, 5, null);
    expect(() => acc.addChunk(packed.subarray(2 * 2), 2, 2)).toThrow(/skipped variant 0/);
    const acc2 = new ScoreAccumulator(m, 5, null);
    acc2.addChunk(packed, 0, 2);
    expect(() => acc2.finish()).toThrow(/ended before variant 2/);
  });
});
