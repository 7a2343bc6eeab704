// Deterministic VCFs for the VCF/BCF reader tests, written as .vcf, gzip .vcf.gz, BGZF and BCF 2.2
// (a small writer of our own, so the BCFs carry the same edge cases as the VCFs: haploid calls,
// missing values, absent fields). Dosage texts are chosen to stress plink2's number scanner and
// rounding: 3 to 17+ significant digits, exact half units k/32768 (the rounding boundary),
// trailing zeros, exponents, '.5'.
import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { Rng } from '../../core/numeric/random/rng.js';

export interface VcfRecord {
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  /** Comma-separated for a multi-allelic record. */
  alt: string;
  format: string;
  /** One field per sample, ':'-separated subfields (trailing ones may be dropped). */
  samples: string[];
}

export interface VcfFile {
  samples: string[];
  /** Declared FORMAT fields, in header order. */
  formats: string[];
  records: VcfRecord[];
}

export type SimKind = 'DS' | 'GP' | 'HDS' | 'GT';

const FORMAT_LINES: Record<string, string> = {
  GT: '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  DS: '##FORMAT=<ID=DS,Number=A,Type=Float,Description="ALT dosage">',
  GP: '##FORMAT=<ID=GP,Number=G,Type=Float,Description="Genotype probabilities">',
  HDS: '##FORMAT=<ID=HDS,Number=2,Type=Float,Description="Haplotype dosages">',
  GQ: '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
};
const FLOAT_FIELDS = new Set(['DS', 'GP', 'HDS']);

const contigsOf = (f: VcfFile): string[] => [...new Set(f.records.map((r) => r.chrom))];

export function vcfHeaderLines(f: VcfFile): string[] {
  return [
    '##fileformat=VCFv4.3',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    ...contigsOf(f).map((c) => `##contig=<ID=${c}>`),
    ...f.formats.map((k) => FORMAT_LINES[k]!),
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...f.samples].join('\t'),
  ];
}

export function vcfText(f: VcfFile): string {
  const body = f.records.map((r) => [r.chrom, r.pos, r.id, r.ref, r.alt, '.', 'PASS', '.', r.format, ...r.samples].join('\t'));
  return `${[...vcfHeaderLines(f), ...body].join('\n')}\n`;
}

export const writeVcf = (path: string, f: VcfFile): void => writeFileSync(path, vcfText(f));
/** Single-member gzip (node zlib), as `gzip file.vcf` writes it. */
export const writeVcfGz = (path: string, f: VcfFile): void => writeFileSync(path, gzipSync(vcfText(f)));
/** BGZF (bgzip): many gzip members and the EOF block. */
export const writeVcfBgzf = (path: string, f: VcfFile): void => writeFileSync(path, bgzf(Buffer.from(vcfText(f))));

// ---------------------------------------------------------------------------------------------
// BGZF and BCF

const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/** BGZF blocks of `blockBytes` input bytes each, then the EOF marker. */
export function bgzf(data: Buffer, blockBytes = 0xff00): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += blockBytes) {
    const piece = data.subarray(at, at + blockBytes);
    const deflated = deflateRawSync(piece);
    const head = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
    head.writeUInt16LE(18 + deflated.length + 8 - 1, 16);
    const tail = Buffer.alloc(8);
    tail.writeUInt32LE(crc32(piece), 0);
    tail.writeUInt32LE(piece.length, 4);
    parts.push(head, deflated, tail);
  }
  parts.push(BGZF_EOF);
  return Buffer.concat(parts);
}

