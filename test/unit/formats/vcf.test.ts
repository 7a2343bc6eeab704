// The VCF/BCF dosage reader against plink2 v2.00a3.5 itself: every dosage of every sample, for
// DS, GP, HDS and GT-only files, as .vcf, gzip .vcf.gz and BCF (our BGZF writer, and plink2's
// own --export output), must equal what plink2 holds for the same file (vcfScoreOracle.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { openVcf, type DosageField } from '../../../core/formats/vcf.js';
import { scanDecimal, toUnits } from '../../../core/formats/vcfDosage.js';
import { DOSAGE_MISSING, type DosageReadSummary } from '../../../core/genotypes/dosageSource.js';
import { plink2 } from '../../helpers/plink2.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { plink2Dosages } from '../../helpers/vcfScoreOracle.js';
import {
  bcfBytes,
  simSampleNames,
  simulateVcf,
  vcfText,
  writeBcf,
  writeVcf,
  writeVcfBgzf,
  writeVcfGz,
  type SimKind,
  type VcfFile,
} from '../../helpers/vcfWriter.js';

const tmp = makeTmpDir('vcf');
afterAll(() => tmp.cleanup());
const dir = tmp.dir;

const N_SAMPLES = 240;
const N_VARIANTS = 150;
const SEED = 20261205;

interface Read {
  format: string;
  iid: string[];
  fid: string[];
  ids: string[];
  alts: string[];
  refs: string[];
  pos: number[];
  firstVariants: number[];
  dosage: Uint16Array;
  summary: DosageReadSummary;
}

async function readAll(path: string, field?: DosageField, chunkVariants = 64): Promise<Read> {
  const src = await openVcf(path, field ? { dosageField: field } : {});
  const r: Read = { format: src.format, iid: src.samples.iid, fid: src.samples.fid, ids: [], alts: [], refs: [], pos: [], firstVariants: [], dosage: new Uint16Array(0), summary: { variants: 0, skipped: [] } };
  const parts: Uint16Array[] = [];
  r.summary = await src.read(chunkVariants, async (c) => {
    await Promise.resolve(); // an async consumer: the reader must wait for it
    expect(c.dosage.length).toBe(c.variants.id.length * src.samples.iid.length);
    r.firstVariants.push(c.firstVariant);
    r.ids.push(...c.variants.id);
    r.alts.push(...c.variants.a1);
    r.refs.push(...c.variants.a2);
    r.pos.push(...c.variants.pos);
    parts.push(c.dosage.slice());
  });
  r.dosage = new Uint16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    r.dosage.set(p, o);
    o += p.length;
  }
  return r;
}

/** Equal arrays, or a failure listing the first differences (variant, sample, ours, plink2). */
function expectSameDosages(ours: Read, theirs: { iid: string[]; dosage: Uint16Array }): void {
  expect(ours.iid).toEqual(theirs.iid);
  const n = ours.iid.length;
  const diffs: string[] = [];
  let count = 0;
  for (let i = 0; i < Math.max(ours.dosage.length, theirs.dosage.length); i++) {
    if (ours.dosage[i] === theirs.dosage[i]) continue;
    count++;
    if (diffs.length < 5) diffs.push(`${ours.ids[Math.floor(i / n)]} ${ours.iid[i % n]}: ours ${ours.dosage[i]}, plink2 ${theirs.dosage[i]}`);
  }
  expect({ mismatches: count, first: diffs }).toEqual({ mismatches: 0, first: [] });
  expect(ours.dosage.length).toBe(theirs.dosage.length);
}

const biallelicOnly = (f: VcfFile): VcfFile => ({ ...f, records: f.records.filter((r) => !r.alt.includes(',')) });

type Ext = 'vcf' | 'vcf.gz' | 'bcf';
const writers: Record<Ext, (path: string, f: VcfFile) => void> = { vcf: writeVcf, 'vcf.gz': writeVcfGz, bcf: (p, f) => writeBcf(p, f) };

/** plink2 cannot import a multi-allelic record with dosage=, so the oracle reads a copy without it. */
function oracleFor(name: string, f: VcfFile, ext: Ext, field: DosageField | undefined, ours: Read): { iid: string[]; dosage: Uint16Array } {
  const path = join(dir, `${name}.oracle.${ext}`);
  writers[ext](path, biallelicOnly(f));
  return plink2Dosages(dir, `${name}_${ext.replace('.', '')}`, { path, kind: ext === 'bcf' ? 'bcf' : 'vcf', field, ids: ours.ids, alts: ours.alts });
}

const KINDS: SimKind[] = ['DS', 'GP', 'HDS', 'GT'];

