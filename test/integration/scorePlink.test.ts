// `pgsflow score` against the Debian plink2 (never skipped) on a simulated cohort with 1.5 %
// missing calls: several weight columns and files, weights on A2, strand-flipped and absent
// variants, centring, and the fold trick (ten columns, each sample scored with its own fold's
// column and fold frequencies) against ten separate plink2 runs with --keep.
//
// plink2 prints scores to 6 significant digits, too coarse to show agreement to 1e-6. So each
// comparison also runs plink2 on a "probe" fileset: the cohort plus, per score column, variants
// whose genotypes spell out −(our score) in base 3 (weights ∓c·3^k). plink2's sum is then
// (its score − ours), printed to 6 digits of the difference itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { MISSING_DOSAGE, bytesPerVariant, packVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { readBim, readFam } from '../../core/formats/plink.js';
import type { BimTable } from '../../core/formats/types.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { readFrequencyFile } from '../../core/score/frequencyFile.js';
import { complement, isAmbiguousPair } from '../../core/alleles/alleleOrientation.js';
import { type ScoreResult, scoreFiles } from '../../core/score/scoreFiles.js';
import { scoreStore } from '../../core/score/scoreStore.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { parseCommandArgs } from '../../client/command.js';
import { scoreCommand } from '../../client/commands/score.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';

const N = 1000;
const M = 3000;
const K_FOLDS = 10;
/** Base-3 digits per probe: 3^33 ≈ 5.6e15 steps over ±max|score| (c·3^k stays an exact double). */
const DIGITS = 33;

let tmp: { dir: string; cleanup: () => void };
let dir: string;
let geno: string;
let bim: BimTable;
let famIds: { fid: string[]; iid: string[] };
/** A1 dosages, variant-major, MISSING_DOSAGE for missing. */
let dosages: Uint8Array;
let trainFreq: Float64Array;
let trainAfreq: string;

