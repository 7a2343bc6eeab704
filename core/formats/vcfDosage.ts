// What the VCF and BCF readers share: PLINK 2's reading of a dosage (its own decimal scanner and
// its rounding to 1/16384), which FORMAT field a sample's dosage comes from, the header model,
// and the chunk builder. The rules are those of plink2 v2.00a3.5's --vcf/--bcf import, checked
// value for value against `plink2 --score` (test/unit/formats/vcf.test.ts):
//   - HDS (dosage=HDS): two haplotype dosages summed; one value = a haploid call (× 2);
//     a missing HDS falls back to DS (when the header declares DS), then to GT.
//   - DS: the value; × 2 when the sample's GT is haploid (one allele, e.g. "1" or ".").
//   - GP: (P(het) + 2 P(hom ALT)) / (sum of the probabilities); two values when GT is haploid;
//     all zero = missing, without a fall back to GT.
//   - a `.` (or absent) dosage falls back to the sample's GT; GT "1" (haploid) counts 2.
//   - rounding is (int)(x · 16384 + 0.5) in doubles; --hard-call-threshold and the default
//     --dosage-erase-threshold never change the dosage --score sees.
import { BadInputError } from '../errors.js';
import { DOSAGE_MISSING, type DosageChunk, type SkippedRecords } from '../genotypes/dosageSource.js';
import type { BimTable } from './types.js';
import type { DosageField } from '../../contracts/ingest.js';

export type { DosageField };
/** Where dosages come from: a FORMAT dosage field, or GT alone (hard calls). */
export type DosageMode = DosageField | 'GT';

// ---------------------------------------------------------------------------------------------
// Numbers as plink2 reads them

const POS10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const POS10_16 = [1, 1e16, 1e32, 1e48, 1e64, 1e80, 1e96, 1e112, 1e128, 1e144, 1e160, 1e176, 1e192, 1e208, 1e224, 1e240];
const NEG10 = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15];
const NEG10_16 = [1, 1e-16, 1e-32, 1e-48, 1e-64, 1e-80, 1e-96, 1e-112];

/** Where the last `scanDecimal` stopped (index of the first byte after the number). */
export let scanEnd = 0;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

// Significant digits of the number being scanned: the first 15 in `hi` (exact in a double), up
// to two more in `lo`. Module state rather than closures: this is the innermost loop.
let hi = 0;
let lo = 0;
let loDigits = 0;
let sig = 0;

function pushDigit(d: number): void {
  if (sig === 0 && d === 0) return; // leading zeros add nothing to the value
  if (sig < 15) hi = hi * 10 + d;
  else {
    lo = lo * 10 + d;
    loDigits++;
  }
  sig++;
}

/**
 * A decimal number starting at b[i] (bytes from `end` on read as a terminator), read the way
 * plink2's ScanadvDouble reads it: up to 17 significant digits as an integer, converted to a
 * double and multiplied by tabulated (inexact) powers of ten. That is not correctly rounded
 * (`Number()` can differ in the last bit), and a last bit decides the rounding of a value on a
 * half unit such as 0.000030517578125 = 1/32768, so the dosages match plink2 only if the scan
 * does too. NaN when there is no number; `scanEnd` is set either way.
 */
export function scanDecimal(b: Uint8Array, i: number, end: number): number {
  // Fast path: up to 15 significant digits, whose integer is exact in a double.
  const from = i;
  let c = i < end ? b[i]! : 0;
  const neg = c === 45;
  if (neg || c === 43) c = ++i < end ? b[i]! : 0;
  let v = 0;
  let digits = 0;
  let any = false;
  let frac = -1;
  for (;;) {
    if (c >= 48 && c <= 57) {
      any = true;
      if (v !== 0 || c !== 48) {
        if (++digits > 15) return scanLong(b, from, end);
        v = v * 10 + (c - 48);
      }
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) {
      frac = 0;
    } else break;
    c = ++i < end ? b[i]! : 0;
  }
  if (!any) {
    scanEnd = i - (frac === 0 ? 1 : 0);
    return NaN;
  }
  if ((c | 0x20) === 101) return scanLong(b, from, end);
  scanEnd = i;
  if (v === 0) return 0;
  return scale(neg ? -v : v, frac > 0 ? -frac : 0);
}

