// The dosage scoring kernel: on hard-call dosages it gives the .bed kernel's scores and counts;
// on fractional dosages the definition Σ w (x̃ − μ) + offset with missing → 2f, bit for bit for
// any chunking.
import { describe, expect, it } from 'vitest';
import { MISSING_DOSAGE, bytesPerVariant, packVariant } from '../../core/genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../core/genotypes/dosageSource.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { DosageScoreAccumulator } from '../../core/score/dosageScoreKernel.js';
import { chooseDosageScoreKernel, setDosageScoreKernelPreference } from '../../core/score/nativeDosageScore.js';
import { ALL_SCORES, NAMED_A1, NAMED_A2, SKIP_SAMPLE, ScoreAccumulator, type ScoreModel } from '../../core/score/scoreKernel.js';

function randomCase(seed: number, fractional: boolean) {
  const rng = Rng.stream(seed, 7);
  const n = 1 + rng.below(30);
  const nVariants = 1 + rng.below(25);
  const s = 1 + rng.below(4);
  // units per variant × sample; hard calls are 0, 16384, 32768.
  const units = new Uint16Array(nVariants * n);
  for (let k = 0; k < units.length; k++) {
    units[k] = rng.uniform() < 0.1 ? DOSAGE_MISSING : fractional ? rng.below(2 * DOSAGE_SCALE + 1) : rng.below(3) * DOSAGE_SCALE;
  }
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
  return { rng, n, nVariants, units, m, sampleScore };
}

describe('dosage score kernel', () => {
  it('hard-call dosages score as the .bed kernel does', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { n, nVariants, units, m, sampleScore } = randomCase(seed, false);
      const bpv = bytesPerVariant(n);
      const packed = new Uint8Array(nVariants * bpv);
      for (let v = 0; v < nVariants; v++) {
        const d = Uint8Array.from({ length: n }, (_, i) => {
          const u = units[v * n + i]!;
          return u === DOSAGE_MISSING ? MISSING_DOSAGE : u / DOSAGE_SCALE;
        });
        packVariant(d, packed, v * bpv);
      }
      const bed = new ScoreAccumulator(m, n, sampleScore);
      bed.addChunk(packed, 0, nVariants);
      const want = bed.finish();
      const dos = new DosageScoreAccumulator(m, n, sampleScore);
      await dos.addChunk(units, 0, nVariants);
      const got = dos.finish();
      for (let k = 0; k < want.scores.length; k++) {
        if (Number.isNaN(want.scores[k])) expect(got.scores[k], `seed ${seed} k ${k}`).toBeNaN();
        else expect(Math.abs(got.scores[k]! - want.scores[k]!), `seed ${seed} k ${k}`).toBeLessThan(1e-12);
      }
      expect(Array.from(got.alleleCount)).toEqual(Array.from(want.alleleCount));
      expect(Array.from(got.namedDosage)).toEqual(Array.from(want.namedDosage));
    }
  });

  it('fractional dosages: the definition, and the same bits for any chunking', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { rng, n, nVariants, units, m, sampleScore } = randomCase(seed, true);
      const s = m.nScores;
      const whole = new DosageScoreAccumulator(m, n, sampleScore);
      await whole.addChunk(units, 0, nVariants);
      const got = whole.finish();
      const perScore = m.freq.length !== m.variant.length;
      for (let i = 0; i < n; i++) {
        const pick = sampleScore ? sampleScore[i]! : ALL_SCORES;
        let named = 0;
        let observed = 0;
        for (let c = 0; c < s; c++) {
          let want = m.offset[c]!;
          for (let r = 0; r < m.variant.length; r++) {
            const u = units[m.variant[r]! * n + i]!;
            const f = perScore ? m.freq[r * s + c]! : m.freq[r]!;
            const w = m.weights[r * s + c]!;
            const x = u === DOSAGE_MISSING ? 2 * f : u / DOSAGE_SCALE;
            if (w !== 0) want += w * (x - (m.center ? 2 * f : 0));
            if (c === 0 && u !== DOSAGE_MISSING) {
              observed++;
              named += (m.named[r]! & NAMED_A1 ? x : 0) + (m.named[r]! & NAMED_A2 ? 2 - x : 0);
            }
          }
          const k = i * s + c;
          if (pick === SKIP_SAMPLE || (pick >= 0 && pick !== c)) expect(got.scores[k]).toBeNaN();
          else expect(Math.abs(got.scores[k]! - want), `seed ${seed} sample ${i} score ${c}`).toBeLessThan(1e-12);
        }
        if (pick === SKIP_SAMPLE) continue;
        expect(got.alleleCount[i]).toBe(2 * observed);
        expect(Math.abs(got.namedDosage[i]! - named)).toBeLessThan(1e-9);
      }
      const chunked = new DosageScoreAccumulator(m, n, sampleScore);
      for (let v = 0; v < nVariants; ) {
        const end = Math.min(nVariants, v + 1 + rng.below(5));
        await chunked.addChunk(units.slice(v * n, end * n), v, end - v);
        v = end;
      }
      expect(Array.from(chunked.finish().scores), `seed ${seed}`).toEqual(Array.from(got.scores));
    }
  });

  it('the native kernel gives the TypeScript loop\'s numbers bit for bit, for 1, 2 and 3 threads', async () => {
    // CI builds the addon (--require); a machine without gcc tests the TypeScript loop alone.
    if (chooseDosageScoreKernel() === null) return;
    const before = process.env.PGSFLOW_SCORE_THREADS;
    try {
      for (let seed = 1; seed <= 150; seed++) {
        const { n, nVariants, units, m, sampleScore } = randomCase(seed, seed % 3 !== 0);
        setDosageScoreKernelPreference('typescript');
        const ts = new DosageScoreAccumulator(m, n, sampleScore);
        await ts.addChunk(units, 0, nVariants);
        const want = ts.finish();
        setDosageScoreKernelPreference('auto');
        for (const threads of [1, 2, 3]) {
          process.env.PGSFLOW_SCORE_THREADS = String(threads);
          const nat = new DosageScoreAccumulator(m, n, sampleScore);
          for (let v = 0; v < nVariants; v += 4) await nat.addChunk(units.slice(v * n, Math.min(nVariants, v + 4) * n), v, Math.min(4, nVariants - v));
          const got = nat.finish();
          expect(Array.from(got.scores), `seed ${seed} threads ${threads}`).toEqual(Array.from(want.scores));
          expect(Array.from(got.alleleCount)).toEqual(Array.from(want.alleleCount));
          expect(Array.from(got.namedDosage)).toEqual(Array.from(want.namedDosage));
        }
      }
    } finally {
      setDosageScoreKernelPreference('auto');
      if (before === undefined) delete process.env.PGSFLOW_SCORE_THREADS;
      else process.env.PGSFLOW_SCORE_THREADS = before;
    }
  });
});
