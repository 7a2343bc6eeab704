// Summary-statistics weighting on files (issue 21): the in-silico split of a panel-aligned GWAS
// into two .ma halves, and the mixing weights from effects files, against the pure functions
// (pseudoSplit.ts, summaryWeights.ts) applied by hand to the same panel.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLdFolder } from '../../core/formats/ldFolder.js';
import { readSumstats } from '../../core/formats/sumstats.js';
import { pseudoSplitBlock, readPanelBlock, summaryCorrelations } from '../../core/multiAncestry/pseudoSplit.js';
import { splitSumstatsOnFiles } from '../../core/multiAncestry/summarySplitFiles.js';
import { summaryMixingOnFiles, withTargetFromHalf } from '../../core/multiAncestry/summaryMixingFiles.js';
import { blockMoments, standardisedEffects, summaryWeights } from '../../core/multiAncestry/summaryWeights.js';
import { MetricInputError } from '../../core/errors.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { type PanelSnpSpec, writeCorrelationPanel } from '../helpers/ldPanel.js';
import { makeTmpDir } from '../helpers/tmp.js';

const BLOCKS = [30, 25, 35];
const BASES = ['A', 'C', 'G', 'T'];
let tmp: { dir: string; cleanup: () => void };
let snps: PanelSnpSpec[][];

function ar1(m: number, rho: number): Float64Array {
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = rho ** Math.abs(i - j);
  return r;
}

beforeAll(async () => {
  tmp = makeTmpDir('summary-files');
  const rng = Rng.stream(5, 1, 0);
  let k = 0;
  snps = BLOCKS.map((m) =>
    Array.from({ length: m }, () => {
      const a = k % 4;
      k++;
      // A1/A2 never complementary, so no pair is strand-ambiguous.
      return { id: `rs${k}`, a1: BASES[a]!, a2: BASES[(a + 1) % 4]!, freq: 0.1 + 0.8 * rng.uniform() };
    }),
  );
  await writeCorrelationPanel(`${tmp.dir}/ld`, snps.map((s, b) => ({ snps: s, r: ar1(s.length, [0.9, 0.7, 0.8][b]!) })), 0.999);
  // The GWAS: every panel SNP but rs7, rows of rs3 and rs40 written on the panel's A2 (b negated).
  const all = snps.flat();
  const lines = ['SNP A1 A2 freq b se p N'];
  all.forEach((s, j) => {
    if (s.id === 'rs7') return;
    const n = 4000 + 10 * j;
    const b = 0.02 * rng.normal();
    const se = 1 / Math.sqrt(2 * s.freq * (1 - s.freq) * n);
    const swap = s.id === 'rs3' || s.id === 'rs40';
    lines.push(swap ? `${s.id} ${s.a2} ${s.a1} ${1 - s.freq} ${-b} ${se} 0.5 ${n}` : `${s.id} ${s.a1} ${s.a2} ${s.freq} ${b} ${se} 0.5 ${n}`);
  });
  writeFileSync(`${tmp.dir}/gwas.ma`, `${lines.join('\n')}\n`);
  // Two fits' effects files (the second on the panel's A2 for every SNP: negated).
  const effects = (name: string, scale: number, onA2: boolean): void => {
    const rows = all.map((s, j) => `${s.id}\t${onA2 ? s.a2 : s.a1}\t${(onA2 ? -1 : 1) * scale * Math.sin(j + scale)}\t0.01\t0.5`);
    writeFileSync(`${tmp.dir}/${name}.txt`, `SNP\tA1\tBETA\tSE\tPIP\n${rows.join('\n')}\n`);
  };
  effects('full', 0.01, false);
  effects('other', 0.02, true);
  effects('half', 0.008, false);
});

afterAll(() => tmp?.cleanup());

async function split(seed: number, tag: string) {
  return splitSumstatsOnFiles({ sumstats: `${tmp.dir}/gwas.ma`, ld: `${tmp.dir}/ld`, seed, trainFraction: 0.75, outTrain: `${tmp.dir}/${tag}.train.ma`, outValid: `${tmp.dir}/${tag}.valid.ma` });
}

