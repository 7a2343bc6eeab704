// The .pgen reader against plink2 itself: filesets written by `plink2 --make-pgen` from VCFs and
// a .bed made here, decoded by openPgen and compared exactly with the dosages plink2 computes
// with (the --score oracle, test/helpers/scoreOracle.ts), record type by record type.
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { openPgen } from '../../../core/formats/pgen.js';
import { type PgenIndex, readPgenIndex } from '../../../core/formats/pgenRecords.js';
import { packVariant } from '../../../core/genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE, type DosageReadSummary, type GenotypeSamples } from '../../../core/genotypes/dosageSource.js';
import { Rng } from '../../../core/numeric/random/rng.js';
import { plink2 } from '../../helpers/plink2.js';
import { plink2Dosages } from '../../helpers/scoreOracle.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('pgen');
afterAll(() => tmp.cleanup());
const at = (name: string): string => join(tmp.dir, name);

interface Decoded {
  samples: GenotypeSamples;
  ids: string[];
  alts: string[];
  refs: string[];
  dosage: Uint16Array;
  summary: DosageReadSummary;
  chunkSizes: number[];
}

async function readAll(prefix: string, chunkVariants = 50): Promise<Decoded> {
  const src = await openPgen(prefix);
  const n = src.samples.iid.length;
  const ids: string[] = [];
  const alts: string[] = [];
  const refs: string[] = [];
  const parts: Uint16Array[] = [];
  const chunkSizes: number[] = [];
  const summary = await src.read(chunkVariants, (c) => {
    expect(c.firstVariant).toBe(ids.length);
    expect(c.dosage.length).toBe(c.variants.id.length * n);
    ids.push(...c.variants.id);
    alts.push(...c.variants.a1);
    refs.push(...c.variants.a2);
    parts.push(c.dosage);
    chunkSizes.push(c.variants.id.length);
  });
  const dosage = new Uint16Array(ids.length * n);
  let o = 0;
  for (const p of parts) {
    dosage.set(p, o);
    o += p.length;
  }
  expect(summary.variants).toBe(ids.length);
  return { samples: src.samples, ids, alts, refs, dosage, summary, chunkSizes };
}

async function pgenIndex(path: string, nSamples: number): Promise<PgenIndex> {
  const fh = await open(path, 'r');
  try {
    return await readPgenIndex(fh, path, nSamples);
  } finally {
    await fh.close();
  }
}

/** Exact equality with a readable first difference (variant, sample, values). */
function expectSameDosages(got: Uint16Array, want: Uint16Array, ids: string[], n: number): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < got.length; k++) {
    if (got[k] !== want[k]) {
      const v = Math.floor(k / n);
      expect.fail(`variant ${v} (${ids[v]}), sample ${k % n}: decoded ${got[k]}, plink2 has ${want[k]}`);
    }
  }
}

async function expectOracle(prefix: string, d: Decoded, input = ['--pfile', prefix]): Promise<void> {
  const oracle = plink2Dosages(input, d.ids.map((id, j) => ({ id, alt: d.alts[j]! })), tmp.dir);
  expect(oracle.iid).toEqual(d.samples.iid);
  expectSameDosages(d.dosage, oracle.dosage, d.ids, d.samples.iid.length);
}

// ---------------------------------------------------------------------------------------------
// Synthetic VCFs

interface VcfRecord {
  id: string;
  ref: string;
  alt: string;
  format: string;
  calls: string[];
}

function writeVcf(path: string, samples: string[], records: VcfRecord[]): void {
  const head = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=1>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DS,Number=A,Type=Float,Description="ALT dosage">',
    '##FORMAT=<ID=HDS,Number=2,Type=Float,Description="Haplotype ALT dosages">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t'),
  ];
  const body = records.map((r, j) => ['1', 1000 + 10 * j, r.id, r.ref, r.alt, '.', '.', '.', r.format, ...r.calls].join('\t'));
  writeFileSync(path, `${[...head, ...body].join('\n')}\n`);
}

const GT = ['0/0', '0/1', '1/1'];
const BASES = ['A', 'C', 'G', 'T'];