/** Weight truth in .bim orientation: the variant, which allele is named, the weights. */
interface TruthRow {
  variant: number;
  onA2: boolean;
  w: number[];
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function afreqText(freq: Float64Array, rows: number[] = []): string {
  const lines = ['#CHROM\tID\tREF\tALT\tALT_FREQS\tOBS_CT'];
  for (let v = 0; v < bim.id.length; v++) lines.push(`${bim.chrom[v]}\t${bim.id[v]}\t${bim.a2[v]}\t${bim.a1[v]}\t${freq[v]}\t${2 * N}`);
  for (const r of rows) lines.push(String(r));
  return `${lines.join('\n')}\n`;
}

/** A1 frequency per variant over the samples `use` picks (all when omitted). */
function frequencies(dos: Uint8Array, n: number, use?: (i: number) => boolean): Float64Array {
  const out = new Float64Array(M);
  for (let v = 0; v < M; v++) {
    let a1 = 0;
    let obs = 0;
    for (let i = 0; i < n; i++) {
      if (use && !use(i)) continue;
      const d = dos[v * n + i]!;
      if (d === MISSING_DOSAGE) continue;
      a1 += d;
      obs++;
    }
    out[v] = a1 / (2 * obs);
  }
  return out;
}

function readDosages(bed: string, n: number): Uint8Array {
  const bytes = readFileSync(bed);
  const bpv = bytesPerVariant(n);
  const out = new Uint8Array(M * n);
  for (let v = 0; v < M; v++) unpackVariant(bytes, 3 + v * bpv, n, out.subarray(v * n, (v + 1) * n));
  return out;
}

function weightLine(id: string, allele: string, w: readonly number[]): string {
  return `${id}\t${allele}\t${w.join('\t')}`;
}

/** Σ over missing calls of w · 2f(named allele): what plink2 'center' adds there (it should add 0). */
function plinkCenterQuirk(truth: TruthRow[], freq: (row: TruthRow, col: number) => number, col: number): Float64Array {
  const out = new Float64Array(N);
  for (const t of truth) {
    const f = freq(t, col);
    const fNamed = t.onA2 ? 1 - f : f;
    for (let i = 0; i < N; i++) if (dosages[t.variant * N + i] === MISSING_DOSAGE) out[i]! += t.w[col]! * 2 * fNamed;
  }
  return out;
}

interface ProbeSet {
  prefix: string;
  /** Weight lines to append (nColumns weights each). */
  weightLines: string[];
  /** .afreq lines to append (ALT = the probe's A1, frequency 0, so centring leaves it alone). */
  freqLines: string[];
}

/**
 * The cohort plus probe variants: for column s, 2·DIGITS variants whose A1 dosages are the
 * base-3 digits of |target_is| / c_s, weighted −c_s·3^k (positive targets) or +c_s·3^k
 * (negative ones). NaN targets get zero digits.
 */
function writeProbeSet(name: string, targets: Float64Array[], nColumns: number): ProbeSet {
  const prefix = join(dir, name);
  const bpv = bytesPerVariant(N);
  const probes: Uint8Array[] = [];
  const weightLines: string[] = [];
  const freqLines: string[] = [];
  const bimLines: string[] = [];
  const lastChrom = bim.chrom[M - 1]!;
  let pos = bim.pos[M - 1]! + 1;
  targets.forEach((target, s) => {
    let max = 0;
    for (const v of target) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    const c = 2 ** Math.ceil(Math.log2((2 * Math.max(max, 1e-300)) / 3 ** DIGITS));
    const digits = Array.from({ length: 2 * DIGITS }, () => new Uint8Array(N));
    for (let i = 0; i < N; i++) {
      const v = target[i]!;
      if (!Number.isFinite(v)) continue;
      let q = Math.round(Math.abs(v) / c);
      const base = v >= 0 ? 0 : DIGITS;
      for (let k = 0; k < DIGITS; k++) {
        digits[base + k]![i] = q % 3;
        q = Math.floor(q / 3);
      }
      expect(q).toBe(0);
    }
    for (let p = 0; p < 2 * DIGITS; p++) {
      const k = p % DIGITS;
      const id = `probe_${s}_${p}`;
      const w = new Array<number>(nColumns).fill(0);
      w[s] = (p < DIGITS ? -1 : 1) * c * 3 ** k;
      weightLines.push(weightLine(id, 'A', w));
      freqLines.push(`${lastChrom}\t${id}\tC\tA\t0\t${2 * N}`);
      bimLines.push(`${lastChrom}\t${id}\t0\t${pos++}\tA\tC`);
      const packed = new Uint8Array(bpv);
      packVariant(digits[p]!, packed);
      probes.push(packed);
    }
  });
  const bed = readFileSync(`${geno}.bed`);
  writeFileSync(`${prefix}.bed`, Buffer.concat([bed, ...probes]));
  writeFileSync(`${prefix}.bim`, `${readFileSync(`${geno}.bim`, 'utf8')}${bimLines.join('\n')}\n`);
  writeFileSync(`${prefix}.fam`, readFileSync(`${geno}.fam`));
  return { prefix, weightLines, freqLines };
}

/** plink2 --score with sums; returns the table. */
function plinkScore(bfile: string, weights: string, cols: string, out: string, extra: string[]): ReturnType<typeof readTable> {
  plink2(['--bfile', bfile, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', cols, ...extra, '--out', out]);
  return readTable(`${out}.sscore`);
}

/** Ours for the samples plink2 reported, by FID/IID. */
function oursFor(result: ScoreResult, t: ReturnType<typeof readTable>, col: number): { ours: number[]; alleles: number[]; named: number[] } {
  const at = new Map(result.fid.map((f, i) => [`${f}\t${result.iid[i]}`, i]));
  const fid = column(t, 'FID');
  const iid = column(t, 'IID');
  const rows = fid.map((f, r) => at.get(`${f}\t${iid[r]}`)!);
  const s = result.names.length;
  return {
    ours: rows.map((i) => result.sums.scores[i * s + col]!),
    alleles: rows.map((i) => result.sums.alleleCount[i]!),
    named: rows.map((i) => result.sums.namedDosage[i]!),
  };
}

/** Max over samples of |plink − ours| / |ours| at plink's printed precision, checking counts too. */
function comparePrinted(result: ScoreResult, t: ReturnType<typeof readTable>, col: number, plinkCol: number, shift?: Float64Array): number {
  const { ours, alleles, named } = oursFor(result, t, col);
  expect(column(t, 'ALLELE_CT').map(Number)).toEqual(alleles);
  expect(column(t, 'NAMED_ALLELE_DOSAGE_SUM').map(Number)).toEqual(named);
  const sums = column(t, `SCORE${plinkCol}_SUM`).map(Number);
  let worst = 0;
  sums.forEach((p, r) => {
    const o = ours[r]! + (shift ? shift[r]! : 0);
    expect(Math.abs(p - o)).toBeLessThanOrEqual(5.0001e-6 * Math.abs(p) + 1e-12);
    worst = Math.max(worst, rel(p, o));
  });
  return worst;
}

/** Probe residuals (plink − ours) relative to ours; asserts ≤ 1e-6 relative, returns the max. */
function compareProbe(t: ReturnType<typeof readTable>, plinkCol: number, targetByRow: number[]): number {
  const resid = column(t, `SCORE${plinkCol}_SUM`).map(Number);
  const scale = Math.max(...targetByRow.map(Math.abs));
  let worst = 0;
  resid.forEach((r, k) => {
    const v = targetByRow[k]!;
    expect(Math.abs(r)).toBeLessThanOrEqual(1e-6 * Math.abs(v) + 1e-12 * scale);
    if (Math.abs(v) > 1e-3 * scale) worst = Math.max(worst, Math.abs(r) / Math.abs(v));
  });
  return worst;
}

/**
 * Run plink2 on the probe fileset for `targets` (one array per score column, sample order,
 * NaN = no target): its sums are plink2's score minus the target. `modifiers` go to --score,
 * `extra` to the command line; `freqFile` is the cohort's --read-freq file (null: none).
 */
function probeRun(name: string, targets: Float64Array[], weightsFile: string, freqFile: string | null, cols: string, modifiers: string[], extra: string[] = []): ReturnType<typeof readTable> {
  const probe = writeProbeSet(name, targets, targets.length);
  const wp = join(dir, `${name}_w.txt`);
  writeFileSync(wp, `${readFileSync(weightsFile, 'utf8')}${probe.weightLines.join('\n')}\n`);
  const args = ['--bfile', probe.prefix, '--score', wp, '1', '2', 'header', ...modifiers, 'cols=+scoresums', '--score-col-nums', cols, ...extra, '--out', join(dir, `p_${name}`)];
  if (freqFile) {
    const fp = join(dir, `${name}.afreq`);
    writeFileSync(fp, `${readFileSync(freqFile, 'utf8')}${probe.freqLines.join('\n')}\n`);
    args.push('--read-freq', fp);
  }
  plink2(args);
  return readTable(join(dir, `p_${name}.sscore`));
}

const exactness: Record<string, { printed: number; probe: number }> = {};

beforeAll(async () => {
  tmp = makeTmpDir('score');
  dir = tmp.dir;
  await simulateStudy(
    parseSimulateOptions({ samples: [N], refSamples: 400, snps: M, blockSnps: 100, missingRate: 0.015, annotations: 0, seed: 17 }),
    join(dir, 'sim'),
  );
  geno = join(dir, 'sim', 'geno', 'EUR');
  bim = await readBim(`${geno}.bim`);
  famIds = await readFam(`${geno}.fam`);
  dosages = readDosages(`${geno}.bed`, N);
  const ref = join(dir, 'sim', 'ref', 'EUR');
  trainFreq = frequencies(readDosages(`${ref}.bed`, 400), 400);
  trainAfreq = join(dir, 'train.afreq');
  writeFileSync(trainAfreq, afreqText(trainFreq));
}, 300_000);

afterAll(() => {
  console.log(`score exactness vs plink2 (max relative |plink − ours| / |ours|): ${JSON.stringify(exactness)}`);
  tmp?.cleanup();
});

describe('score vs plink2 --score', () => {
  const S = 3;
  let truth: TruthRow[];
  let plinkWeights: string;
  let oursWeights: string[];
  let plain: ScoreResult;
  let centred: ScoreResult;

  beforeAll(async () => {
    const rng = Rng.stream(5, 1);
    truth = [];
    for (let v = 0; v < M; v++) {
      if (rng.uniform() < 0.1) continue;
      truth.push({ variant: v, onA2: rng.uniform() < 0.4, w: Array.from({ length: S }, () => rng.normal() * 0.05) });
    }
    const named = (t: TruthRow): string => (t.onA2 ? bim.a2[t.variant]! : bim.a1[t.variant]!);
    const absent = Array.from({ length: 25 }, (_, k) => weightLine(`rs_absent_${k}`, 'A', [0.1, 0.2, 0.3]));
    // An allele the variant does not have: plink2 skips it as a mismatching allele code, and so do we.
    const notWeighted = new Set(truth.map((t) => t.variant));
    const nAllele = Array.from({ length: M }, (_, v) => v)
      .filter((v) => !notWeighted.has(v))
      .slice(0, 5)
      .map((v) => weightLine(bim.id[v]!, 'N', [1, 1, 1]));
    plinkWeights = join(dir, 'plink_w.txt');
    writeFileSync(plinkWeights, `${['SNP', 'A1', 'W1', 'W2', 'W3'].join('\t')}\n${[...truth.map((t) => weightLine(bim.id[t.variant]!, named(t), t.w)), ...absent, ...nAllele].join('\n')}\n`);
    // Ours: the same weights in two files, a fifth of the unambiguous variants on the other strand.
    let flipped = 0;
    const oursRows = truth.map((t) => {
      const a = named(t);
      const flip = !isAmbiguousPair(bim.a1[t.variant]!, bim.a2[t.variant]!) && rng.uniform() < 0.2;
      if (flip) flipped++;
      return { id: bim.id[t.variant]!, allele: flip ? complement(a)! : a, w: t.w };
    });
    expect(flipped).toBeGreaterThan(100);
    const fileA = join(dir, 'ours_a.txt');
    const fileB = join(dir, 'ours_b.txt');
    writeFileSync(fileA, `SNP\tA1\tW1\tW2\n${[...oursRows.map((r) => weightLine(r.id, r.allele, r.w.slice(0, 2))), ...absent.map((l) => l.split('\t').slice(0, 4).join('\t')), ...nAllele.map((l) => l.split('\t').slice(0, 4).join('\t'))].join('\n')}\n`);
    writeFileSync(fileB, `SNP\tA1\tW3\n${oursRows.map((r) => weightLine(r.id, r.allele, r.w.slice(2))).join('\n')}\n`);
    oursWeights = [fileA, fileB];
    plain = await scoreFiles({ bfiles: [geno], weights: oursWeights, freq: trainAfreq });
    centred = await scoreFiles({ bfiles: [geno], weights: oursWeights, freq: trainAfreq, center: true });
  }, 300_000);

  it('matches, counts and reports weights on A2, flipped strands, absent and mismatched alleles', () => {
    expect(plain.names).toEqual(['W1', 'W2', 'W3']);
    expect(plain.report.variantsUsed).toBe(truth.length);
    const [a, b] = plain.report.weightFiles;
    expect(a).toMatchObject({ absent: 25, mismatched: 5, used: truth.length });
    expect(a!.flipped).toBeGreaterThan(100);
    expect(a!.swapped).toBe(truth.filter((t) => t.onA2).length);
    expect(b).toMatchObject({ absent: 0, mismatched: 0, used: truth.length });
    expect(plain.report.frequency).toMatchObject({ source: 'file', found: truth.length, absent: 0, mismatched: 0 });
  });

  it('equals plink2 sums, allele counts and named dosages (--read-freq of the training samples)', () => {
    const t = plinkScore(geno, plinkWeights, '3-5', join(dir, 'p_plain'), ['--read-freq', trainAfreq]);
    let worst = 0;
    for (let s = 0; s < S; s++) worst = Math.max(worst, comparePrinted(plain, t, s, s + 1));
    const targets = Array.from({ length: S }, (_, s) => Float64Array.from({ length: N }, (_, i) => plain.sums.scores[i * S + s]!));
    const p = probeRun('probe_plain', targets, plinkWeights, trainAfreq, '3-5', []);
    let probeWorst = 0;
    for (let s = 0; s < S; s++) probeWorst = Math.max(probeWorst, compareProbe(p, s + 1, Array.from(targets[s]!)));
    exactness.plain = { printed: worst, probe: probeWorst };

    // The probe sees what printing cannot: targets off by 2e-6 come back as residuals of 2e-6.
    const off = targets.map((t) => t.map((v) => v * (1 + 2e-6)));
    const q = probeRun('probe_off', off, plinkWeights, trainAfreq, '3-5', []);
    const resid = column(q, 'SCORE1_SUM').map(Number);
    const scale = Math.max(...off[0]!.map(Math.abs));
    resid.forEach((r, i) => {
      const v = off[0]![i]!;
      if (Math.abs(v) > 1e-3 * scale) expect(Math.abs(r / v) / 2e-6).toBeCloseTo(1, 2);
    });
  });

  it("centres as plink2's 'center' (plink2 2.00a3.5 adds w·2f at missing calls, which centring should make 0)", () => {
    plink2(['--bfile', geno, '--score', plinkWeights, '1', '2', 'header', 'center', 'cols=+scoresums', '--score-col-nums', '3-5', '--read-freq', trainAfreq, '--out', join(dir, 'p_center')]);
    const tc = readTable(join(dir, 'p_center.sscore'));
    const quirk = Array.from({ length: S }, (_, s) => plinkCenterQuirk(truth, (row) => trainFreq[row.variant]!, s));
    let worst = 0;
    for (let s = 0; s < S; s++) worst = Math.max(worst, comparePrinted(centred, tc, s, s + 1, quirk[s]));
    // Without the quirk term the samples with missing calls differ: centring is not a no-op there.
    const differs = quirk[0]!.some((q) => Math.abs(q) > 1e-3);
    expect(differs).toBe(true);
    const targets = Array.from({ length: S }, (_, s) => Float64Array.from({ length: N }, (_, i) => centred.sums.scores[i * S + s]! + quirk[s]![i]!));
    const p = probeRun('probe_center', targets, plinkWeights, trainAfreq, '3-5', ['center']);
    let probeWorst = 0;
    for (let s = 0; s < S; s++) probeWorst = Math.max(probeWorst, compareProbe(p, s + 1, Array.from(targets[s]!)));
    exactness.center = { printed: worst, probe: probeWorst };
  });

  it("with --allow-sample-freq equals plink2 imputing from the scored samples (no --read-freq)", async () => {
    const ours = await scoreFiles({ bfiles: [geno], weights: oursWeights, allowSampleFreq: true });
    expect(ours.report.frequency.fromSamples).toBe(truth.length);
    const t = plinkScore(geno, plinkWeights, '3-5', join(dir, 'p_samplefreq'), []);
    let worst = 0;
    for (let s = 0; s < S; s++) worst = Math.max(worst, comparePrinted(ours, t, s, s + 1));
    const targets = Array.from({ length: S }, (_, s) => Float64Array.from({ length: N }, (_, i) => ours.sums.scores[i * S + s]!));
    const p = probeRun('probe_samplefreq', targets, plinkWeights, null, '3-5', []);
    let probeWorst = 0;
    for (let s = 0; s < S; s++) probeWorst = Math.max(probeWorst, compareProbe(p, s + 1, Array.from(targets[s]!)));
    exactness.sampleFreq = { printed: worst, probe: probeWorst };

    // With --keep, both take the frequencies of the kept samples only.
    const keep = join(dir, 'keep300.txt');
    writeFileSync(keep, `${famIds.fid.slice(0, 300).map((f, i) => `${f}\t${famIds.iid[i]}`).join('\n')}\n`);
    const kept = await scoreFiles({ bfiles: [geno], weights: oursWeights, allowSampleFreq: true, keep });
    expect(kept.report.scored).toBe(300);
    const tk = plinkScore(geno, plinkWeights, '3-5', join(dir, 'p_samplefreq_keep'), ['--keep', keep]);
    expect(tk.rows).toHaveLength(300);
    for (let s = 0; s < S; s++) comparePrinted(kept, tk, s, s + 1);
  });

  it('refuses a missing call without a frequency, and says how to give one', async () => {
    const e = await scoreFiles({ bfiles: [geno], weights: oursWeights }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as Error).message).toMatch(/missing genotypes at weighted variants.*--freq.*--allow-sample-freq/);
  });

  it('is bit-identical for split filesets, any thread count, and the store', async () => {
    for (const [part, chroms] of [['part1', '1-11'], ['part2', '12-22']] as const) {
      plink2(['--bfile', geno, '--chr', chroms, '--make-bed', '--out', join(dir, part)]);
    }
    const split = await scoreFiles({ bfiles: [join(dir, 'part1'), join(dir, 'part2')], weights: oursWeights, freq: trainAfreq });
    expect(Array.from(split.sums.scores)).toEqual(Array.from(plain.sums.scores));
    for (const threads of [2, 3]) {
      const r = await scoreFiles({ bfiles: [geno], weights: oursWeights, freq: trainAfreq, threads });
      expect(r.report.threads).toBe(threads);
      expect(Array.from(r.sums.scores)).toEqual(Array.from(plain.sums.scores));
      expect(Array.from(r.sums.alleleCount)).toEqual(Array.from(plain.sums.alleleCount));
    }
    const store = await Store.open(join(dir, 'store'));
    try {
      await ingestInputs(store, [{ kind: 'bfile', paths: [geno] }]);
      const fromStore = await scoreStore(store, { cohort: 'EUR', weights: oursWeights, frequencies: { kind: 'file', table: await readFrequencyFile(trainAfreq) } });
      expect(fromStore.fid).toEqual(famIds.fid);
      expect(Array.from(fromStore.sums.scores)).toEqual(Array.from(plain.sums.scores));
      expect(Array.from(fromStore.sums.namedDosage)).toEqual(Array.from(plain.sums.namedDosage));
    } finally {
      store.close();
    }
  });
});

describe('the fold trick: ten columns, each sample scored with its own fold, in one pass', () => {
  it('equals ten plink2 runs with --keep and each fold\'s training frequencies', async () => {
    const rng = Rng.stream(6, 2);
    const fold = Int32Array.from({ length: N }, (_, i) => i % K_FOLDS);
    for (let i = N - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [fold[i], fold[j]] = [fold[j]!, fold[i]!];
    }
    const foldsFile = join(dir, 'folds.tsv');
    writeFileSync(foldsFile, `FID\tIID\tfold\n${famIds.fid.map((f, i) => `${f}\t${famIds.iid[i]}\t${fold[i]! + 1}`).join('\n')}\n`);
    const freqFiles: string[] = [];
    const foldFreq: Float64Array[] = [];
    for (let k = 0; k < K_FOLDS; k++) {
      const f = frequencies(dosages, N, (i) => fold[i] !== k);
      foldFreq.push(f);
      freqFiles.push(join(dir, `fold${k + 1}.afreq`));
      writeFileSync(freqFiles[k]!, afreqText(f));
      const members = famIds.fid.flatMap((f, i) => (fold[i] === k ? [`${f}\t${famIds.iid[i]}`] : []));
      writeFileSync(join(dir, `keep${k + 1}.txt`), `${members.join('\n')}\n`);
    }
    const weights = join(dir, 'w10.txt');
    const lines = [`SNP\tA1\t${Array.from({ length: K_FOLDS }, (_, k) => `fold${k + 1}`).join('\t')}`];
    for (let v = 0; v < M; v++) {
      const onA2 = rng.uniform() < 0.3;
      lines.push(weightLine(bim.id[v]!, onA2 ? bim.a2[v]! : bim.a1[v]!, Array.from({ length: K_FOLDS }, () => rng.normal() * 0.02)));
    }
    writeFileSync(weights, `${lines.join('\n')}\n`);

    const ours = await scoreFiles({ bfiles: [geno], weights: [weights], freq: freqFiles, folds: foldsFile });
    expect(ours.report.scored).toBe(N);
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < K_FOLDS; k++) expect(Number.isNaN(ours.sums.scores[i * K_FOLDS + k]!)).toBe(k !== fold[i]);
    }
    // The same in threads, and from the store with per-score frequency arrays.
    const threaded = await scoreFiles({ bfiles: [geno], weights: [weights], freq: freqFiles, folds: foldsFile, threads: 2 });
    expect(Array.from(threaded.sums.scores)).toEqual(Array.from(ours.sums.scores));
    const store = await Store.open(join(dir, 'store-folds'));
    try {
      await ingestInputs(store, [{ kind: 'bfile', paths: [geno] }]);
      const fromStore = await scoreStore(store, { cohort: 'EUR', weights: [weights], frequencies: { kind: 'variants-per-score', freq: foldFreq }, sampleScore: fold });
      expect(Array.from(fromStore.sums.scores)).toEqual(Array.from(ours.sums.scores));
    } finally {
      store.close();
    }

    // One probe set for all folds: sample i's digits sit in column fold(i) only.
    const targets = Array.from({ length: K_FOLDS }, (_, k) => Float64Array.from({ length: N }, (_, i) => (fold[i] === k ? ours.sums.scores[i * K_FOLDS + k]! : NaN)));
    let printed = 0;
    let probeWorst = 0;
    for (let k = 0; k < K_FOLDS; k++) {
      const keep = join(dir, `keep${k + 1}.txt`);
      const t = plinkScore(geno, weights, String(3 + k), join(dir, `p_fold${k + 1}`), ['--read-freq', freqFiles[k]!, '--keep', keep]);
      expect(t.rows.length).toBe(fold.filter((f) => f === k).length);
      printed = Math.max(printed, comparePrinted(ours, t, k, 1));
      const p = probeRun(`probe_fold${k + 1}`, targets, weights, freqFiles[k]!, String(3 + k), [], ['--keep', keep]);
      probeWorst = Math.max(probeWorst, compareProbe(p, 1, oursFor(ours, p, k).ours));
    }
    exactness.folds = { printed, probe: probeWorst };
  });
});