describe.each(KINDS)('%s file: every dosage equals plink2', (kind) => {
  const field: DosageField | undefined = kind === 'GT' ? undefined : kind;
  let f: VcfFile;
  beforeAll(() => {
    f = simulateVcf(kind, N_SAMPLES, N_VARIANTS, SEED);
    for (const ext of ['vcf', 'vcf.gz', 'bcf'] as Ext[]) writers[ext](join(dir, `${kind}.${ext}`), f);
  });

  it.each(['vcf', 'vcf.gz', 'bcf'] as Ext[])('.%s', async (ext) => {
    const ours = await readAll(join(dir, `${kind}.${ext}`), field);
    expect(ours.format).toBe(ext === 'bcf' ? 'bcf' : 'vcf');
    expect(ours.summary.variants).toBe(N_VARIANTS);
    expect(ours.summary.skipped).toEqual([
      { reason: expect.stringMatching(/multi-allelic/), count: 1, examples: [expect.stringMatching(/^multi1 \((line|record) \d+\)$/)] },
    ]);
    expect(ours.dosage.some((d) => d === DOSAGE_MISSING)).toBe(true);
    expectSameDosages(ours, oracleFor(kind, f, ext, field, ours));
  });
});

describe('what the simulated files exercise', () => {
  it('DS texts that a correctly rounded parse (Number) would round differently from plink2', () => {
    const f = simulateVcf('DS', N_SAMPLES, N_VARIANTS, SEED);
    let differ = 0;
    for (const r of f.records) {
      for (const s of r.samples) {
        const t = r.format === 'DS' ? s : s.split(':')[1];
        if (t === undefined || t === '.') continue;
        const b = Buffer.from(t);
        if (toUnits(scanDecimal(b, 0, b.length)) !== toUnits(Number(t))) differ++;
      }
    }
    // Without plink2's own scanner the DS comparisons above fail on these.
    expect(differ).toBeGreaterThan(10);
  });

  it('names samples as plink2 does: IID = the #CHROM column, no FID', async () => {
    const r = await readAll(join(dir, 'DS.vcf'), 'DS');
    expect(r.iid).toEqual(simSampleNames(N_SAMPLES));
    expect(r.iid).toContain('fam3_ind3'); // not split at '_' (plink2's default since alpha 2)
    expect(r.fid.every((x) => x === '0')).toBe(true);
    const src = await openVcf(join(dir, 'DS.vcf'));
    expect(src.samples.hasFid).toBe(false);
  });

  it('gives `.` IDs as chr:pos:ref:alt, a1 = ALT, a2 = REF', async () => {
    const f = simulateVcf('DS', N_SAMPLES, N_VARIANTS, SEED);
    const recs = biallelicOnly(f).records;
    const r = await readAll(join(dir, 'DS.vcf'), 'DS');
    expect(r.ids).toEqual(recs.map((x) => (x.id === '.' ? `${x.chrom}:${x.pos}:${x.ref}:${x.alt}` : x.id)));
    expect(r.ids.some((id) => /^\d+:\d+:[ACGT]:[ACGT]$/.test(id))).toBe(true);
    expect(r.alts).toEqual(recs.map((x) => x.alt));
    expect(r.refs).toEqual(recs.map((x) => x.ref));
    expect(r.pos).toEqual(recs.map((x) => x.pos));
  });

  it('defaults to DS when the header declares it, else to GT', async () => {
    const ds = await readAll(join(dir, 'DS.vcf.gz'));
    expect(ds.dosage).toEqual((await readAll(join(dir, 'DS.vcf.gz'), 'DS')).dosage);
    const gp = await readAll(join(dir, 'GP.vcf'));
    expectSameDosages(gp, oracleFor('GPdefault', simulateVcf('GP', N_SAMPLES, N_VARIANTS, SEED), 'vcf', undefined, gp));
  });

  it('chunks of 1, 7 and 10,000 variants give the same dosages', async () => {
    const path = join(dir, 'DS.vcf.gz');
    const one = await readAll(path, 'DS', 1);
    const seven = await readAll(path, 'DS', 7);
    const all = await readAll(path, 'DS', 10_000);
    expect(one.firstVariants).toEqual(Array.from({ length: N_VARIANTS }, (_, i) => i));
    expect(seven.firstVariants).toEqual(Array.from({ length: Math.ceil(N_VARIANTS / 7) }, (_, i) => 7 * i));
    expect(all.firstVariants).toEqual([0]);
    expect(seven.dosage).toEqual(one.dosage);
    expect(all.dosage).toEqual(one.dosage);
    expect(seven.ids).toEqual(one.ids);
    expect(all.ids).toEqual(one.ids);
  });
});