/** Hard calls 0..2 (-1 missing) at ALT frequency p. */
function hwe(r: Rng, n: number, p: number, missing = 0): Int8Array {
  const g = new Int8Array(n);
  for (let i = 0; i < n; i++) g[i] = r.uniform() < missing ? -1 : (r.uniform() < p ? 1 : 0) + (r.uniform() < p ? 1 : 0);
  return g;
}

/** A copy of `g` with `k` samples set to other random calls (a near-identical neighbour). */
function perturb(r: Rng, g: Int8Array, k: number): Int8Array {
  const h = g.slice();
  for (let j = 0; j < k; j++) {
    const i = r.below(h.length);
    h[i] = ((h[i]! + 2 + r.below(3)) % 4) - 1;
  }
  return h;
}

interface DsCase {
  records: VcfRecord[];
  /** Dosages written as exact multiples of 1/16384: [record, sample, units]. */
  exact: [number, number, number][];
}

/**
 * GT + DS records covering each way plink2 stores a variant: 2-bit, 1-bit, difflists from each
 * common category, LD-compressed (plain and inverted) runs, and dosage lists, bitarrays and
 * 'all dosages', with DS exact, random and missing.
 */
function dsCase(n: number): DsCase {
  const r = Rng.stream(20_240_601);
  const records: VcfRecord[] = [];
  const exact: [number, number, number][] = [];
  let named = 0;
  const id = (): string => (r.below(4) === 0 ? `rs${100 + named++}` : '.');
  const push = (g: Int8Array, ds?: (i: number, call: number) => string): void => {
    const ref = BASES[records.length % 4]!;
    const alt = BASES[(records.length + 1 + r.below(3)) % 4]!;
    const calls = Array.from(g, (c, i) => {
      const d = ds ? ds(i, c) : c < 0 ? '.' : String(c);
      return `${c < 0 ? './.' : GT[c]}:${d}`;
    });
    records.push({ id: id(), ref, alt, format: 'GT:DS', calls });
  };
  const inverted = (g: Int8Array): Int8Array => g.map((c) => (c < 0 ? c : 2 - c));
  for (let v = 0; v < 6; v++) push(hwe(r, n, 0.2 + 0.05 * v, 0.02)); // 2-bit
  for (let run = 0; run < 5; run++) {
    const base = hwe(r, n, 0.25 + 0.05 * run, 0.01);
    push(base);
    for (let k = 0; k < 3; k++) push(perturb(r, base, 2 + k)); // LD-compressed
    push(perturb(r, inverted(base), 3)); // LD-compressed, inverted
  }
  for (let v = 0; v < 8; v++) push(hwe(r, n, 0.002 + 0.002 * v)); // difflist from hom-REF
  for (let v = 0; v < 2; v++) push(hwe(r, n, 0.038 + 0.004 * v)); // … of more than one 64-entry group
  for (let v = 0; v < 3; v++) push(inverted(hwe(r, n, 0.004 * (v + 1)))); // from hom-ALT
  for (let v = 0; v < 3; v++) push(hwe(r, n, 0.01, 0.99)); // from missing
  // 1-bit: two common categories, a few of the others.
  const twoOf = (a: number, b: number, others: number): Int8Array => {
    const g = Int8Array.from({ length: n }, () => (r.below(2) ? a : b));
    for (let k = 0; k < others; k++) g[r.below(n)] = [0, 1, 2, -1].filter((c) => c !== a && c !== b)[r.below(2)]!;
    return g;
  };
  push(twoOf(0, 1, 5));
  push(twoOf(1, 2, 8));
  push(twoOf(0, -1, 3));
  push(twoOf(2, -1, 0));
  // Dosages: a few exact multiples of 1/16384 (a list), many (a bitarray), all samples.
  const exactDs = (v: number, share: number) => (i: number, c: number): string => {
    if (c < 0 || r.uniform() >= share) return c < 0 ? '.' : String(c);
    const units = r.below(2 * DOSAGE_SCALE + 1);
    exact.push([v, i, units]);
    return String(units / DOSAGE_SCALE);
  };
  for (let k = 0; k < 4; k++) push(hwe(r, n, 0.3), exactDs(records.length, 0.03 * (k + 1)));
  for (let k = 0; k < 3; k++) push(hwe(r, n, 0.3), exactDs(records.length, 0.4));
  // Never a whole number, so that no sample's dosage is implied by its hard call.
  const random = (missing: number) => (_i: number, c: number): string => {
    if (r.uniform() < missing) return '.';
    const x = Math.max(0.001, Math.min(1.999, (c < 0 ? 1 : c) + (r.uniform() - 0.5) * 0.6));
    const s = x.toFixed(r.below(2) ? 6 : 3);
    return Number.isInteger(Number(s)) ? `${s}1` : s;
  };
  for (let k = 0; k < 3; k++) push(hwe(r, n, 0.35), random(0)); // every sample: 'all dosages'
  for (let k = 0; k < 3; k++) push(hwe(r, n, 0.35), random(0.05));
  // A run of near-identical dosage variants (LD-compressed hard calls under dosage tracks).
  const base = hwe(r, n, 0.4);
  for (let k = 0; k < 4; k++) push(perturb(r, base, k), exactDs(records.length, 0.02));
  return { records, exact };
}