describe('the in-silico split on files', () => {
  it('writes both halves on the panel A1, leaves out the SNP the GWAS lacks, and keeps N r = N_t r_t + N_v r_v', async () => {
    const s = await split(11, 'a');
    expect(s.snps).toBe(89);
    expect(s.absent).toBe(1);
    const full = await readSumstats(`${tmp.dir}/gwas.ma`);
    const train = await readSumstats(s.outTrain);
    const valid = await readSumstats(s.outValid);
    expect(train.snp).not.toContain('rs7');
    expect(train.snp).toEqual(valid.snp);
    const panel = snps.flat();
    train.snp.forEach((id, i) => expect(train.a1[i]).toBe(panel.find((p) => p.id === id)!.a1));
    const rOf = (t: typeof full) => summaryCorrelations(t.b, t.se, t.n).r;
    const [rf, rt, rv] = [rOf(full), rOf(train), rOf(valid)];
    for (let i = 0; i < train.snp.length; i++) {
      const j = full.snp.indexOf(train.snp[i]!);
      const sign = full.a1[j] === train.a1[i] ? 1 : -1;
      expect(train.n[i]! + valid.n[i]!).toBeCloseTo(full.n[j]!, 6);
      expect(train.n[i]! / full.n[j]!).toBeCloseTo(0.75, 12);
      expect(Math.abs(train.n[i]! * rt[i]! + valid.n[i]! * rv[i]! - full.n[j]! * sign * rf[j]!)).toBeLessThan(1e-9 * full.n[j]!);
    }
  });

  it('draws what pseudoSplitBlock draws on the panel (the absent SNP at r = 0, median N), seeded and reproducible', async () => {
    const s = await split(11, 'b');
    const again = readFileSync(`${tmp.dir}/a.train.ma`);
    expect(readFileSync(s.outTrain).equals(again)).toBe(true);
    const other = await split(12, 'c');
    expect(readFileSync(other.outTrain).equals(again)).toBe(false);
    // Block 1 by hand.
    const panel = await readLdFolder(`${tmp.dir}/ld`);
    const full = await readSumstats(`${tmp.dir}/gwas.ma`);
    const m = BLOCKS[0]!;
    const b = new Float64Array(m);
    const se = new Float64Array(m).fill(1);
    const n = new Float64Array(m);
    const ns = Float64Array.from(full.n).sort();
    const nMed = (ns[(ns.length >> 1) - 1]! + ns[ns.length >> 1]!) / 2;
    snps[0]!.forEach((p, j) => {
      const i = full.snp.indexOf(p.id);
      if (i < 0) return void (n[j] = nMed);
      b[j] = full.a1[i] === p.a1 ? full.b[i]! : -full.b[i]!;
      se[j] = full.se[i]!;
      n[j] = full.n[i]!;
    });
    const { r } = summaryCorrelations(b, se, n);
    const want = pseudoSplitBlock(await readPanelBlock(panel, 0), 0, r, n, { seed: 11, trainFraction: 0.75 });
    const train = await readSumstats(s.outTrain);
    const rt = summaryCorrelations(train.b, train.se, train.n).r;
    snps[0]!.forEach((p, j) => {
      const i = train.snp.indexOf(p.id);
      if (p.id === 'rs7') expect(i).toBe(-1);
      else expect(rt[i]!).toBeCloseTo(want.rTrain[j]!, 12);
    });
  });
});