describe('files written by plink2 --export', () => {
  let f: VcfFile;
  beforeAll(() => {
    f = simulateVcf('DS', N_SAMPLES, N_VARIANTS, SEED + 1);
    writeVcf(join(dir, 'exp.in.vcf'), biallelicOnly(f));
    const load = ['--vcf', join(dir, 'exp.in.vcf'), 'dosage=DS', '--threads', '1', '--memory', '1000'];
    plink2([...load, '--export', 'bcf', 'vcf-dosage=DS-force', '--out', join(dir, 'exp')]);
    plink2([...load, '--export', 'vcf', 'bgz', 'vcf-dosage=DS-force', '--out', join(dir, 'exp')]);
  });

  it.each([
    ['exp.bcf', 'bcf'],
    ['exp.vcf.gz', 'vcf'],
  ] as const)('%s (BGZF blocks from plink2) equals plink2 reading it back', async (name, kind) => {
    const path = join(dir, name);
    const ours = await readAll(path, 'DS');
    expect(ours.format).toBe(kind);
    expect(ours.summary).toEqual({ variants: N_VARIANTS, skipped: [] });
    expectSameDosages(ours, plink2Dosages(dir, `exp_${kind}`, { path, kind, field: 'DS', ids: ours.ids, alts: ours.alts }));
  });

  it('a BGZF .vcf.gz of many blocks reads like the plain .vcf', async () => {
    writeVcfBgzf(join(dir, 'DS.bgzf.vcf.gz'), simulateVcf('DS', N_SAMPLES, N_VARIANTS, SEED));
    const a = await readAll(join(dir, 'DS.bgzf.vcf.gz'), 'DS');
    const b = await readAll(join(dir, 'DS.vcf'), 'DS');
    expect(a.dosage).toEqual(b.dosage);
  });
});

// ---------------------------------------------------------------------------------------------
// Structural errors