/** Growable little-endian byte sink. */
class Bytes {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }
  i8(v: number): void {
    this.u8(v < 0 ? v + 256 : v);
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  f32(v: number): void {
    this.room(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

const MISSING_F32 = 0x7f800001;
const EOV_F32 = 0x7f800002;
const EOV_I8 = -127;
const EOV_I32 = -2147483647;
const MISSING_I32 = -2147483648;

function typedInt(out: Bytes, v: number): void {
  if (v >= -120 && v < 128) {
    out.u8(0x11);
    out.i8(v);
  } else {
    out.u8(0x13);
    out.i32(v);
  }
}

function descriptor(out: Bytes, count: number, type: number): void {
  if (count < 15) out.u8((count << 4) | type);
  else {
    out.u8(0xf0 | type);
    typedInt(out, count);
  }
}

function typedString(out: Bytes, s: string): void {
  const b = Buffer.from(s === '.' ? '' : s);
  descriptor(out, b.length, 7);
  out.bytes(b);
}

/** GT text → BCF allele codes ((allele + 1) << 1 | phased). */
function gtCodes(gt: string): number[] {
  const codes: number[] = [];
  let phased = false;
  for (const part of gt.split(/([/|])/)) {
    if (part === '/' || part === '|') {
      phased = part === '|';
      continue;
    }
    codes.push(((part === '.' ? 0 : Number(part) + 1) << 1) | (codes.length > 0 && phased ? 1 : 0));
  }
  return codes;
}

function formatVector(out: Bytes, key: string, values: string[]): void {
  if (key === 'GT') {
    const codes = values.map(gtCodes);
    const width = Math.max(...codes.map((c) => c.length));
    descriptor(out, width, 1);
    for (const c of codes) for (let i = 0; i < width; i++) out.i8(i < c.length ? c[i]! : EOV_I8);
    return;
  }
  const lists = values.map((v) => (v === '' || v === '.' ? null : v.split(',')));
  const width = Math.max(1, ...lists.map((l) => l?.length ?? 1));
  const float = FLOAT_FIELDS.has(key);
  descriptor(out, width, float ? 5 : 3);
  for (const l of lists) {
    for (let i = 0; i < width; i++) {
      if (float) {
        if (l === null) out.u32(i === 0 ? MISSING_F32 : EOV_F32);
        else if (i >= l.length) out.u32(EOV_F32);
        else out.f32(Number(l[i]));
      } else if (l === null) out.i32(i === 0 ? MISSING_I32 : EOV_I32);
      else out.i32(i < l.length ? Number(l[i]) : EOV_I32);
    }
  }
}

/** The uncompressed BCF 2.2 bytes of `f` (header dictionary: PASS, then the FORMAT IDs). */
export function bcfBytes(f: VcfFile): Buffer {
  const out = new Bytes();
  const text = Buffer.from(`${vcfHeaderLines(f).join('\n')}\n\0`);
  out.bytes(Buffer.from('BCF\x02\x02', 'latin1'));
  out.u32(text.length);
  out.bytes(text);
  const contigs = contigsOf(f);
  const dict = ['PASS', ...f.formats];
  for (const r of f.records) {
    const shared = new Bytes();
    const alleles = [r.ref, ...r.alt.split(',')];
    const keys = r.format.split(':');
    shared.i32(contigs.indexOf(r.chrom));
    shared.i32(r.pos - 1);
    shared.i32(r.ref.length);
    shared.u32(MISSING_F32);
    shared.u32(alleles.length << 16);
    shared.u32(((keys.length << 24) | f.samples.length) >>> 0);
    typedString(shared, r.id);
    for (const a of alleles) typedString(shared, a);
    typedInt(shared, 0); // FILTER: PASS
    const indiv = new Bytes();
    const split = r.samples.map((s) => s.split(':'));
    for (const [k, key] of keys.entries()) {
      typedInt(indiv, dict.indexOf(key));
      formatVector(indiv, key, split.map((s) => s[k] ?? ''));
    }
    const s = shared.done();
    const g = indiv.done();
    out.u32(s.length);
    out.u32(g.length);
    out.bytes(s);
    out.bytes(g);
  }
  return out.done();
}

export const writeBcf = (path: string, f: VcfFile, blockBytes?: number): void => writeFileSync(path, bgzf(bcfBytes(f), blockBytes));

// ---------------------------------------------------------------------------------------------
// Simulated files

/** A dosage text plink2 must read to the last bit: many spellings of numbers in [0, max]. */
function numberText(rng: Rng, max: number): string {
  const x = rng.uniform() * max;
  switch (rng.below(12)) {
    case 0:
      return x.toFixed(3);
    case 1:
      return x.toFixed(6);
    case 2:
      return x.toFixed(8);
    case 3:
      return x.toPrecision(17);
    case 4:
      return x.toFixed(20).slice(0, 24); // more than 17 significant digits
    case 5: {
      // an exact half unit: plink2's rounding direction depends on its scanner's last bit
      const half = (2 * rng.below(Math.floor(max * 16384)) + 1) / 32768;
      return half.toFixed(15);
    }
    case 6: {
      const half = (2 * rng.below(Math.floor(max * 16384)) + 1) / 32768;
      return `${half.toFixed(15)}000`;
    }
    case 7:
      return x.toExponential(5);
    case 8: {
      const t = x.toFixed(5);
      return t.startsWith('0.') ? t.slice(1) : t; // '.12345'
    }
    case 9:
      return String(rng.below(Math.floor(max) + 1)); // a whole number
    case 10:
      return (x / 1000).toFixed(9); // tiny
    default:
      return x.toFixed(4);
  }
}

const BASES = ['A', 'C', 'G', 'T'];

function gtFromDosage(rng: Rng, d: number, haploid: boolean): string {
  const g = Math.min(2, Math.max(0, Math.round(d)));
  if (haploid) return g >= 1 ? '1' : '0';
  const sep = rng.uniform() < 0.5 ? '|' : '/';
  return g === 0 ? `0${sep}0` : g === 2 ? `1${sep}1` : rng.uniform() < 0.5 ? `0${sep}1` : `1${sep}0`;
}

/** One sample of a `kind` file: GT (maybe haploid or missing) and the dosage field(s). */
function sampleField(rng: Rng, kind: SimKind, format: string): string {
  const haploid = rng.uniform() < 0.06;
  const u = rng.uniform();
  const missingGt = u < 0.04;
  const gtText = (d: number): string => (missingGt ? (haploid ? '.' : rng.uniform() < 0.5 ? './.' : '.|.') : gtFromDosage(rng, d, haploid));
  if (kind === 'GT') {
    if (rng.uniform() < 0.02) return rng.uniform() < 0.5 ? '0/1/1' : '0/1/.'; // triploid, plink2 quirk
    const gt = gtText(rng.uniform() * 2);
    return format === 'GT:GQ' ? `${gt}:${rng.below(99)}` : gt;
  }
  if (kind === 'DS') {
    const dsText = numberText(rng, haploid ? 1 : 2);
    const ds = rng.uniform() < 0.05 ? '.' : dsText;
    const gt = gtText(Number(dsText) * (haploid ? 2 : 1));
    if (format === 'DS') return ds;
    if (format === 'GT') return gt;
    return rng.uniform() < 0.03 ? gt : `${gt}:${ds}`; // DS dropped from the end
  }
  if (kind === 'GP') {
    const n = haploid ? 2 : 3;
    const raw = Array.from({ length: n }, () => rng.uniform() ** 2);
    const normalise = rng.uniform() < 0.6;
    const sum = raw.reduce((a, b) => a + b, 0);
    let probs = raw.map((p) => (normalise ? p / sum : p * 0.9));
    if (rng.uniform() < 0.04) probs = probs.map(() => 0); // all zero: missing
    if (rng.uniform() < 0.05) probs = probs.map((_, i) => (i === rng.below(n) ? 1 : 0));
    const digits = [2, 3, 6, 9][rng.below(4)]!;
    const gp = rng.uniform() < 0.05 ? '.' : probs.map((p) => (rng.uniform() < 0.2 ? numberText(rng, 1) : p.toFixed(digits))).join(',');
    const d = haploid ? 2 * probs[1]! : probs[1]! + 2 * probs[2]!;
    return `${gtText(d)}:${gp}`;
  }
  // HDS: GT:DS:HDS
  const h1 = Number(numberText(rng, 1));
  const h2 = haploid ? 0 : Number(numberText(rng, 1));
  const hds = haploid ? numberText(rng, 1) : `${numberText(rng, 1)},${numberText(rng, 1)}`;
  const ds = (haploid ? h1 : h1 + h2).toFixed(5);
  const v = rng.uniform();
  const gt = gtText(haploid ? 2 * h1 : h1 + h2);
  if (v < 0.06) return `${gt}:${ds}:.`; // HDS missing: DS
  if (v < 0.1) return `${gt}:.:.`; // both missing: GT
  if (v < 0.13) return `${gt}:${ds}`; // HDS absent
  return `${gt}:${ds}:${hds}`;
}

/** Sample names include '_' and '-', which plink2 keeps whole as the IID by default. */
export function simSampleNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i % 17 === 3 ? `fam${i}_ind${i}` : i % 23 === 5 ? `s-${i}` : `S${i}`));
}