/** The general case (more digits, or an exponent), step by step as plink2 scans. */
function scanLong(b: Uint8Array, i: number, end: number): number {
  let c = i < end ? b[i]! : 0;
  const negative = c === 45;
  if (negative || c === 43) c = ++i < end ? b[i]! : 0;
  hi = 0;
  lo = 0;
  loDigits = 0;
  sig = 0;
  let e10 = 0;
  let dot = -1;
  if (isDigit(c)) {
    pushDigit(c - 48);
    for (;;) {
      c = ++i < end ? b[i]! : 0;
      if (!isDigit(c)) break;
      pushDigit(c - 48);
      if (sig >= 17) {
        // 17 significant digits kept: count the other integer digits, skip the fraction.
        const last = i;
        do c = ++i < end ? b[i]! : 0;
        while (isDigit(c));
        e10 = i - last - 1;
        if (c === 46) {
          do c = ++i < end ? b[i]! : 0;
          while (isDigit(c));
        }
        break;
      }
    }
    if (c === 46 && sig < 17) dot = i;
  } else if (c === 46 && i + 1 < end && isDigit(b[i + 1]!)) {
    dot = i;
  } else {
    scanEnd = i;
    return NaN;
  }
  if (dot >= 0) {
    for (;;) {
      c = ++i < end ? b[i]! : 0;
      if (!isDigit(c)) {
        e10 = 1 - (i - dot);
        break;
      }
      pushDigit(c - 48);
      if (sig >= 17) {
        e10 = -(i - dot);
        do c = ++i < end ? b[i]! : 0;
        while (isDigit(c));
        break;
      }
    }
  }
  if ((c | 0x20) === 101) {
    c = ++i < end ? b[i]! : 0;
    const expNegative = c === 45;
    if (expNegative || c === 43) c = ++i < end ? b[i]! : 0;
    let exp = 0;
    while (isDigit(c)) {
      if (exp >= 214748364) {
        do c = ++i < end ? b[i]! : 0;
        while (isDigit(c));
        scanEnd = i;
        return expNegative ? 0 : NaN;
      }
      exp = exp * 10 + (c - 48);
      c = ++i < end ? b[i]! : 0;
    }
    e10 += expNegative ? -exp : exp;
  }
  scanEnd = i;
  if (sig === 0) return 0;
  // An int64 → double conversion rounds to nearest even, as Number(BigInt) does; below 2^53
  // (15 digits) the double is exact already.
  const v = loDigits === 0 ? hi : Number(BigInt(hi) * BigInt(10 ** loDigits) + BigInt(lo));
  return scale(negative ? -v : v, e10);
}

/** digits × 10^e10 as plink2 computes it: by tabulated powers of ten. */
function scale(v: number, e10: number): number {
  if (e10 < 0) {
    let p = -e10;
    v *= NEG10[p & 15]!;
    p >>>= 4;
    if (p) {
      v *= NEG10_16[p & 7]!;
      if (p > 7) v = p > 23 ? 0 : v * (p > 15 ? 1e-256 : 1e-128);
    }
  } else if (e10 > 0) {
    let p = e10;
    v *= POS10[p & 15]!;
    p >>>= 4;
    if (p) {
      v *= POS10_16[p & 15]!;
      if (p > 15) {
        if (p > 31 || Math.abs(v) > 1.7976931348623154e52) return NaN;
        v *= 1e256;
      }
    }
  }
  return v;
}

/** plink2's rounding, (int)(x · 16384 + 0.5): the + 0.5 rounds in doubles first, unlike Math.round. */
export const toUnits = (alleles: number): number => Math.floor(alleles * 16384 + 0.5);

/** Out-of-range result of the dosage helpers below (plink2 refuses the file). */
export const OUT_OF_RANGE = -1;