/** GT only: phased and partly phased calls, and multi-allelic records that LD-compressed ones refer to. */
function phasedCase(n: number): VcfRecord[] {
  const r = Rng.stream(7, 7);
  const records: VcfRecord[] = [];
  const hap = (p: number): number => (r.uniform() < p ? 1 : 0);
  const phased = (alleles: number[][], phasedShare: number): string[] =>
    alleles.map(([a, b]) => (a! < 0 ? './.' : `${a}${r.uniform() < phasedShare ? '|' : '/'}${b}`));
  const biallelic = (p: number, share: number): number[][] => Array.from({ length: n }, () => (r.uniform() < 0.01 ? [-1, -1] : [hap(p), hap(p)]));
  let m = 0;
  for (let v = 0; v < 6; v++) {
    const alleles = biallelic(0.3, 0);
    records.push({ id: '.', ref: 'A', alt: 'G', format: 'GT', calls: phased(alleles, v % 2 ? 1 : 0.6) });
    // A multi-allelic record, then a biallelic one with nearly the same categories: its LD reference.
    const multi = Array.from({ length: n }, () => [r.below(3), r.below(3)]);
    records.push({ id: `multi${m++}`, ref: 'C', alt: 'T,G', format: 'GT', calls: phased(multi, 1) });
    const copy = multi.map(([a, b]) => [a! > 0 ? 1 : 0, b! > 0 ? 1 : 0]);
    for (let k = 0; k < 3; k++) copy[r.below(n)] = [hap(0.5), hap(0.5)];
    records.push({ id: `after${v}`, ref: 'C', alt: 'T', format: 'GT', calls: phased(copy, 0.8) });
  }
  return records;
}

/** Haplotype dosages: phased hard calls, dosages and dosage phase in one record. */
function hdsCase(n: number): VcfRecord[] {
  const r = Rng.stream(99);
  const records: VcfRecord[] = [];
  for (let v = 0; v < 12; v++) {
    const calls = Array.from({ length: n }, (_, i) => {
      let a = r.uniform();
      let b = r.uniform();
      if (v % 3 === 0 && i % 4 !== 0) [a, b] = [Math.round(a), Math.round(b)];
      if (v % 3 === 1 && i % 9 === 0) [a, b] = [0.01 * r.below(100), 1];
      return `${a > 0.5 ? 1 : 0}|${b > 0.5 ? 1 : 0}:${(a + b).toFixed(4)}:${a.toFixed(4)},${b.toFixed(4)}`;
    });
    records.push({ id: `h${v}`, ref: 'A', alt: 'T', format: 'GT:DS:HDS', calls });
  }
  return records;
}

const samplesOf = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

// ---------------------------------------------------------------------------------------------

