// BGEN reader against PLINK 2 (v2.00a3.5) itself: files written by `plink2 --export bgen-1.x`
// (zlib and zstd, 8 and 16 bits) and by a small writer (no compression, no sample block,
// haploid, phased, variable ploidy, 1- to 32-bit), read back by `plink2 --bgen` whose dosages
// a one-column-per-variant --score prints exactly (test/helpers/bgenScoreOracle.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { openBgen, readBgenHeader } from '../../../core/formats/bgen.js';
import { DOSAGE_MISSING, type DosageReadSummary, type DosageSource } from '../../../core/genotypes/dosageSource.js';
import { Rng } from '../../../core/numeric/random/rng.js';
import { type BgenTestVariant, encodeBgen, firstVariantOffset, variantBlock } from '../../helpers/bgenWriter.js';
import { plink2BgenDosages } from '../../helpers/bgenScoreOracle.js';
import { plink2 } from '../../helpers/plink2.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('bgen');
afterAll(() => tmp.cleanup());
const at = (name: string): string => join(tmp.dir, name);

interface ReadBack {
  id: string[];
  chrom: string[];
  pos: number[];
  a1: string[];
  a2: string[];
  /** Variant-major, id.length × nSamples. */
  dosage: Uint16Array;
  firstVariants: number[];
  summary: DosageReadSummary;
}

async function readAll(src: DosageSource, chunkVariants = 1000): Promise<ReadBack> {
  const n = src.samples.iid.length;
  const out: Omit<ReadBack, 'dosage' | 'summary'> = { id: [], chrom: [], pos: [], a1: [], a2: [], firstVariants: [] };
  const parts: Uint16Array[] = [];
  const summary = await src.read(chunkVariants, (c) => {
    expect(c.dosage.length).toBe(c.variants.id.length * n);
    expect(c.firstVariant).toBe(out.id.length);
    out.firstVariants.push(c.firstVariant);
    out.id.push(...c.variants.id);
    out.chrom.push(...c.variants.chrom);
    out.pos.push(...c.variants.pos);
    out.a1.push(...c.variants.a1);
    out.a2.push(...c.variants.a2);
    parts.push(c.dosage.slice());
  });
  const dosage = new Uint16Array(out.id.length * n);
  let off = 0;
  for (const p of parts) {
    dosage.set(p, off);
    off += p.length;
  }
  return { ...out, dosage, summary };
}