/** A DS value in 1/16384 units: doubled for a haploid GT; [0, 2] after that. */
export function dsUnits(v: number, haploid: boolean): number {
  if (!(v >= 0)) return OUT_OF_RANGE;
  const x = haploid ? v * 2 : v;
  return x > 2 ? OUT_OF_RANGE : toUnits(x);
}

/** Probabilities each in [0, 1]; normalised by their sum; all zero = missing. `p2` NaN = haploid. */
export function gpUnits(p0: number, p1: number, p2: number, haploid: boolean): number {
  if (!(p0 >= 0 && p0 <= 1 && p1 >= 0 && p1 <= 1)) return OUT_OF_RANGE;
  if (haploid) {
    const denom = p0 + p1;
    return denom <= 0 ? DOSAGE_MISSING : toUnits((2 * p1) / denom);
  }
  if (!(p2 >= 0 && p2 <= 1)) return OUT_OF_RANGE;
  const denom = p0 + p1 + p2;
  return denom <= 0 ? DOSAGE_MISSING : toUnits((p1 + 2 * p2) / denom);
}

/** Haplotype dosages each in [0, 1], summed; `d2` undefined (one value) = haploid, counted twice. */
export function hdsUnits(d1: number, d2: number | undefined): number {
  if (!(d1 >= 0 && d1 <= 1)) return OUT_OF_RANGE;
  if (d2 === undefined) return toUnits(d1 * 2);
  if (!(d2 >= 0 && d2 <= 1)) return OUT_OF_RANGE;
  return toUnits(d1 + d2);
}

/** Hard calls in units: 0, 1 or 2 copies of ALT (index = ALT count), or missing (index 3). */
export const GT_UNITS = Uint16Array.of(0, 16384, 32768, DOSAGE_MISSING);

// ---------------------------------------------------------------------------------------------
// Header

export interface VcfHeader {
  /** FORMAT IDs declared by ##FORMAT lines. */
  formats: Set<string>;
  /** BCF dictionary of strings: PASS, then FILTER/INFO/FORMAT IDs in order (or by IDX). */
  dictionary: string[];
  /** BCF dictionary of contigs (##contig IDs in order, or by IDX). */
  contigs: string[];
  samples: string[];
  /** 1-based line of #CHROM in the header text. */
  chromLine: number;
}

const FIXED = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'];

/** ID=, IDX= of a structured header line `##KEY=<ID=x,Number=…,Description="…">`. */
function structuredIds(value: string): { id?: string; idx?: number } {
  const out: { id?: string; idx?: number } = {};
  const body = value.slice(1, value.lastIndexOf('>') > 0 ? value.lastIndexOf('>') : value.length);
  let inQuote = false;
  let from = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === '"' && body[i - 1] !== '\\') inQuote = !inQuote;
    if ((c === ',' && !inQuote) || i === body.length) {
      const eq = body.indexOf('=', from);
      if (eq > from && eq < i) {
        const key = body.slice(from, eq);
        if (key === 'ID') out.id = body.slice(eq + 1, i);
        else if (key === 'IDX') out.idx = Number(body.slice(eq + 1, i));
      }
      from = i + 1;
    }
  }
  return out;
}

/** Header lines in order; `add` returns true once the #CHROM line is read. */
export class HeaderBuilder {
  private readonly formats = new Set<string>();
  private readonly dictionary: string[] = ['PASS'];
  private readonly dictIndex = new Map<string, number>([['PASS', 0]]);
  private readonly contigs: string[] = [];
  private header: VcfHeader | null = null;

  constructor(
    private readonly file: string,
    /** BCF: header errors say "header line N" (the file has no lines). */
    private readonly lineError: (detail: string, line: number, column?: number) => BadInputError = (d, l, c) =>
      new BadInputError(file, d, l, c),
  ) {}