describe('plink2 --vcf dosage=DS filesets', () => {
  const N = 1000; // > 512: difflists of more than one 64-entry group; 2-byte sample IDs
  const prefix = at('ds');
  let ds: DsCase;
  // Decoded on first use, not in beforeAll: a decoding error then fails the tests, not skips them.
  let decoded: Promise<Decoded> | undefined;
  const read = (): Promise<Decoded> => (decoded ??= readAll(prefix));

  beforeAll(async () => {
    ds = dsCase(N);
    writeVcf(at('ds.vcf'), samplesOf(N, 's'), ds.records);
    plink2(['--vcf', at('ds.vcf'), 'dosage=DS', '--make-pgen', '--out', prefix]);
  });

  it('uses every record layout plink2 writes (so the comparison below covers them)', async () => {
    const index = await pgenIndex(`${prefix}.pgen`, N);
    expect(index.mode).toBe(0x10);
    const main = new Set(Array.from(index.types, (t) => t & 7));
    const dosage = new Set(Array.from(index.types, (t) => t & 0x60));
    for (const t of [0, 1, 2, 3, 4, 6, 7]) expect(main, `main track type ${t}`).toContain(t);
    for (const t of [0x20, 0x40, 0x60]) expect(dosage, `dosage track 0x${t.toString(16)}`).toContain(t);
  });

  it('decodes exactly the dosages plink2 computes with', async () => {
    const d = await read();
    expect(d.ids.length).toBe(ds.records.length);
    expect(d.summary.skipped).toEqual([]);
    await expectOracle(prefix, d);
  });

  it('keeps DS written as multiples of 1/16384 exactly, and names variants with . IDs chr:pos:ref:alt', async () => {
    const d = await read();
    expect(ds.exact.length).toBeGreaterThan(300);
    for (const [v, i, units] of ds.exact) expect(d.dosage[v * N + i], `record ${v} sample ${i}`).toBe(units);
    const j = ds.records.findIndex((rec) => rec.id === '.');
    expect(d.ids[j]).toBe(`1:${1000 + 10 * j}:${ds.records[j]!.ref}:${ds.records[j]!.alt}`);
    const named = ds.records.findIndex((rec) => rec.id !== '.');
    expect(d.ids[named]).toBe(ds.records[named]!.id);
    expect([d.alts[named], d.refs[named]]).toEqual([ds.records[named]!.alt, ds.records[named]!.ref]);
  });

  it('reports samples from the #IID .psam without family IDs', async () => {
    const d = await read();
    expect(d.samples.iid).toEqual(samplesOf(N, 's'));
    expect(d.samples.hasFid).toBe(false);
    expect(new Set(d.samples.fid)).toEqual(new Set(['0']));
  });

  it('gives the same dosages whatever the chunk size', async () => {
    const d = await read();
    for (const chunk of [1, 7, 10_000]) {
      const c = await readAll(prefix, chunk);
      expect(c.ids).toEqual(d.ids);
      expect(c.chunkSizes.slice(0, -1).every((s) => s === chunk)).toBe(true);
      expect(c.chunkSizes.at(-1)).toBe(d.ids.length % chunk || Math.min(chunk, d.ids.length));
      expectSameDosages(c.dosage, d.dosage, d.ids, N);
    }
  });

  it('reads the same from a .pvar.zst (--make-pgen vzs)', async () => {
    const d = await read();
    plink2(['--pfile', prefix, '--make-pgen', 'vzs', '--out', at('dsz')]);
    expect(statSync(at('dsz.pvar.zst')).size).toBeGreaterThan(0);
    const z = await readAll(at('dsz.pvar.zst'));
    expect(z.ids).toEqual(d.ids);
    expect(z.alts).toEqual(d.alts);
    expectSameDosages(z.dosage, d.dosage, d.ids, N);
  });
});

