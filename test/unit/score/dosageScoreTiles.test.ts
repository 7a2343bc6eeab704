// The native dosage kernel's tiled path (8 samples × up to 10 scores in registers, cache blocks of
// 16 rows × 2,048 samples) on cases big enough to use it: several tiles and blocks per thread, a
// sample tail, more scores than one group holds, missing dosages inside tiles, centring, zero
// weights with unknown frequencies, per-sample score columns — the TypeScript loop's bits for 1,
// 2 and 3 threads and any chunking.
import { describe, expect, it } from 'vitest';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../../core/genotypes/dosageSource.js';
import { Rng } from '../../../core/numeric/random/rng.js';
import { DosageScoreAccumulator } from '../../../core/score/dosageScoreKernel.js';
import { chooseDosageScoreKernel, setDosageScoreKernelPreference } from '../../../core/score/nativeDosageScore.js';
import { ALL_SCORES, SKIP_SAMPLE, type ScoreModel, type ScoreSums } from '../../../core/score/scoreKernel.js';

function bigCase(seed: number) {
  const rng = Rng.stream(seed, 19);
  const n = [8, 9, 63, 200, 2049, 4200][seed % 6]!;
  const nVariants = 5 + rng.below(60);
  const s = [1, 3, 10, 11, 13, 25][rng.below(6)]!;
  const missingRate = [0, 0.002, 0.05][rng.below(3)]!;
  const units = new Uint16Array(nVariants * n);
  for (let k = 0; k < units.length; k++) {
    units[k] = rng.uniform() < missingRate ? DOSAGE_MISSING : rng.uniform() < 0.5 ? rng.below(3) * DOSAGE_SCALE : rng.below(2 * DOSAGE_SCALE + 1);
  }
  const variant = Int32Array.from(Array.from({ length: nVariants }, (_, v) => v).filter(() => rng.uniform() < 0.85));
  const rows = variant.length;
  const perScore = rng.uniform() < 0.3;
  const center = rng.uniform() < 0.5;
  const weights = Float64Array.from({ length: rows * s }, () => (rng.uniform() < 0.1 ? 0 : rng.normal() * 0.05));
  // Unknown frequencies only where every weight of the row is 0 (else the score is undefined).
  const freq = Float64Array.from({ length: perScore ? rows * s : rows }, (_, q) => {
    const r = perScore ? Math.floor(q / s) : q;
    const zero = perScore ? weights[q] === 0 : weights.subarray(r * s, (r + 1) * s).every((w) => w === 0);
    return zero && rng.uniform() < 0.5 ? NaN : rng.uniform();
  });
  const m: ScoreModel = {
    nScores: s,
    variant,
    weights,
    freq,
    named: Uint8Array.from({ length: rows }, () => 1 + rng.below(3)),
    offset: Float64Array.from({ length: s }, () => rng.normal()),
    center,
  };
  const mode = rng.below(4);
  const sampleScore =
    mode === 0
      ? null
      : Int32Array.from({ length: n }, (_, i) =>
          mode === 1 ? (rng.uniform() < 0.3 ? SKIP_SAMPLE : ALL_SCORES) : mode === 2 ? rng.below(s + 2) - 2 : i < n / 2 ? SKIP_SAMPLE : rng.below(s),
        );
  return { rng, n, nVariants, units, m, sampleScore };
}

function same(got: ScoreSums, want: ScoreSums, what: string): void {
  expect(Array.from(got.scores), what).toEqual(Array.from(want.scores));
  expect(Array.from(got.alleleCount), what).toEqual(Array.from(want.alleleCount));
  expect(Array.from(got.namedDosage), what).toEqual(Array.from(want.namedDosage));
}

describe('native dosage kernel, tiled path', () => {
  it("gives the TypeScript loop's bits on big cases, for 1, 2 and 3 threads and any chunking", async () => {
    if (chooseDosageScoreKernel() === null) return; // no gcc: the TypeScript loop alone
    const before = process.env.PGSFLOW_SCORE_THREADS;
    try {
      for (let seed = 1; seed <= 36; seed++) {
        const { rng, n, nVariants, units, m, sampleScore } = bigCase(seed);
        setDosageScoreKernelPreference('typescript');
        const ts = new DosageScoreAccumulator(m, n, sampleScore);
        await ts.addChunk(units, 0, nVariants);
        const want = ts.finish();
        setDosageScoreKernelPreference('auto');
        for (const threads of [1, 2, 3]) {
          process.env.PGSFLOW_SCORE_THREADS = String(threads);
          const nat = new DosageScoreAccumulator(m, n, sampleScore);
          for (let v = 0; v < nVariants; ) {
            const end = Math.min(nVariants, v + 1 + rng.below(40));
            await nat.addChunk(units.slice(v * n, end * n), v, end - v);
            v = end;
          }
          same(nat.finish(), want, `seed ${seed} n ${n} s ${m.nScores} threads ${threads}`);
        }
      }
    } finally {
      setDosageScoreKernelPreference('auto');
      if (before === undefined) delete process.env.PGSFLOW_SCORE_THREADS;
      else process.env.PGSFLOW_SCORE_THREADS = before;
    }
  });
});