/** Compares our dosages with plink2's for the same file and REF/ALT mode; returns the values checked. */
function expectPlink2Dosages(name: string, bgen: string, refFirst: boolean, got: ReadBack, iid: string[], sample?: string): number {
  const oracle = plink2BgenDosages({
    dir: tmp.dir,
    name,
    bgen,
    refFirst,
    variants: got.id.map((id, v) => ({ id, counted: got.a1[v]!, other: got.a2[v]! })),
    ...(sample ? { sample } : {}),
  });
  expect(oracle.iid).toEqual(iid);
  const n = iid.length;
  const mismatches: string[] = [];
  let missing = 0;
  for (const [v, id] of got.id.entries()) {
    const want = oracle.dosage.get(id)!;
    for (let i = 0; i < n; i++) {
      const w = Number.isNaN(want[i]!) ? DOSAGE_MISSING : want[i]!;
      if (w === DOSAGE_MISSING) missing++;
      const g = got.dosage[v * n + i]!;
      if (g !== w && mismatches.length < 10) mismatches.push(`${id} sample ${iid[i]}: ours ${g}, plink2 ${w}`);
    }
  }
  expect(mismatches).toEqual([]);
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Files written by plink2

const N = 300;
const M = 200;

interface VcfTruth {
  id: string[];
  chrom: string[];
  pos: number[];
  ref: string[];
  alt: string[];
}

/** GT + DS with random dosages, exact hard calls, missing cells and a few all-hard-call records. */
function writeVcf(path: string): VcfTruth {
  const rng = Rng.stream(19, 1);
  const bases = ['A', 'C', 'G', 'T'];
  const t: VcfTruth = { id: [], chrom: [], pos: [], ref: [], alt: [] };
  const lines = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=1>',
    '##contig=<ID=2>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DS,Number=A,Type=Float,Description="ALT dosage">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...Array.from({ length: N }, (_, i) => `s${i}`)].join('\t'),
  ];
  for (let v = 0; v < M; v++) {
    const chrom = v < 120 ? '1' : '2';
    const pos = 10_000 + (v % 120) * 97;
    const r = rng.below(4);
    const ref = v % 25 === 3 ? 'AT' : bases[r]!;
    const alt = v % 25 === 3 ? 'A' : bases[(r + 1 + rng.below(3)) % 4]!;
    const hardOnly = v % 50 === 7;
    const cells: string[] = [];
    for (let i = 0; i < N; i++) {
      const u = rng.uniform();
      if (u < 0.08) {
        cells.push('./.:.');
        continue;
      }
      const ds = hardOnly || u < 0.16 ? rng.below(3) : Number((rng.uniform() * 2).toFixed(rng.below(2) === 0 ? 4 : 3));
      cells.push(`${ds < 0.5 ? '0/0' : ds < 1.5 ? '0/1' : '1/1'}:${ds}`);
    }
    lines.push([chrom, pos, `rs${v + 1}`, ref, alt, '.', '.', '.', 'GT:DS', ...cells].join('\t'));
    t.id.push(`rs${v + 1}`);
    t.chrom.push(chrom);
    t.pos.push(pos);
    t.ref.push(ref);
    t.alt.push(alt);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return t;
}

/** A three-allele record (P(AA) = 1 for everyone), which plink2 cannot export. */
const multiAllelic = (n: number): BgenTestVariant => ({
  rsid: 'rsTri',
  chrom: '1',
  pos: 5,
  alleles: ['A', 'C', 'T'],
  bits: 8,
  ploidy: Array<number>(n).fill(2),
  values: Array.from({ length: n }, () => [255, 0, 0, 0, 0]),
});

/** Inserts a zlib-compressed multi-allelic block before the first variant and adds it to M. */
function spliceMultiAllelic(from: string, to: string, n: number): void {
  const b = readFileSync(from);
  const first = firstVariantOffset(b);
  const head = Buffer.from(b.subarray(0, first));
  head.writeUInt32LE(head.readUInt32LE(8) + 1, 8);
  writeFileSync(to, Buffer.concat([head, variantBlock(multiAllelic(n), n, 1), b.subarray(first)]));
}

const iids = Array.from({ length: N }, (_, i) => `s${i}`);
let truth: VcfTruth;
const written = [
  { name: 'b8', args: ['bgen-1.2', 'bits=8'], compression: 1, multi: true },
  { name: 'b16', args: ['bgen-1.2', 'bits=16'], compression: 1, multi: true },
  { name: 'z8', args: ['bgen-1.3', 'bits=8'], compression: 2, multi: false },
  { name: 'z16', args: ['bgen-1.3'], compression: 2, multi: false },
] as const;
const bgenPath = (name: string): string => at(written.find((w) => w.name === name)!.multi ? `${name}m.bgen` : `${name}.bgen`);

beforeAll(() => {
  truth = writeVcf(at('cohort.vcf'));
  plink2(['--vcf', at('cohort.vcf'), 'dosage=DS', '--make-pgen', '--threads', '1', '--out', at('cohort')]);
  for (const w of written) {
    plink2(['--pfile', at('cohort'), '--export', ...w.args, '--threads', '1', '--out', at(w.name)]);
    if (w.multi) spliceMultiAllelic(at(`${w.name}.bgen`), at(`${w.name}m.bgen`), N);
  }
});

describe('BGEN written by plink2 --export bgen-1.2 / bgen-1.3', () => {
  it('the exports are zlib (v1.2) and zstd (v1.3), 8- and 16-bit, with sample identifiers', async () => {
    for (const w of written) {
      const { header, sampleIds } = await readBgenHeader(bgenPath(w.name));
      expect([header.compression, header.layout, header.nSamples, header.nVariants]).toEqual([w.compression, 2, N, M + (w.multi ? 1 : 0)]);
      expect(sampleIds).toEqual(iids);
    }
  });

  for (const w of written) {
    for (const refFirst of [false, true]) {
      it(`${w.name}${w.multi ? ' + a multi-allelic record' : ''}, ${refFirst ? 'ref-first' : 'ref-last'}: plink2's dosages exactly, missing included`, async () => {
        const src = await openBgen(bgenPath(w.name), { refFirst });
        expect(src.format).toBe('bgen');
        expect(src.samples).toEqual({ fid: iids.map(() => '0'), iid: iids, hasFid: false, source: expect.stringContaining('sample identifier block') });
        const got = await readAll(src);
        expect(got.id).toEqual(truth.id);
        expect(got.chrom).toEqual(truth.chrom);
        expect(got.pos).toEqual(truth.pos);
        // plink2 writes ALT first, so ref-last counts the VCF's ALT and ref-first its REF.
        expect(got.a1).toEqual(refFirst ? truth.ref : truth.alt);
        expect(got.a2).toEqual(refFirst ? truth.alt : truth.ref);
        expect(got.summary.variants).toBe(M);
        expect(got.summary.skipped).toEqual(w.multi ? [{ reason: expect.stringContaining('multi-allelic'), count: 1, examples: ['rsTri'] }] : []);
        const missing = expectPlink2Dosages(`${w.name}-${refFirst ? 'rf' : 'rl'}`, bgenPath(w.name), refFirst, got, iids);
        expect(missing).toBeGreaterThan(0.05 * N * M);
        expect(got.dosage.filter((d) => d === DOSAGE_MISSING).length).toBe(missing);
      });
    }
  }

  it('ref-first and ref-last give complementary dosages (32768 − d) with the alleles swapped', async () => {
    const a = await readAll(await openBgen(bgenPath('b16'), { refFirst: false }));
    const b = await readAll(await openBgen(bgenPath('b16'), { refFirst: true }));
    expect(b.a1).toEqual(a.a2);
    for (let j = 0; j < a.dosage.length; j++) {
      const d = a.dosage[j]!;
      expect(b.dosage[j]).toBe(d === DOSAGE_MISSING ? DOSAGE_MISSING : 32768 - d);
    }
  });

  it('chunks of 1, 7 and 10,000 variants give the same variants and dosages', async () => {
    const src = await openBgen(bgenPath('b8'), { refFirst: false });
    const one = await readAll(src, 1);
    const seven = await readAll(src, 7);
    const all = await readAll(src, 10_000);
    expect(one.firstVariants).toEqual(Array.from({ length: M }, (_, i) => i));
    expect(seven.firstVariants).toEqual(Array.from({ length: Math.ceil(M / 7) }, (_, i) => 7 * i));
    expect(all.firstVariants).toEqual([0]);
    for (const r of [one, seven]) {
      expect(r.id).toEqual(all.id);
      expect(r.a1).toEqual(all.a1);
      expect(Buffer.from(r.dosage.buffer).equals(Buffer.from(all.dosage.buffer))).toBe(true);
      expect(r.summary).toEqual(all.summary);
    }
  });

  it("reads IDs from plink2's .sample (ID_1 all 0: no FIDs) and checks them against the header", async () => {
    const sample = at('b16.sample');
    const src = await openBgen(bgenPath('b16'), { refFirst: true, samplePath: sample });
    expect(src.samples).toEqual({ fid: iids.map(() => '0'), iid: iids, hasFid: false, source: sample });
    expect(src.files).toEqual([bgenPath('b16'), sample]);
  });
});

// ---------------------------------------------------------------------------------------------
// Files written by hand: what plink2 does not write

const H = 40;

/** Independent rule (BigInt): PLINK 2's first-allele dosage, then ALT per REF/ALT mode. */
function ruleDosage(s: bigint, bits: number, refFirst: boolean): number {
  const d = bits === 1 ? s * 16384n : (s * 16384n + (1n << BigInt(bits - 1))) / ((1n << BigInt(bits)) - 1n);
  return refFirst ? 32768 - Number(d) : Number(d);
}

interface HandSpec {
  id: string;
  bits: number;
  phased?: boolean;
  /** Ploidy of sample i. */
  ploidy: (i: number) => number;
  missingRate?: number;
  alleles?: string[];
  varid?: string;
  rsid?: string;
}

function handVariant(rng: Rng, pos: number, spec: HandSpec): BgenTestVariant {
  const mask = 2 ** spec.bits - 1;
  const draw = (max: number): number => {
    const u = rng.below(8);
    return u === 0 ? 0 : u === 1 ? max : rng.below(max + 1); // extremes often
  };
  const ploidy: number[] = [];
  const missing: boolean[] = [];
  const values: number[][] = [];
  for (let i = 0; i < H; i++) {
    const z = spec.ploidy(i);
    const miss = rng.uniform() < (spec.missingRate ?? 0);
    ploidy.push(z);
    missing.push(miss);
    if (miss || z === 0) {
      values.push(Array<number>(z).fill(0));
    } else if (z === 1) {
      values.push([draw(mask)]);
    } else if (spec.phased) {
      values.push(Array.from({ length: z }, () => draw(mask)));
    } else if (z === 2) {
      const aa = draw(mask);
      values.push([aa, draw(mask - aa)]);
    } else {
      values.push(Array<number>(z).fill(0)); // ploidy 3: z values for two alleles, all zero
    }
  }
  return {
    rsid: spec.rsid ?? spec.id,
    ...(spec.varid !== undefined ? { varid: spec.varid } : {}),
    chrom: '1',
    pos,
    alleles: spec.alleles ?? ['C', 'T'],
    bits: spec.bits,
    phased: spec.phased ?? false,
    ploidy,
    missing,
    values,
  };
}

/** Expected ALT dosages of a biallelic hand-written variant by the BigInt rule. */
function ruleRow(v: BgenTestVariant, refFirst: boolean): number[] {
  return v.values.map((vals, i) => {
    if (v.missing?.[i] || v.ploidy[i] === 0) return DOSAGE_MISSING;
    const b = vals.map(BigInt);
    const s = v.ploidy[i] === 1 ? 2n * b[0]! : v.phased ? b[0]! + b[1]! : 2n * b[0]! + b[1]!;
    return ruleDosage(s, v.bits, refFirst);
  });
}

const sometimes = (every: number, z: number, otherwise: number) => (i: number) => (i % every === 0 ? z : otherwise);

// Readable by plink2 (≤ 28 bits, ploidy ≤ 2, non-empty rsIDs): its dosages are the oracle.
const PLINK_READABLE: HandSpec[] = [
  { id: 'h1bit', bits: 1, ploidy: () => 2, missingRate: 0.1 },
  { id: 'h2bit', bits: 2, ploidy: () => 2 },
  { id: 'h3bit', bits: 3, ploidy: () => 2, missingRate: 0.1 },
  { id: 'h8bit', bits: 8, ploidy: () => 2, missingRate: 0.1 },
  { id: 'h16bit', bits: 16, ploidy: () => 2 },
  { id: 'h12phased', bits: 12, phased: true, ploidy: () => 2, missingRate: 0.1 },
  { id: 'h16mixed', bits: 16, ploidy: (i) => [2, 1, 0, 2][i % 4]!, missingRate: 0.1 },
  { id: 'h8haploid', bits: 8, ploidy: () => 1, missingRate: 0.1 },
  { id: 'h24bit', bits: 24, ploidy: () => 2 },
  { id: 'h28phasedMixed', bits: 28, phased: true, ploidy: sometimes(3, 1, 2), missingRate: 0.1 },
  { id: 'hTri', bits: 8, ploidy: () => 2, alleles: ['A', 'C', 'G'] },
  { id: 'h10phasedHaploid', bits: 10, phased: true, ploidy: () => 1 },
  { id: 'h5bit', bits: 5, ploidy: sometimes(5, 1, 2) },
];

// Beyond plink2 (it refuses > 28 bits and ploidy > 2, and needs non-empty rsIDs): the BigInt rule.
const BEYOND_PLINK: HandSpec[] = [
  { id: 'h29bit', bits: 29, ploidy: () => 2, missingRate: 0.1 },
  { id: 'h31phased', bits: 31, phased: true, ploidy: sometimes(4, 1, 2) },
  { id: 'h32bit', bits: 32, ploidy: sometimes(7, 1, 2), missingRate: 0.1 },
  { id: 'h32phased', bits: 32, phased: true, ploidy: () => 2 },
  { id: 'triploid', bits: 8, ploidy: sometimes(2, 3, 2) },
  { id: 'varidOnly', rsid: '', varid: 'VAR6', bits: 16, ploidy: () => 2 },
  { id: 'dotRsid', rsid: '.', varid: '', bits: 16, ploidy: () => 2 },
  { id: 'noIds', rsid: '', varid: '.', bits: 8, ploidy: () => 2, alleles: ['G', 'GA'] },
];

const handIds = Array.from({ length: H }, (_, i) => `ind${i}`);

function handVariants(seed: number, specs: HandSpec[]): BgenTestVariant[] {
  const rng = Rng.stream(seed, 2);
  return specs.map((s, k) => handVariant(rng, 1000 + 10 * k, s));
}

describe('BGEN written by hand (no compression, odd precisions, haploid, phased, variable ploidy)', () => {
  const readable = handVariants(7, PLINK_READABLE);
  const beyond = handVariants(8, BEYOND_PLINK);
  const biallelic = readable.filter((v) => v.alleles.length === 2);

  for (const refFirst of [false, true]) {
    it(`uncompressed with a sample block, ${refFirst ? 'ref-first' : 'ref-last'}: plink2's dosages and the rule; multi-allelic skipped`, async () => {
      const path = at(`hand-${refFirst}.bgen`);
      writeFileSync(path, encodeBgen({ nSamples: H, sampleIds: handIds, compression: 0, variants: readable }));
      const src = await openBgen(path, { refFirst });
      expect(src.samples.iid).toEqual(handIds);
      const got = await readAll(src, 4);
      expect(got.id).toEqual(biallelic.map((v) => v.rsid));
      expect(got.a1).toEqual(biallelic.map((v) => v.alleles[refFirst ? 1 : 0]));
      expect(got.summary).toEqual({ variants: biallelic.length, skipped: [{ reason: expect.stringContaining('multi-allelic'), count: 1, examples: ['hTri'] }] });
      for (const [k, v] of biallelic.entries()) expect([v.rsid, ...got.dosage.subarray(k * H, (k + 1) * H)]).toEqual([v.rsid, ...ruleRow(v, refFirst)]);
      expectPlink2Dosages(`hand-${refFirst}`, path, refFirst, got, handIds);
    });
  }

  it('29- to 32-bit, ploidy 3 (skipped) and ID fallbacks, zlib, without a sample block: .sample IDs with FIDs', async () => {
    const path = at('beyond.bgen');
    const sample = at('beyond.sample');
    writeFileSync(path, encodeBgen({ nSamples: H, sampleIds: null, compression: 1, variants: beyond }));
    writeFileSync(sample, ['ID_1 ID_2 missing sex', '0 0 0 D', ...handIds.map((id, i) => `fam${i >> 1} ${id} 0 ${1 + (i % 2)}`), ''].join('\n'));
    await expect(openBgen(path, { refFirst: true })).rejects.toThrow(/no sample identifier block.*\.sample/);
    const src = await openBgen(path, { refFirst: true, samplePath: sample });
    expect(src.samples).toEqual({ fid: handIds.map((_, i) => `fam${i >> 1}`), iid: handIds, hasFid: true, source: sample });
    const got = await readAll(src);
    expect(got.id).toEqual(['h29bit', 'h31phased', 'h32bit', 'h32phased', 'VAR6', '1:1060:C:T', '1:1070:G:GA']);
    expect(got.a1.at(-1)).toBe('GA'); // ref-first: the second allele is ALT, and the ID reads chr:pos:REF:ALT
    expect(got.summary.skipped).toEqual([{ reason: 'ploidy above 2', count: 1, examples: ['triploid'] }]);
    const kept = beyond.filter((v) => v.rsid !== 'triploid');
    for (const [k, v] of kept.entries()) expect(Array.from(got.dosage.subarray(k * H, (k + 1) * H))).toEqual(ruleRow(v, true));
    const miss = got.dosage.filter((d) => d === DOSAGE_MISSING).length;
    expect(miss).toBeGreaterThan(0);
  });

  it('a .sample without ID_2 (QCTOOL dialect) gives whole IIDs and no FIDs', async () => {
    const path = at('hand-nosamples.bgen');
    const sample = at('single.sample');
    writeFileSync(path, encodeBgen({ nSamples: H, sampleIds: null, compression: 0, variants: readable.slice(0, 2) }));
    writeFileSync(sample, ['ID missing', '0 0', ...handIds.map((id) => `F_${id} 0`), ''].join('\n'));
    const src = await openBgen(path, { refFirst: false, samplePath: sample });
    expect(src.samples).toEqual({ fid: handIds.map(() => '0'), iid: handIds.map((id) => `F_${id}`), hasFid: false, source: sample });
    const got = await readAll(src);
    expectPlink2Dosages('hand-nosamples', path, false, got, handIds.map((id) => `F_${id}`), sample);
  });
});

// ---------------------------------------------------------------------------------------------
// Structural errors

describe('structural errors name the file and the place', () => {
  const rejectsRead = async (path: string, opts: { refFirst: boolean; samplePath?: string }, pattern: RegExp): Promise<BadInputError> => {
    let err: unknown;
    try {
      await readAll(await openBgen(path, opts));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(pattern);
    return err as BadInputError;
  };
  const small = (): BgenTestVariant[] => handVariants(9, PLINK_READABLE.slice(3, 6));

  it('a truncated file: the variant, its offset and the file', async () => {
    const b = readFileSync(bgenPath('b16'));
    const path = at('truncated.bgen');
    writeFileSync(path, b.subarray(0, b.length - 1000));
    const err = await rejectsRead(path, { refFirst: false }, /truncated: the genotype data of variant \d+ \(block at byte offset \d+, rs\d+\)/);
    expect(err.file).toBe(path);
    expect(err.message.startsWith(path)).toBe(true);
  });

  it('an unknown compression flag (flags byte patched to 3)', async () => {
    const b = Buffer.from(readFileSync(bgenPath('b8')));
    const flagsAt = b.readUInt32LE(4);
    b[flagsAt] = (b[flagsAt]! & ~3) | 3;
    const path = at('compression3.bgen');
    writeFileSync(path, b);
    await rejectsRead(path, { refFirst: false }, new RegExp(`^${path}: unknown compression flag 3 .*byte offset ${flagsAt}`));
  });

  it('layout 1 is refused with the plink2 conversion, a bad magic as not BGEN', async () => {
    const b = Buffer.from(readFileSync(bgenPath('z8')));
    const flagsAt = b.readUInt32LE(4);
    const layout1 = Buffer.from(b);
    layout1.writeUInt32LE(((layout1.readUInt32LE(flagsAt) & ~(15 << 2)) | (1 << 2)) >>> 0, flagsAt);
    writeFileSync(at('layout1.bgen'), layout1);
    await rejectsRead(at('layout1.bgen'), { refFirst: false }, /layout 1 \(BGEN v1\.1.*not supported.*plink2 --bgen .*--export bgen-1\.3/);
    const magic = Buffer.from(b);
    magic.write('BGEN', 16, 'latin1');
    writeFileSync(at('magic.bgen'), magic);
    await rejectsRead(at('magic.bgen'), { refFirst: false }, /not a BGEN file: magic bytes at offset 16/);
  });

  it('a .sample with one sample too few, or in another order', async () => {
    const lines = readFileSync(at('b16.sample'), 'utf8').trimEnd().split('\n');
    const short = at('short.sample');
    writeFileSync(short, `${lines.slice(0, -1).join('\n')}\n`);
    const err = await rejectsRead(bgenPath('b16'), { refFirst: false, samplePath: short }, new RegExp(`^${short}:${N + 2}: ${N - 1} samples, but the header of .* says N = ${N}`));
    expect(err.file).toBe(short);
    const swapped = [...lines];
    [swapped[12], swapped[13]] = [swapped[13]!, swapped[12]!];
    writeFileSync(at('swapped.sample'), `${swapped.join('\n')}\n`);
    await rejectsRead(bgenPath('b16'), { refFirst: false, samplePath: at('swapped.sample') }, /swapped\.sample:13: sample 11 is '0 s11' here but 's10' in the sample identifier block/);
  });

  it('M in the header above or below the records', async () => {
    const variants = small();
    writeFileSync(at('m-high.bgen'), encodeBgen({ nSamples: H, sampleIds: handIds, compression: 0, variants, headerVariants: 4 }));
    await rejectsRead(at('m-high.bgen'), { refFirst: false }, /m-high\.bgen: the header says M = 4 variants, but the file ends after 3/);
    writeFileSync(at('m-low.bgen'), encodeBgen({ nSamples: H, sampleIds: handIds, compression: 0, variants, headerVariants: 2 }));
    await rejectsRead(at('m-low.bgen'), { refFirst: false }, /m-low\.bgen: the header says M = 2 variants, but more data follow the last one at byte offset \d+/);
  });

  it('N in the header disagreeing with the sample block, and with the probability data', async () => {
    const b = encodeBgen({ nSamples: H, sampleIds: handIds, compression: 0, variants: small() });
    const nHigh = Buffer.from(b);
    nHigh.writeUInt32LE(H + 1, 12);
    writeFileSync(at('n-block.bgen'), nHigh);
    await rejectsRead(at('n-block.bgen'), { refFirst: false }, /sample identifier block at byte offset 24 lists 40 samples, the header says N = 41/);
    const noBlock = encodeBgen({ nSamples: H, sampleIds: null, compression: 0, variants: small() });
    noBlock.writeUInt32LE(H + 1, 12);
    writeFileSync(at('n-data.bgen'), noBlock);
    writeFileSync(at('n-data.sample'), ['ID_1 ID_2 missing', '0 0 0', ...Array.from({ length: H + 1 }, (_, i) => `0 x${i} 0`), ''].join('\n'));
    await rejectsRead(at('n-data.bgen'), { refFirst: false, samplePath: at('n-data.sample') }, /variant 1 \(block at byte offset \d+, h8bit\): the genotype data are for 40 samples, the header says N = 41/);
  });

  it('an uncompressed length that does not match the zlib data', async () => {
    const [v] = small();
    const b = encodeBgen({ nSamples: H, sampleIds: handIds, compression: 1, variants: [v!] });
    // D follows the IDs, chromosome, position, alleles and the block length C.
    const dAt = firstVariantOffset(b) + 2 + 0 + 2 + v!.rsid.length + 2 + 1 + 4 + 2 + 2 * (4 + 1) + 4;
    const stated = b.readUInt32LE(dAt);
    for (const wrong of [stated - 1, stated + 1]) {
      const p = Buffer.from(b);
      p.writeUInt32LE(wrong, dAt);
      writeFileSync(at('length.bgen'), p);
      await rejectsRead(at('length.bgen'), { refFirst: false }, /variant 1 \(block at byte offset \d+, h8bit\): uncompressed length mismatch/);
    }
  });

  it('P(11) + P(12) above 1 is malformed', async () => {
    const [v] = small();
    v!.ploidy[5] = 2;
    v!.missing![5] = false;
    v!.values[5] = [200, 100];
    writeFileSync(at('sum.bgen'), encodeBgen({ nSamples: H, sampleIds: handIds, compression: 0, variants: [v!] }));
    await rejectsRead(at('sum.bgen'), { refFirst: false }, /h8bit\): sample 6: P\(11\) \+ P\(12\) exceeds 1/);
  });
});