describe('phase and multi-allelic records', () => {
  it('skips the phase track and counts multi-allelic records, which stay LD references', async () => {
    const n = 300;
    const records = phasedCase(n);
    writeVcf(at('ph.vcf'), samplesOf(n, 'p'), records);
    const prefix = at('ph');
    plink2(['--vcf', at('ph.vcf'), '--make-pgen', '--out', prefix]);
    const index = await pgenIndex(`${prefix}.pgen`, n);
    expect(index.types.some((t) => (t & 0x10) !== 0)).toBe(true);
    // A biallelic LD-compressed record whose reference is the multi-allelic record before it.
    const refersToMulti = records.some((rec, v) => rec.id.startsWith('after') && (index.types[v]! & 6) === 2 && (index.types[v - 1]! & 6) !== 2);
    expect(refersToMulti).toBe(true);

    const d = await readAll(prefix, 4);
    expect(d.ids).toEqual(records.flatMap((rec, v) => (rec.alt.includes(',') ? [] : [rec.id === '.' ? `1:${1000 + 10 * v}:${rec.ref}:${rec.alt}` : rec.id])));
    expect(d.summary.skipped).toHaveLength(1);
    expect(d.summary.skipped[0]!.count).toBe(6);
    expect(d.summary.skipped[0]!.examples).toEqual(['multi0', 'multi1', 'multi2', 'multi3', 'multi4']);
    expect(d.summary.skipped[0]!.reason).toMatch(/multi-allelic/);
    await expectOracle(prefix, d);
  });

  it('reads haplotype-dosage records (phase, dosage and dosage-phase tracks)', async () => {
    const n = 120;
    const records = hdsCase(n);
    writeVcf(at('hds.vcf'), samplesOf(n, 'h'), records);
    const prefix = at('hds');
    plink2(['--vcf', at('hds.vcf'), 'dosage=HDS', '--make-pgen', '--out', prefix]);
    const index = await pgenIndex(`${prefix}.pgen`, n);
    expect(index.types.some((t) => (t & 0x90) === 0x90 && (t & 0x60) !== 0)).toBe(true);
    const d = await readAll(prefix);
    expect(d.ids).toEqual(records.map((rec) => rec.id));
    await expectOracle(prefix, d);
  });
});