describe('pgsflow score (command)', () => {
  const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await scoreCommand.run(parseCommandArgs(scoreCommand, args), {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      onInterrupt: () => () => {},
    });
    return { code, stdout, stderr };
  };

  it('writes the score table, logs the matching on stderr and a JSON summary on stdout', async () => {
    const w = join(dir, 'cli_w.txt');
    writeFileSync(w, `SNP\tA1\tBETA\tSE\tPIP\n${bim.id.slice(0, 500).map((id, v) => `${id}\t${bim.a1[v]}\t${(v % 7) / 100}\t0.1\t0.5`).join('\n')}\nrs_nowhere\tA\t1\t1\t1\n`);
    const keep = join(dir, 'cli_keep.txt');
    writeFileSync(keep, `#FID IID\n${famIds.fid.slice(0, 10).map((f, i) => `${f} ${famIds.iid[i]}`).join('\n')}\n`);
    const out = join(dir, 'cli.tsv');
    const r = await run(['--bfile', geno, '--weights', w, '--freq', trainAfreq, '--keep', keep, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('FID\tIID\tALLELE_CT\tNAMED_ALLELE_DOSAGE_SUM\tSCORE_BETA');
    expect(lines).toHaveLength(11);
    expect(lines[1]!.split('\t').slice(0, 2)).toEqual([famIds.fid[0], famIds.iid[0]]);
    expect(r.stderr).toMatch(/500 used, 0 on A2 .*1 absent from the genotypes/);
    expect(r.stderr).toMatch(/10 of 1000 samples/);
    const summary = JSON.parse(r.stdout) as { out: string; scored: number; variantsUsed: number };
    expect(summary).toMatchObject({ out, scored: 10, variantsUsed: 500 });
  });

  it('writes NA for columns a sample is not scored with (--folds), and rejects usage errors', async () => {
    const foldsFile = join(dir, 'folds.tsv');
    const w = join(dir, 'w10.txt');
    const out = join(dir, 'cli_folds.tsv');
    const r = await run(['--bfile', geno, '--weights', w, '--freq', ...Array.from({ length: K_FOLDS }, (_, k) => join(dir, `fold${k + 1}.afreq`)), '--folds', foldsFile, '--out', out]);
    expect(r.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    expect(rows).toHaveLength(N);
    for (const row of rows) expect(row.slice(4).filter((x) => x !== 'NA')).toHaveLength(1);
    await expect(run(['--bfile', geno, '--out', out])).rejects.toThrow(/--weights FILE is required/);
    await expect(run(['--bfile', geno, '--weights', w, '--freq', trainAfreq, trainAfreq, '--out', out])).rejects.toThrow(/2 frequency files for 10 scores/);
  });
});