describe('summary mixing weights on files', () => {
  it('equal summaryWeights of the block moments computed by hand (scores independent of the target GWAS)', async () => {
    const s = await split(11, 'd');
    const got = await summaryMixingOnFiles({ sumstats: `${tmp.dir}/gwas.ma`, validSumstats: s.outValid, ld: `${tmp.dir}/ld`, effects: [`${tmp.dir}/full.txt`, `${tmp.dir}/other.txt`], names: ['EUR', 'EAS'], out: `${tmp.dir}/w1.json` });
    const panel = await readLdFolder(`${tmp.dir}/ld`);
    const full = await readSumstats(`${tmp.dir}/gwas.ma`);
    const ps = { id: panel.snps.id, a1: panel.snps.a1, a2: panel.snps.a2, a1Freq: panel.snps.a1Freq };
    const eff = (f: string) => {
      const t = readFileSync(`${tmp.dir}/${f}.txt`, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
      return standardisedEffects(ps, t.map((x) => ({ snp: x[0]!, a1: x[1]!, beta: Number(x[2]) }))).beta;
    };
    const betas = [eff('full'), eff('other')];
    const r = new Float64Array(panel.snps.id.length);
    panel.snps.id.forEach((id, j) => {
      const i = full.snp.indexOf(id);
      if (i < 0) return;
      const sign = full.a1[i] === panel.snps.a1[j] ? 1 : -1;
      r[j] = summaryCorrelations([sign * full.b[i]!], [full.se[i]!], [full.n[i]!]).r[0]!;
    });
    let first = 0;
    const moments = [];
    for (let b = 0; b < BLOCKS.length; b++) {
      const m = BLOCKS[b]!;
      moments.push(blockMoments(await readPanelBlock(panel, b), betas.map((x) => x.subarray(first, first + m)), r.subarray(first, first + m)));
      first += m;
    }
    const want = summaryWeights(moments);
    got.rawWeights.forEach((w, a) => expect(w).toBeCloseTo(want.weights[a]!, 12));
    expect(got.r2).toBeCloseTo(want.r2, 12);
    expect(got.targetCalibration).toBeNull();
    expect(got.matched).toEqual([90, 90]);
    expect(JSON.parse(readFileSync(`${tmp.dir}/w1.json`, 'utf8')).sigma).toHaveLength(4);
  });

  it("takes the target's c from its half fit: κ·c_half on the validation half (κ = 1 when the half fit is the full fit)", async () => {
    const s = await split(11, 'e');
    const base = { sumstats: `${tmp.dir}/gwas.ma`, validSumstats: s.outValid, ld: `${tmp.dir}/ld`, names: ['EAS', 'EUR'], out: `${tmp.dir}/w2.json` };
    const same = await summaryMixingOnFiles({ ...base, effects: [`${tmp.dir}/full.txt`, `${tmp.dir}/other.txt`], targetHalf: { index: 0, effects: `${tmp.dir}/full.txt`, trainFraction: 0.75 } });
    expect(same.targetCalibration!.kappa).toBeCloseTo(1, 12);
    const scaled = await summaryMixingOnFiles({ ...base, effects: [`${tmp.dir}/full.txt`, `${tmp.dir}/other.txt`], targetHalf: { index: 0, effects: `${tmp.dir}/half.txt`, trainFraction: 0.75 } });
    // half = 0.8 × full up to the sin phase: κ = Σ_full/Σ_half, and the slope is the half fit's.
    expect(scaled.targetCalibration!.kappa).toBeGreaterThan(1);
    expect(scaled.targetCalibration!.name).toBe('EAS');
    await expect(summaryMixingOnFiles({ ...base, effects: [`${tmp.dir}/full.txt`, `${tmp.dir}/other.txt`], targetHalf: { index: 2, effects: `${tmp.dir}/half.txt`, trainFraction: 0.75 } })).rejects.toThrow(MetricInputError);
  });

  it('withTargetFromHalf: c_T,b = Σ_T,b + λ·f·(κ·c_half,b − Σ_T,b), Σ restricted to the full fits', () => {
    // Two full fits + the half fit, two blocks: Σ_T,full = 6, Σ_half = 2, c_half = 1.5 (slope 0.75).
    const m1 = { c: Float64Array.of(9, 1, 9), sigma: Float64Array.of(4, 1, 2, 1, 3, 0.5, 2, 0.5, 1) };
    const m2 = { c: Float64Array.of(9, 2, 9), sigma: Float64Array.of(2, 0, 1, 0, 1, 0, 1, 0, 1) };
    const t = { nA: 2, target: 0, name: 'EAS', nValid: 50, trainFraction: 0.5 };
    // No prior (τ = ∞): slope 1 + f·(s_v − 1) = 0.875, c_T = 0.875·6.
    const free = withTargetFromHalf([m1, m2], [0.5, 1], { ...t, priorSd: Infinity });
    expect(free.calibration.kappa).toBe(3);
    expect(free.calibration.lambda).toBe(1);
    expect(free.calibration.validationSlope).toBe(0.75);
    expect(free.calibration.slope).toBe(0.875);
    expect(free.calibration.halfR2).toBe(1.5 ** 2 / 2);
    expect(Array.from(free.moments[0]!.c)).toEqual([4 + 0.5 * (1.5 - 4), 1]);
    expect(Array.from(free.moments[1]!.c)).toEqual([2 + 0.5 * (3 - 2), 2]);
    expect(Array.from(free.moments[0]!.sigma)).toEqual([4, 1, 1, 3]);
    // SE_v = 1/sqrt(N_v·Σ_half) = 0.1, f·SE_v = 0.05 and τ = 0.05: λ = 1/2, slope 1 + 0.5·0.5·(−0.25).
    const half = withTargetFromHalf([m1, m2], [0.5, 1], { ...t, priorSd: 0.05 });
    expect(half.calibration.validationSlopeSe).toBeCloseTo(0.1, 14);
    expect(half.calibration.lambda).toBeCloseTo(0.5, 14);
    expect(half.calibration.slope).toBeCloseTo(0.9375, 14);
    expect(half.moments[0]!.c[0]! + half.moments[1]!.c[0]!).toBeCloseTo(0.9375 * 6, 12);
    // τ = 0: calibrated by assumption, c_T = Σ_T.
    expect(Array.from(withTargetFromHalf([m1, m2], [0.5, 1], { ...t, priorSd: 0 }).moments.map((m) => m.c[0]))).toEqual([4, 2]);
    expect(() => withTargetFromHalf([m1], [0.5, 1], t)).toThrow(MetricInputError);
    expect(() => withTargetFromHalf([m1, m2], [0.5, 1], { ...t, trainFraction: 1 })).toThrow(MetricInputError);
  });
});