async function readError(path: string, field?: DosageField): Promise<BadInputError> {
  try {
    const src = await openVcf(path, field ? { dosageField: field } : {});
    await src.read(16, () => undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    const err = e as BadInputError;
    expect(err.file).toBe(path);
    return err;
  }
  throw new Error(`${path}: read without an error`);
}

const small = (): VcfFile => simulateVcf('DS', 12, 20, SEED + 2);
/** Physical line of data record `i` (0-based) of `f` as vcfText writes it. */
const dataLine = (f: VcfFile, i: number): number => vcfText(f).split('\n').findIndex((l) => l.startsWith('#CHROM')) + 2 + i;

function editLine(f: VcfFile, line: number, edit: (fields: string[]) => string[]): string {
  const lines = vcfText(f).split('\n');
  lines[line - 1] = edit(lines[line - 1]!.split('\t')).join('\t');
  return lines.join('\n');
}

describe('structural errors name the file and the line (VCF) or record and byte offset (BCF)', () => {
  it('a truncated .vcf.gz', async () => {
    const whole = gzipSync(vcfText(simulateVcf('DS', N_SAMPLES, N_VARIANTS, SEED)));
    const path = join(dir, 'cut.vcf.gz');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const err = await readError(path, 'DS');
    expect(err.detail).toMatch(/truncated/);
    expect(err.line).toBeGreaterThan(10);
  });

  it('a data line with a column too few', async () => {
    const f = small();
    const line = dataLine(f, 4);
    const path = join(dir, 'short.vcf');
    writeFileSync(path, editLine(f, line, (x) => x.slice(0, -1)));
    const err = await readError(path, 'DS');
    expect(err.line).toBe(line);
    expect(err.detail).toMatch(/expected 21 tab-separated columns \(9 \+ 12 samples\), found 20/);
  });

  it('no #CHROM header line', async () => {
    const path = join(dir, 'nochrom.vcf');
    writeFileSync(path, vcfText(small()).replace(/^#CHROM.*\n/m, ''));
    const err = await readError(path);
    expect(err.detail).toMatch(/no #CHROM header line/);
    expect(err.line).toBe(vcfText(small()).split('\n').findIndex((l) => l.startsWith('#CHROM')) + 1);
    const onlyMeta = join(dir, 'onlymeta.vcf');
    writeFileSync(onlyMeta, '##fileformat=VCFv4.3\n');
    expect((await readError(onlyMeta)).detail).toMatch(/no #CHROM header line/);
  });

  it('a dosage field the header does not declare', async () => {
    const path = join(dir, 'GP.vcf');
    const err = await readError(path, 'DS');
    expect(err.detail).toMatch(/dosage field DS requested, but the header has no ##FORMAT=<ID=DS/);
    expect(err.line).toBe(vcfText(simulateVcf('GP', N_SAMPLES, N_VARIANTS, SEED)).split('\n').findIndex((l) => l.startsWith('#CHROM')) + 1);
  });

  it('a non-numeric or out-of-range DS, and more subfields than FORMAT keys', async () => {
    const f = small();
    const k = f.records.findIndex((r) => r.format === 'GT:DS');
    const line = dataLine(f, k);
    const cases: [string, RegExp][] = [
      ['0/1:abc', /DS 'abc' is not a number/],
      ['0/1:0.5x', /DS '0.5x' is not a number/],
      ['0/1:2.5', /DS '2.5' is outside \[0, 2\]/],
      ['1:0.6', /^$/], // haploid: doubled to 1.2, fine
      ['1:1.3', /DS '1.3' is outside \[0, 2\] \(on a haploid GT/],
      ['0/1:0.5:7', /3 ':'-separated fields, FORMAT GT:DS lists 2/],
      ['0/.:0.5', /half-call GT '0\/\.'/],
      ['0/2:0.5', /invalid GT '0\/2'/],
    ];
    for (const [i, [value, message]] of cases.entries()) {
      const path = join(dir, `bad${i}.vcf`);
      writeFileSync(path, editLine(f, line, (x) => [...x.slice(0, 12), value, ...x.slice(13)]));
      if (message.source === '^$') {
        const r = await readAll(path, 'DS');
        expect(r.dosage[k * 12 + 3]).toBe(toUnits(1.2));
        continue;
      }
      const err = await readError(path, 'DS');
      expect(err.detail).toMatch(message);
      expect([err.line, err.column]).toEqual([line, 13]);
    }
  });

  it('a record with neither GT nor the dosage field: missing, unless the header lacks GT too', async () => {
    const head = ['##fileformat=VCFv4.3', '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="q">'];
    const body = ['#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb', '1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1|1', '1\t20\t.\tA\tG\t.\t.\t.\tGQ\t30\t40'];
    const withGt = join(dir, 'nogt1.vcf');
    writeFileSync(withGt, [...head, '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">', ...body].join('\n'));
    const r = await readAll(withGt);
    expect([...r.dosage]).toEqual([16384, 32768, DOSAGE_MISSING, DOSAGE_MISSING]);
    const without = join(dir, 'nogt2.vcf');
    writeFileSync(without, [...head, ...body].join('\n'));
    const err = await readError(without);
    expect(err.detail).toMatch(/neither GT nor a dosage field, and the header declares no FORMAT\/GT/);
    expect(err.line).toBe(5);
  });

  it('a truncated BCF: cut inside a block, or at a block boundary', async () => {
    const path = join(dir, 'DS.bcf');
    const whole = readFileSync(path);
    const cut = join(dir, 'cut.bcf');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const err = await readError(cut, 'DS');
    expect(err.detail).toMatch(/truncated.*record \d+ \(uncompressed byte offset \d+\)/);
    const noEof = join(dir, 'noeof.bcf');
    writeFileSync(noEof, whole.subarray(0, whole.length - 28));
    expect((await readError(noEof, 'DS')).detail).toMatch(/BGZF end-of-file block is missing/);
  });

  it('a .bcf without BCF magic, and a BCF record that overruns its section', async () => {
    const path = join(dir, 'notbcf.bcf');
    writeFileSync(path, gzipSync('##fileformat=VCFv4.3\n'));
    expect((await readError(path)).detail).toMatch(/not a BCF file: .* expected 42 43 46 02 02/);
    const v21 = join(dir, 'v21.bcf');
    writeFileSync(v21, gzipSync(Buffer.from('BCF\x02\x01\x00\x00\x00\x00', 'latin1')));
    expect((await readError(v21)).detail).toMatch(/BCF version 2\.1/);
  });

  it('an uncompressed BCF reads like the BGZF one; one whose FORMAT count overruns its record does not', async () => {
    const f = simulateVcf('HDS', N_SAMPLES, N_VARIANTS, SEED);
    const raw = bcfBytes(f);
    const plain = join(dir, 'plain.bcf');
    writeFileSync(plain, raw);
    expect((await readAll(plain, 'HDS')).dosage).toEqual((await readAll(join(dir, 'HDS.bcf'), 'HDS')).dosage);
    const first = 9 + raw.readUInt32LE(5); // magic, l_text, header text
    const bad = Buffer.from(raw);
    bad[first + 8 + 23]! += 1; // n_fmt of record 1
    const path = join(dir, 'overrun.bcf');
    writeFileSync(path, bad);
    expect((await readError(path, 'HDS')).detail).toMatch(new RegExp(`^record 1 \\(uncompressed byte offset ${first}\\): .*runs past the end`));
  });
});