describe('hard calls from a .bed', () => {
  const N = 256; // the smallest count with 2-byte difflist sample IDs
  const M = 300;
  const codes = new Uint8Array(M * N); // ALT dosage 0..2, 3 missing
  const bedPrefix = at('hc');

  beforeAll(() => {
    const r = Rng.stream(5);
    const row = (v: number): Uint8Array => codes.subarray(v * N, (v + 1) * N);
    for (let v = 0; v < M; v++) {
      const g = row(v);
      const kind = v % 10;
      if (kind >= 1 && kind <= 3) {
        g.set(row(v - 1)); // near-copies of their predecessor
        for (let k = 0; k < 3; k++) g[r.below(N)] = r.below(4);
      } else if (kind === 4) {
        g.set(row(v - 4).map((c) => (c === 3 ? 3 : 2 - c))); // inverted
        g[r.below(N)] = r.below(4);
      } else if (kind === 5 || kind === 6) {
        for (let i = 0; i < N; i++) g[i] = r.uniform() < 0.01 ? 1 + r.below(3) : kind === 5 ? 0 : 2;
      } else {
        const p = 0.1 + 0.4 * r.uniform();
        for (let i = 0; i < N; i++) g[i] = r.uniform() < 0.02 ? 3 : (r.uniform() < p ? 1 : 0) + (r.uniform() < p ? 1 : 0);
      }
    }
    const bpv = (N + 3) >>> 2;
    const bed = new Uint8Array(3 + M * bpv);
    bed.set([0x6c, 0x1b, 0x01]);
    for (let v = 0; v < M; v++) packVariant(row(v), bed, 3 + v * bpv);
    writeFileSync(`${bedPrefix}.bed`, bed);
    writeFileSync(`${bedPrefix}.bim`, Array.from({ length: M }, (_, v) => `2\tb${v}\t0\t${5000 + v}\tG\tA\n`).join(''));
    writeFileSync(`${bedPrefix}.fam`, Array.from({ length: N }, (_, i) => `f${i % 7}\ti${i}\t0\t0\t${1 + (i % 2)}\t-9\n`).join(''));
  });

  const expected = (): Uint16Array => Uint16Array.from(codes, (c) => (c === 3 ? DOSAGE_MISSING : c * DOSAGE_SCALE));

  it('decodes plink2 --bfile --make-pgen to the .bed calls', async () => {
    plink2(['--bfile', bedPrefix, '--make-pgen', '--out', at('hcp')]);
    const index = await pgenIndex(at('hcp.pgen'), N);
    const main = new Set(Array.from(index.types, (t) => t & 7));
    for (const t of [2, 3, 4, 6]) expect(main, `main track type ${t}`).toContain(t);
    const d = await readAll(at('hcp'), 64);
    expect(d.ids).toEqual(Array.from({ length: M }, (_, v) => `b${v}`));
    expect(d.samples.hasFid).toBe(true);
    expect(d.samples.fid.slice(0, 3)).toEqual(['f0', 'f1', 'f2']);
    expectSameDosages(d.dosage, expected(), d.ids, N);
    await expectOracle(at('hcp'), d);
  });

  it('reads a .bed as storage mode 0x01 with a .bim-form .pvar and a .fam-form .psam', async () => {
    copyFileSync(`${bedPrefix}.bed`, at('m1.pgen'));
    copyFileSync(`${bedPrefix}.bim`, at('m1.pvar'));
    copyFileSync(`${bedPrefix}.fam`, at('m1.psam'));
    const d = await readAll(at('m1'));
    expect(d.samples.hasFid).toBe(true);
    expect(d.samples.iid[5]).toBe('i5');
    expect([d.alts[0], d.refs[0]]).toEqual(['G', 'A']);
    expectSameDosages(d.dosage, expected(), d.ids, N);
  });

  it('reads fixed-width storage modes 0x02 and 0x03 (dosages), as plink2 does', async () => {
    const bpv = (N + 3) >>> 2;
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    header.set([0x6c, 0x1b, 0x02]);
    view.setUint32(3, M, true);
    view.setUint32(7, N, true);
    const body = new Uint8Array(M * bpv);
    const toPlink2 = [0, 1, 2, 3]; // dosage code → PLINK 2 category (0 hom-REF … 3 missing)
    for (let v = 0; v < M; v++) for (let i = 0; i < N; i++) body[v * bpv + (i >>> 2)]! |= toPlink2[codes[v * N + i]!]! << ((i & 3) * 2);
    writeFileSync(at('m2.pgen'), Buffer.concat([header, body]));
    copyFileSync(`${bedPrefix}.bim`, at('m2.pvar'));
    copyFileSync(`${bedPrefix}.fam`, at('m2.psam'));
    const d = await readAll(at('m2'));
    expectSameDosages(d.dosage, expected(), d.ids, N);
    await expectOracle(at('m2'), d);

    // Mode 0x03: each record also has a dosage per sample, 0xffff where the hard call stands.
    header[2] = 0x03;
    const width = bpv + 2 * N;
    const dense = new Uint8Array(M * width);
    const want = expected();
    const r = Rng.stream(3);
    for (let v = 0; v < M; v++) {
      dense.set(body.subarray(v * bpv, (v + 1) * bpv), v * width);
      for (let i = 0; i < N; i++) {
        const c = codes[v * N + i]!;
        const value = c !== 3 && i % 3 !== 0 ? Math.max(0, Math.min(2 * DOSAGE_SCALE, c * DOSAGE_SCALE + r.below(8001) - 4000)) : 0xffff;
        if (value !== 0xffff) want[v * N + i] = value;
        dense[v * width + bpv + 2 * i] = value & 0xff;
        dense[v * width + bpv + 2 * i + 1] = value >>> 8;
      }
    }
    writeFileSync(at('m3.pgen'), Buffer.concat([header, dense]));
    copyFileSync(`${bedPrefix}.bim`, at('m3.pvar'));
    copyFileSync(`${bedPrefix}.fam`, at('m3.psam'));
    const d3 = await readAll(at('m3'));
    expectSameDosages(d3.dosage, want, d3.ids, N);
    await expectOracle(at('m3'), d3);
  });
});

