// `pgsflow simulate --format pgen|vcf|bgen [--dosage-noise S]` against independent truth: Debian's
// plink2 reads every written cohort, and its dosages (exact, in 1/16384 units, through --score)
// are the ones intended — the .bed study's hard calls, or those calls blurred by the stated
// noise model — and so are our own readers'. Hard-call files make a study that parses and reads
// the same samples and phenotypes as the .bed study; dosage .pgen hard calls are what plink2
// itself derives from the dosages. A dosage .pgen is variable-width (mode 0x10, record type 0x40),
// as plink2 writes one: plink2 2.00a3.5 validates it and reads it with several threads (it
// crashed on the fixed-width mode 0x03 we wrote before).
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulateOptionsInput, parseSimulateOptions } from '../../config/simulate.js';
import { parseStudy } from '../../config/study.js';
import { readSampleTable } from '../../core/formats/sampleTable.js';
import { readDosageCohort } from '../../core/genotypes/dosageCohort.js';
import { openDosageCohort } from '../../core/genotypes/dosageOpeners.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../core/genotypes/dosageSource.js';
import { bytesPerVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { blurCalls, callsToUnits, dosageNoiseStream } from '../../core/simulate/dosageNoise.js';
import { ROLE_TARGET, cohortKey, simulateStudy } from '../../core/simulate/simulateStudy.js';
import { runCli } from '../helpers/cli.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { plink2Dosages } from '../helpers/scoreOracle.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';

type DosageFormat = 'pgen' | 'vcf' | 'bgen';
const FORMATS: DosageFormat[] = ['pgen', 'vcf', 'bgen'];
const NOISE = 0.15;
const BASE: SimulateOptionsInput = { ancestries: ['EUR', 'EAS'], samples: [400, 250], refSamples: 60, snps: 300, blockSnps: 100, missingRate: 0.02, seed: 13 };
const N = { EUR: 400, EAS: 250 } as const;

let tmp: { dir: string; cleanup: () => void };
const at = (...p: string[]): string => join(tmp.dir, ...p);
const folder = (format: string, noisy: boolean): string => at(`${format}${noisy ? '-noise' : ''}`);

interface Truth {
  ids: string[];
  alts: string[];
  /** Per ancestry: the .bed study's hard calls, SNP-major, 3 = missing. */
  calls: Map<string, Uint8Array>;
}
let truth: Truth;

function readBedCalls(prefix: string, n: number, m: number): Uint8Array {
  const bed = readFileSync(`${prefix}.bed`);
  const bpv = bytesPerVariant(n);
  expect(bed.length).toBe(3 + m * bpv);
  const calls = new Uint8Array(m * n);
  for (let j = 0; j < m; j++) unpackVariant(bed, 3 + j * bpv, n, calls.subarray(j * n, (j + 1) * n));
  return calls;
}

/** What the simulator meant to write for `ancestry` (index a): the calls, or the calls blurred. */
function intended(ancestry: 'EUR' | 'EAS', a: number, noisy: boolean): Uint16Array {
  const n = N[ancestry];
  const calls = truth.calls.get(ancestry)!;
  const m = truth.ids.length;
  const out = new Uint16Array(m * n);
  for (let j = 0; j < m; j++) {
    const row = calls.subarray(j * n, (j + 1) * n);
    const dst = out.subarray(j * n, (j + 1) * n);
    if (noisy) blurCalls(row, NOISE, dosageNoiseStream(BASE.seed!, cohortKey(a, ROLE_TARGET), j), dst);
    else callsToUnits(row, dst);
  }
  return out;
}

/** Index and values of the first difference, or null: a readable failure without a 100k-element diff. */
function firstDifference(got: Uint16Array, want: Uint16Array): string | null {
  if (got.length !== want.length) return `length ${got.length} ≠ ${want.length}`;
  for (let k = 0; k < got.length; k++) if (got[k] !== want[k]) return `element ${k}: ${got[k]} ≠ ${want[k]}`;
  return null;
}

function genotypeFile(format: DosageFormat, dir: string, ancestry: string): string {
  return format === 'pgen' ? join(dir, 'geno', ancestry) : join(dir, 'geno', `${ancestry}.${format === 'vcf' ? 'vcf.gz' : 'bgen'}`);
}

/** How plink2 loads the cohort: dosage=DS for a VCF with dosages, ref-first for our BGEN. */
function plink2Input(format: DosageFormat, dir: string, ancestry: string, noisy: boolean): string[] {
  const file = genotypeFile(format, dir, ancestry);
  if (format === 'pgen') return ['--pfile', file];
  if (format === 'vcf') return ['--vcf', file, ...(noisy ? ['dosage=DS'] : [])];
  return ['--bgen', file, 'ref-first'];
}

beforeAll(async () => {
  tmp = makeTmpDir('simfmt');
  await simulateStudy(parseSimulateOptions(BASE), at('bed'));
  for (const format of FORMATS) {
    await simulateStudy(parseSimulateOptions({ ...BASE, format }), folder(format, false));
    await simulateStudy(parseSimulateOptions({ ...BASE, format, dosageNoise: NOISE }), folder(format, true));
  }
  const bim = readFileSync(at('bed', 'geno', 'EUR.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
  truth = {
    ids: bim.map((f) => f[1]!),
    alts: bim.map((f) => f[4]!),
    calls: new Map((['EUR', 'EAS'] as const).map((a) => [a, readBedCalls(at('bed', 'geno', a), N[a], bim.length)])),
  };
}, 60_000);

afterAll(() => tmp?.cleanup());

describe('hard calls: the .bed study in another format', () => {
  it('plink2 reads the .bed study as the truth the other formats are held to', () => {
    const oracle = plink2Dosages(['--bfile', at('bed', 'geno', 'EUR')], truth.ids.map((id, j) => ({ id, alt: truth.alts[j]! })), at('bed'));
    expect(firstDifference(oracle.dosage, intended('EUR', 0, false))).toBeNull();
    const calls = truth.calls.get('EUR')!;
    expect(calls.some((c) => c === 3)).toBe(true); // the missing calls asked for are there to carry over
  });

  for (const format of FORMATS) {
    it(`${format}: plink2 and our reader give exactly the .bed's calls, for every ancestry`, async () => {
      const dir = folder(format, false);
      for (const [a, ancestry] of (['EUR', 'EAS'] as const).entries()) {
        const want = intended(ancestry, a, false);
        const oracle = plink2Dosages(plink2Input(format, dir, ancestry, false), truth.ids.map((id, j) => ({ id, alt: truth.alts[j]! })), dir);
        expect(oracle.iid).toEqual(Array.from({ length: N[ancestry] }, (_, i) => `${ancestry}_${String(i + 1).padStart(6, '0')}`));
        expect(firstDifference(oracle.dosage, want), `plink2 ${format} ${ancestry}`).toBeNull();
        const ours = await readOurs(format, dir, ancestry);
        expect(firstDifference(ours.dosage, want), `reader ${format} ${ancestry}`).toBeNull();
        expect(ours.ids).toEqual(truth.ids);
        expect(ours.alts).toEqual(truth.alts);
      }
    });

    it(`${format}: study.json and study-cross-ancestry.json parse and name the cohorts and tables`, () => {
      const dir = folder(format, false);
      const cv = parseStudy(JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')));
      const multi = parseStudy(JSON.parse(readFileSync(join(dir, 'study-cross-ancestry.json'), 'utf8')));
      for (const s of [cv, multi]) {
        const eur = s.inputs.cohorts.find((c) => c.ancestry === 'EUR')!;
        expect(eur.bfile).toBeUndefined();
        expect(eur.genotypes).toMatchObject({ format, path: format === 'pgen' ? 'geno/EUR' : format === 'vcf' ? 'geno/EUR.vcf.gz' : 'geno/EUR.bgen' });
        expect(eur.genotypes!.dosageField).toBeUndefined(); // hard calls: GT
        if (format === 'bgen') expect(eur.genotypes!.refFirst).toBe(true);
        const iidOnly = format !== 'pgen';
        expect(s.inputs.phenotype.file).toBe(iidOnly ? 'pheno_iid.tsv' : 'pheno.tsv');
        expect(s.inputs.covariates!.file).toBe(iidOnly ? 'covar_iid.tsv' : 'covar.tsv');
      }
      // Everything but the target genotypes (and the IID tables) is the .bed study's, byte for byte.
      for (const f of ['pheno.tsv', 'covar.tsv', 'annot.tsv', 'blocks.tsv', 'truth/effects.tsv', 'ref/EUR.bed', 'ref/EAS.bim']) {
        expect(sha256File(join(dir, f)), f).toBe(sha256File(at('bed', f)));
      }
    });
  }

  it('the IID-only tables hold the .bed study\'s phenotypes and covariates, read with FID 0', async () => {
    const dir = folder('vcf', false);
    for (const [iidFile, file] of [['pheno_iid.tsv', 'pheno.tsv'], ['covar_iid.tsv', 'covar.tsv']] as const) {
      const withFid = await readSampleTable(at('bed', file), { missingMinus9: false });
      const iidOnly = await readSampleTable(join(dir, iidFile), { missingMinus9: false });
      expect(iidOnly.iid).toEqual(withFid.iid);
      expect(new Set(iidOnly.fid)).toEqual(new Set(['0']));
      expect(iidOnly.numeric).toEqual(withFid.numeric);
      expect(iidOnly.text).toEqual(withFid.text);
    }
    expect(readFileSync(join(dir, 'pheno_iid.tsv'), 'utf8').split('\n')[0]).toBe('#IID\tancestry\ttrait');
  });

  it('pgen: plink2 turns it into the .bed study\'s .bed, byte for byte; the .psam keeps FID and sex', () => {
    const dir = folder('pgen', false);
    plink2(['--pfile', join(dir, 'geno', 'EUR'), '--make-bed', '--out', join(dir, 'back')]);
    expect(sha256File(join(dir, 'back.bed'))).toBe(sha256File(at('bed', 'geno', 'EUR.bed')));
    const fam = (p: string): string[] => readFileSync(p, 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/).slice(0, 5).join(' '));
    expect(fam(join(dir, 'back.fam'))).toEqual(fam(at('bed', 'geno', 'EUR.fam')));
  });
});

describe('dosages: hard calls blurred by --dosage-noise', () => {
  for (const format of FORMATS) {
    it(`${format}: plink2 and our reader give exactly the intended dosages`, async () => {
      const dir = folder(format, true);
      const want = intended('EUR', 0, true);
      const oracle = plink2Dosages(plink2Input(format, dir, 'EUR', true), truth.ids.map((id, j) => ({ id, alt: truth.alts[j]! })), dir);
      expect(firstDifference(oracle.dosage, want), `plink2 ${format}`).toBeNull();
      const ours = await readOurs(format, dir, 'EUR');
      expect(firstDifference(ours.dosage, want), `reader ${format}`).toBeNull();
      const study = parseStudy(JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')));
      if (format === 'vcf') expect(study.inputs.cohorts[0]!.genotypes!.dosageField).toBe('DS');
    });
  }

  it('the dosages are real: centred on the calls with SD ≈ S, and the same bytes for the same seed', async () => {
    const want = intended('EUR', 0, true);
    const calls = truth.calls.get('EUR')!;
    let fractional = 0;
    let hets = 0;
    let sum = 0;
    let sum2 = 0;
    for (let k = 0; k < calls.length; k++) {
      if (calls[k] === 3) {
        expect(want[k]).toBe(DOSAGE_MISSING);
        continue;
      }
      if (want[k]! % DOSAGE_SCALE !== 0) fractional++;
      if (calls[k] === 1) {
        const e = want[k]! / DOSAGE_SCALE - 1; // a het is never clamped at S = 0.15 (|z| > 6.6)
        hets++;
        sum += e;
        sum2 += e * e;
      }
    }
    expect(fractional / calls.length).toBeGreaterThan(0.3);
    const mean = sum / hets;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(sum2 / hets - mean * mean)).toBeCloseTo(NOISE, 2);
    const again = at('vcf-noise-again');
    await simulateStudy(parseSimulateOptions({ ...BASE, format: 'vcf', dosageNoise: NOISE }), again);
    expect(sha256File(join(again, 'geno', 'EUR.vcf.gz'))).toBe(sha256File(join(folder('vcf', true), 'geno', 'EUR.vcf.gz')));
  });

  it('pgen hard calls are plink2\'s own from the same dosages (--hard-call-threshold 0.1)', () => {
    const pgen = folder('pgen', true);
    const vcf = folder('vcf', true);
    plink2(['--pfile', join(pgen, 'geno', 'EUR'), '--make-bed', '--out', join(pgen, 'calls')]);
    plink2(['--vcf', join(vcf, 'geno', 'EUR.vcf.gz'), 'dosage=DS', '--make-bed', '--out', join(vcf, 'calls')]);
    expect(sha256File(join(pgen, 'calls.bed'))).toBe(sha256File(join(vcf, 'calls.bed')));
  });
});

describe('a noisy .pgen of 2,000 × 5,000: plink2 validates it and reads it with 2 threads', () => {
  const BIG: SimulateOptionsInput = { ancestries: ['EUR'], samples: [2000], refSamples: 10, snps: 5000, annotations: 0, missingRate: 0.02, seed: 4 };
  const BIG_NOISE = 0.1;
  const n = 2000;
  const m = 5000;
  const dir = (): string => at('big-pgen');
  const prefix = (): string => join(dir(), 'geno', 'EUR');
  let want: Uint16Array;
  let ids: string[];
  let alts: string[];

  beforeAll(async () => {
    await simulateStudy(parseSimulateOptions(BIG), at('big-bed'));
    await simulateStudy(parseSimulateOptions({ ...BIG, format: 'pgen', dosageNoise: BIG_NOISE }), dir());
    const bim = readFileSync(at('big-bed', 'geno', 'EUR.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(bim.length).toBe(m);
    ids = bim.map((f) => f[1]!);
    alts = bim.map((f) => f[4]!);
    const calls = readBedCalls(at('big-bed', 'geno', 'EUR'), n, m);
    want = new Uint16Array(m * n);
    for (let j = 0; j < m; j++) {
      blurCalls(calls.subarray(j * n, (j + 1) * n), BIG_NOISE, dosageNoiseStream(BIG.seed!, cohortKey(0, ROLE_TARGET), j), want.subarray(j * n, (j + 1) * n));
    }
  }, 120_000);

  it('is variable-width: mode 0x10, 8-bit record types, 2-byte lengths, every record type 0x40 of 4,500 bytes; plink2 --validate accepts it', () => {
    const fd = openSync(`${prefix()}.pgen`, 'r');
    const head = new Uint8Array(20 + 3 * m);
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const view = new DataView(head.buffer);
    expect([head[0], head[1], head[2], view.getUint32(3, true), view.getUint32(7, true), head[11]]).toEqual([0x6c, 0x1b, 0x10, m, n, 0x45]);
    expect(Number(view.getBigUint64(12, true))).toBe(20 + 3 * m); // the one block's records follow its index
    expect(head.subarray(20, 20 + m).every((t) => t === 0x40)).toBe(true);
    for (let j = 0; j < m; j++) expect(view.getUint16(20 + m + 2 * j, true)).toBe(500 + 2 * n);
    const log = plink2(['--pfile', prefix(), '--validate', '--threads', '2', '--out', join(dir(), 'validate')]);
    expect(log).toMatch(/Validating .*EUR\.pgen\.\.\. done\./);
  });

  it('plink2 --freq --threads 2 gives the ALT frequencies and counts of the intended dosages', () => {
    plink2(['--pfile', prefix(), '--freq', '--threads', '2', '--out', join(dir(), 'freq')]);
    const t = readTable(join(dir(), 'freq.afreq'));
    expect(column(t, 'ID')).toEqual(ids);
    expect(column(t, 'ALT')).toEqual(alts);
    const freqs = column(t, 'ALT_FREQS').map(Number);
    const obs = column(t, 'OBS_CT').map(Number);
    for (let j = 0; j < m; j++) {
      let sum = 0;
      let called = 0;
      for (let i = 0; i < n; i++) {
        const u = want[j * n + i]!;
        if (u === DOSAGE_MISSING) continue;
        sum += u;
        called++;
      }
      const freq = sum / (2 * DOSAGE_SCALE * called);
      expect(obs[j], ids[j]).toBe(2 * called);
      // plink2 prints 6 significant digits.
      expect(Math.abs(freqs[j]! - freq), `${ids[j]}: ${freqs[j]} vs ${freq}`).toBeLessThanOrEqual(5e-6 * freq + 1e-12);
    }
  });

  it('plink2 --score --threads 2 gives exactly the intended dosages (every 20th variant, one column each)', () => {
    // plink2's default mean imputation (a missing sample scores the variant's mean dosage) is
    // the path that crashed on mode 0x03 with 2 threads, so it is the one exercised here.
    const picked = Array.from({ length: m / 20 }, (_, k) => 20 * k + (k % 20));
    const k = picked.length;
    const lines = [['ID', 'ALT', ...picked.map((j) => `v${j}`)].join('\t')];
    const row = new Array<number>(k).fill(0);
    picked.forEach((j, c) => {
      row[c] = DOSAGE_SCALE;
      lines.push(`${ids[j]}\t${alts[j]}\t${row.join('\t')}`);
      row[c] = 0;
    });
    const score = join(dir(), 'picked.score');
    writeFileSync(score, `${lines.join('\n')}\n`);
    const out = join(dir(), 'picked');
    plink2(['--pfile', prefix(), '--threads', '2', '--score', score, '1', '2', 'header-read', 'cols=scoresums', '--score-col-nums', `3-${k + 2}`, '--out', out]);
    const t = readTable(`${out}.sscore`);
    expect(column(t, 'IID')).toEqual(Array.from({ length: n }, (_, i) => `EUR_${String(i + 1).padStart(6, '0')}`));
    let missing = 0;
    for (const j of picked) {
      const got = column(t, `v${j}_SUM`).map(Number);
      const units = want.subarray(j * n, (j + 1) * n);
      let sum = 0;
      let called = 0;
      for (const u of units) {
        if (u === DOSAGE_MISSING) continue;
        sum += u;
        called++;
      }
      const mean = sum / called; // in 1/16384 units
      for (let i = 0; i < n; i++) {
        const u = units[i]!;
        if (u === DOSAGE_MISSING) {
          missing++;
          expect(Math.abs(got[i]! - mean), `${ids[j]} sample ${i} (missing)`).toBeLessThanOrEqual(1e-5 * mean + 1e-9);
        } else if (got[i] !== u) expect(got[i], `${ids[j]} sample ${i}`).toBe(u);
      }
    }
    expect(missing).toBeGreaterThan(0);
  });

  it('our reader reads back every intended dosage', async () => {
    const ours = await readOurs('pgen', dir(), 'EUR');
    expect(firstDifference(ours.dosage, want)).toBeNull();
    expect(ours.ids).toEqual(ids);
    expect(ours.alts).toEqual(alts);
  });
});

describe('pgsflow simulate --format', () => {
  it('writes the chosen format from the command line, and refuses noise in a .bed', () => {
    const out = at('cli');
    const ok = runCli(['simulate', '--out', out, '--samples', '50', '--ref-samples', '20', '--snps', '40', '--block-snps', '20', '--format', 'bgen', '--dosage-noise', '0.1', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout) as { files: string[] };
    expect(summary.files).toContain('geno/EUR.bgen');
    expect(summary.files).toContain('pheno_iid.tsv');
    expect(summary.files.filter((f) => f.startsWith('geno/'))).toEqual(['geno/EUR.bgen']);
    const bad = runCli(['simulate', '--out', at('cli-bad'), '--dosage-noise', '0.1']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--format pgen, vcf or bgen/);
  });
});

/** Our reader on the cohort as its study file names it. */
async function readOurs(format: DosageFormat, dir: string, ancestry: string): Promise<{ dosage: Uint16Array; ids: string[]; alts: string[] }> {
  const study = parseStudy(JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')));
  const g = study.inputs.cohorts.find((c) => c.ancestry === ancestry)!.genotypes!;
  const paths = (Array.isArray(g.path) ? g.path : [g.path]).map((p) => join(dir, p));
  const kind = format === 'pgen' ? 'pfile' : format;
  const cohort = await openDosageCohort(kind, paths, { ...(g.dosageField ? { dosageField: g.dosageField } : {}), ...(g.refFirst !== undefined ? { refFirst: g.refFirst } : {}) });
  const parts: Uint16Array[] = [];
  const ids: string[] = [];
  const alts: string[] = [];
  await readDosageCohort(cohort, 128, (chunk) => {
    parts.push(chunk.dosage.slice());
    ids.push(...chunk.variants.id);
    alts.push(...chunk.variants.a1);
  });
  const dosage = new Uint16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    dosage.set(p, off);
    off += p.length;
  }
  return { dosage, ids, alts };
}