  add(text: string, line: number): boolean {
    if (text.startsWith('##')) {
      this.meta(text, line);
      return false;
    }
    if (!text.startsWith('#CHROM')) {
      throw this.lineError(
        text.startsWith('#') ? `unexpected header line '${text.slice(0, 40)}' (expected ## lines, then #CHROM)` : 'no #CHROM header line before the first data line',
        line,
      );
    }
    this.header = { formats: this.formats, dictionary: this.dictionary, contigs: this.contigs, samples: this.chromSamples(text, line), chromLine: line };
    return true;
  }

  result(): VcfHeader | null {
    return this.header;
  }

  private meta(text: string, line: number): void {
    const eq = text.indexOf('=');
    const key = text.slice(2, eq);
    const value = text.slice(eq + 1);
    if (eq < 0 || !value.startsWith('<')) return;
    if (key !== 'FORMAT' && key !== 'INFO' && key !== 'FILTER' && key !== 'contig') return;
    const { id, idx } = structuredIds(value);
    if (id === undefined || id === '') throw this.lineError(`##${key} line without an ID`, line);
    if (key === 'contig') {
      if (idx !== undefined && Number.isInteger(idx) && idx >= 0) this.contigs[idx] = id;
      else this.contigs.push(id);
      return;
    }
    if (key === 'FORMAT') this.formats.add(id);
    if (idx !== undefined && Number.isInteger(idx) && idx >= 0) {
      this.dictionary[idx] = id;
      this.dictIndex.set(id, idx);
    } else if (!this.dictIndex.has(id)) {
      this.dictIndex.set(id, this.dictionary.length);
      this.dictionary.push(id);
    }
  }

  private chromSamples(text: string, line: number): string[] {
    const f = text.split('\t');
    for (let i = 0; i < FIXED.length; i++) {
      if (f[i] !== FIXED[i]) {
        const hint = f.length < 3 && text.includes(' ') ? ' (the #CHROM line must be tab-separated)' : '';
        throw this.lineError(`#CHROM line: column ${i + 1} is '${f[i] ?? ''}', expected '${FIXED[i]}'${hint}`, line, i + 1);
      }
    }
    if (f.length <= 9) {
      throw this.lineError('no samples: the #CHROM line has no sample columns after FORMAT (a sites-only VCF has no genotypes)', line);
    }
    if (f[8] !== 'FORMAT') throw this.lineError(`#CHROM line: column 9 is '${f[8]}', expected 'FORMAT'`, line, 9);
    const samples = f.slice(9);
    const seen = new Map<string, number>();
    for (const [j, s] of samples.entries()) {
      const col = j + 10;
      if (s === '') throw this.lineError(`empty sample ID in column ${col}`, line, col);
      // plink2 refuses these too (its IDs are whitespace-delimited downstream).
      if (s.includes(' ')) throw this.lineError(`sample ID '${s}' contains a space, which PLINK 2 cannot import either`, line, col);
      const first = seen.get(s);
      if (first !== undefined) throw this.lineError(`duplicate sample ID '${s}' (columns ${first} and ${col})`, line, col);
      seen.set(s, col);
    }
    return samples;
  }
}

/**
 * The mode a reader uses: the requested field, which the header must declare (plink2 only warns
 * and falls back to GT); by default DS when the header declares it, else GT.
 */
export function resolveMode(header: VcfHeader, requested: DosageField | undefined, error: (detail: string) => BadInputError): DosageMode {
  if (requested === undefined) return header.formats.has('DS') ? 'DS' : 'GT';
  if (!header.formats.has(requested)) {
    const declared = [...header.formats].join(', ') || 'none';
    throw error(`dosage field ${requested} requested, but the header has no ##FORMAT=<ID=${requested},…> line (FORMAT fields declared: ${declared})`);
  }
  return requested;
}

/** Per-record positions of the fields a mode reads (-1 = absent). */
export interface RecordFields {
  gt: boolean;
  /** DS or GP (in HDS mode: DS, when the header declares it). */
  dose: number;
  hds: number;
  keys: number;
}

/**
 * Which FORMAT keys a record's samples are read from. GT must come first (the VCF rule plink2
 * relies on). A record with neither GT nor the dosage field has only missing samples — unless
 * the header does not declare the field it would need, which is a structural error.
 */