/**
 * A `kind` file of `nSamples` × `nVariants` (one more, multi-allelic, record is added):
 * DS: GT:DS with some GT-only and DS-only records; GP: GT:GP; HDS: GT:DS:HDS; GT: GT (some GT:GQ).
 */
export function simulateVcf(kind: SimKind, nSamples: number, nVariants: number, seed: number): VcfFile {
  const rng = Rng.stream(seed, ['DS', 'GP', 'HDS', 'GT'].indexOf(kind));
  const formats = kind === 'DS' ? ['GT', 'DS'] : kind === 'GP' ? ['GT', 'GP'] : kind === 'HDS' ? ['GT', 'DS', 'HDS'] : ['GT', 'GQ'];
  const main = kind === 'DS' ? 'GT:DS' : kind === 'GP' ? 'GT:GP' : kind === 'HDS' ? 'GT:DS:HDS' : 'GT';
  const records: VcfRecord[] = [];
  const samples = simSampleNames(nSamples);
  let pos = 1000;
  for (let v = 0; v < nVariants; v++) {
    const chrom = String(1 + Math.floor((3 * v) / nVariants));
    pos = v > 0 && chrom !== records[records.length - 1]!.chrom ? 1000 : pos + 1 + rng.below(5000);
    const ri = rng.below(4);
    const ref = BASES[ri]!;
    const alt = BASES[(ri + 1 + rng.below(3)) % 4]!;
    let format = main;
    const f = rng.uniform();
    if (kind === 'DS' && f < 0.08) format = 'GT';
    else if (kind === 'DS' && f < 0.14) format = 'DS';
    else if (kind === 'GT' && f < 0.2) format = 'GT:GQ';
    const id = rng.uniform() < 0.3 ? '.' : `rs${100000 + v}`;
    records.push({ chrom, pos, id, ref, alt, format, samples: Array.from({ length: nSamples }, () => sampleField(rng, kind, format)) });
    if (v === Math.floor(nVariants / 2)) {
      const gts = ['0/0', '0/1', '1/2', '2/2', './.'];
      const others = BASES.filter((b) => b !== ref && b !== alt);
      records.push({
        chrom,
        pos: pos + 1,
        id: 'multi1',
        ref,
        alt: `${alt},${others[0]}`,
        format: 'GT',
        samples: Array.from({ length: nSamples }, () => gts[rng.below(gts.length)]!),
      });
      pos += 1;
    }
  }
  return { samples, formats, records };
}