describe('structural errors', () => {
  const N = 200;
  const base = at('err');

  beforeAll(() => {
    const r = Rng.stream(11);
    const records: VcfRecord[] = Array.from({ length: 40 }, (_, v) => ({
      id: `e${v}`,
      ref: 'A',
      alt: 'C',
      format: 'GT:DS',
      calls: Array.from(hwe(r, N, 0.3), (c) => `${c < 0 ? './.' : GT[c]}:${v % 2 ? (r.uniform() * 2).toFixed(3) : c}`),
    }));
    writeVcf(at('err.vcf'), samplesOf(N, 'e'), records);
    plink2(['--vcf', at('err.vcf'), 'dosage=DS', '--make-pgen', '--out', base]);
  });

  /** A copy of the fileset under `name` with the .pgen bytes changed by `edit`. */
  function variant(name: string, edit: (pgen: Buffer) => Buffer): string {
    const p = at(name);
    writeFileSync(`${p}.pgen`, edit(readFileSync(`${base}.pgen`)));
    copyFileSync(`${base}.pvar`, `${p}.pvar`);
    copyFileSync(`${base}.psam`, `${p}.psam`);
    return p;
  }

  async function refusal(prefix: string): Promise<BadInputError> {
    try {
      await readAll(prefix);
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      return e as BadInputError;
    }
    return expect.fail(`${prefix} was read without an error`);
  }

  it('reads the unchanged fileset', async () => {
    const d = await readAll(base);
    expect(d.ids).toHaveLength(40);
  });

  it('refuses a truncated .pgen, naming the file and the variant', async () => {
    const p = variant('trunc', (b) => b);
    truncateSync(`${p}.pgen`, statSync(`${p}.pgen`).size - 50);
    const e = await refusal(p);
    expect(e.message).toContain(`${p}.pgen`);
    expect(e.message).toMatch(/truncated: variant #39 .*runs past the end/);
  });

  it('refuses wrong magic bytes and an unsupported storage mode', async () => {
    const magic = await refusal(variant('magic', (b) => Buffer.concat([Buffer.from([0x6c, 0x1c]), b.subarray(2)])));
    expect(magic.message).toContain(`${at('magic')}.pgen`);
    expect(magic.message).toMatch(/magic bytes .* 0x6c 0x1c/);
    const mode = await refusal(variant('mode', (b) => Buffer.concat([b.subarray(0, 2), Buffer.from([0x05]), b.subarray(3)])));
    expect(mode.message).toMatch(/unsupported storage mode 0x05/);
  });

  it('refuses a .pvar with one variant fewer, or a .psam with one sample more, than the .pgen header', async () => {
    const p = variant('short', (b) => b);
    writeFileSync(`${p}.pvar`, readFileSync(`${base}.pvar`, 'utf8').trimEnd().split('\n').slice(0, -1).join('\n') + '\n');
    const e = await refusal(p);
    expect(e.file).toBe(`${p}.pvar`);
    expect(e.message).toContain(`${p}.pvar: lists 39 variants, but the header of ${p}.pgen says 40`);
    const q = variant('extra', (b) => b);
    writeFileSync(`${q}.psam`, `${readFileSync(`${base}.psam`, 'utf8')}extra NA\n`);
    expect((await refusal(q)).message).toContain(`${q}.psam: lists 201 samples, but the header of ${q}.pgen says 200`);
  });

  it('refuses unknown record type bits and a record that runs past its length', async () => {
    // One variant block: types (1 byte each here, dosages being present) start at byte 20.
    const ctrl = readFileSync(`${base}.pgen`)[11]!;
    expect(ctrl & 15).toBeGreaterThanOrEqual(4);
    const bad = await refusal(variant('type', (b) => Buffer.concat([b.subarray(0, 20), Buffer.from([0x80]), b.subarray(21)])));
    expect(bad.message).toMatch(/variant #0 .*unknown record type 0x80/);
    const ld = await refusal(variant('ld0', (b) => Buffer.concat([b.subarray(0, 20), Buffer.from([0x02]), b.subarray(21)])));
    expect(ld.message).toMatch(/variant #0 .*LD-compressed/);
    // Move a byte of record 0's length to record 1: record 0 now ends early.
    const lenBytes = 1 + (ctrl & 3);
    const lens = 20 + 40;
    const shifted = variant('len', (b) => {
      const c = Buffer.from(b);
      const read = (v: number): number => c.readUIntLE(lens + v * lenBytes, lenBytes);
      const [l0, l1] = [read(0), read(1)];
      c.writeUIntLE(l0 - 1, lens, lenBytes);
      c.writeUIntLE(l1 + 1, lens + lenBytes, lenBytes);
      return c;
    });
    const e = await refusal(shifted);
    expect(e.message).toContain(`${shifted}.pgen`);
    expect(e.message).toMatch(/variant #0 \(0-based\) at byte \d+: .*(past the end of the \d+-byte record|decodes from)/);
  });
});