export function recordFields(keys: readonly string[], mode: DosageMode, header: VcfHeader, error: (detail: string) => BadInputError): RecordFields {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw error(`FORMAT lists ${k} twice`);
    seen.add(k);
  }
  const gtAt = keys.indexOf('GT');
  if (gtAt > 0) throw error(`GT must be the first FORMAT key (FORMAT is ${keys.join(':')})`);
  const doseKey = mode === 'HDS' ? (header.formats.has('DS') ? 'DS' : '') : mode === 'GT' ? '' : mode;
  const f: RecordFields = {
    gt: gtAt === 0,
    dose: doseKey === '' ? -1 : keys.indexOf(doseKey),
    hds: mode === 'HDS' ? keys.indexOf('HDS') : -1,
    keys: keys.length,
  };
  if (!f.gt && f.dose < 0 && f.hds < 0) {
    const needed = mode === 'GT' ? 'GT' : mode;
    if (!header.formats.has(needed)) {
      throw error(`FORMAT ${keys.join(':')} has neither GT nor ${mode === 'GT' ? 'a dosage field' : mode}, and the header declares no FORMAT/${needed}`);
    }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Output

/** Skipped-record tallies by reason, with up to five examples each. */
export class SkipTally {
  private readonly byReason = new Map<string, SkippedRecords>();

  add(reason: string, example: string): void {
    let s = this.byReason.get(reason);
    if (!s) {
      s = { reason, count: 0, examples: [] };
      this.byReason.set(reason, s);
    }
    s.count++;
    if (s.examples.length < 5) s.examples.push(example);
  }

  list(): SkippedRecords[] {
    return [...this.byReason.values()];
  }
}

export const MULTIALLELIC = 'multi-allelic record (ALT lists more than one allele)';

/** Fills chunks of `capacity` variants: dosages are written in place at `rowOffset()`. */
export class ChunkBuilder {
  private dosage: Uint16Array;
  private chrom: string[] = [];
  private id: string[] = [];
  private a1: string[] = [];
  private a2: string[] = [];
  private pos: Int32Array;
  private n = 0;
  private first = 0;

  constructor(
    private readonly nSamples: number,
    private readonly capacity: number,
  ) {
    this.dosage = new Uint16Array(capacity * nSamples);
    this.pos = new Int32Array(capacity);
  }

  get full(): boolean {
    return this.n === this.capacity;
  }

  get size(): number {
    return this.n;
  }

  /** The dosage array of the chunk being filled, and where the next variant's row starts. */
  rows(): Uint16Array {
    return this.dosage;
  }

  rowOffset(): number {
    return this.n * this.nSamples;
  }

  /** Keeps the row just written. A `.` ID becomes chr:pos:ref:alt. */
  commit(chrom: string, id: string, pos: number, ref: string, alt: string): void {
    this.chrom.push(chrom);
    this.id.push(id === '.' ? `${chrom}:${pos}:${ref}:${alt}` : id);
    this.pos[this.n] = pos;
    this.a1.push(alt);
    this.a2.push(ref);
    this.n++;
  }

  /** The filled chunk (a fresh one is started: consumers may keep what they get). */
  take(): DosageChunk {
    const n = this.n;
    const variants: BimTable = {
      chrom: this.chrom,
      id: this.id,
      cm: new Float64Array(n),
      pos: this.pos.slice(0, n),
      a1: this.a1,
      a2: this.a2,
    };
    const chunk: DosageChunk = { firstVariant: this.first, variants, dosage: this.dosage.subarray(0, n * this.nSamples) };
    this.first += n;
    this.n = 0;
    this.chrom = [];
    this.id = [];
    this.a1 = [];
    this.a2 = [];
    this.dosage = new Uint16Array(this.capacity * this.nSamples);
    return chunk;
  }
}

/** The chunk size a caller asked for, as a positive integer. */
export function checkChunkVariants(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`chunkVariants must be a positive integer, got ${n}`);
  return n;
}
