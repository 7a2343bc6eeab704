// VCF (.vcf, .vcf.gz — gzip or BGZF) and BCF as a DosageSource: ALT dosages in PLINK 2's
// 1/16384 units, equal to what `plink2 --vcf/--bcf … dosage=<field>` holds for the same file
// (rules in vcfDosage.ts). Lines are parsed by hand over the decompressed bytes: a line holds
// 10,000+ samples, and decoding it to a string or splitting it would cost more than the parse.
// Samples come from the #CHROM line with IID = the column name as written and no FID, which is
// what plink2 does by default (since alpha 2: no --id-delim splitting on '_').
import { BadInputError } from '../errors.js';
import { DOSAGE_MISSING, type DosageChunk, type DosageReadSummary, type DosageSource } from '../genotypes/dosageSource.js';
import { openBcf } from './bcf.js';
import { inspectInput, readDecompressed, type InputInfo } from './bgzf.js';
import { requireRegularFile } from './text.js';
import {
  ChunkBuilder,
  checkChunkVariants,
  dsUnits,
  gpUnits,
  GT_UNITS,
  hdsUnits,
  HeaderBuilder,
  MULTIALLELIC,
  OUT_OF_RANGE,
  recordFields,
  resolveMode,
  scanDecimal,
  scanEnd,
  SkipTally,
  type DosageField,
  type DosageMode,
  type RecordFields,
  type VcfHeader,
} from './vcfDosage.js';

export type { DosageField } from './vcfDosage.js';

export interface VcfOptions {
  /** FORMAT field to read dosages from; default DS when the header declares it, else GT. */
  dosageField?: DosageField;
}

const isBcfMagic = (h: Buffer): boolean => h.length >= 3 && h[0] === 0x42 && h[1] === 0x43 && h[2] === 0x46;

/** Opens a VCF or BCF (by content; a .bcf name without BCF magic is an error) and reads its header. */
export async function openVcf(path: string, opts: VcfOptions = {}): Promise<DosageSource> {
  await requireRegularFile(path);
  const info = await inspectInput(path);
  if (isBcfMagic(info.head) || /\.bcf$/i.test(path)) return openBcf(path, info, opts);
  const header = await readHeader(path, info);
  const mode = resolveMode(header, opts.dosageField, (d) => new BadInputError(path, d, header.chromLine));
  return {
    format: 'vcf',
    files: [path],
    samples: { fid: header.samples.map(() => '0'), iid: header.samples, hasFid: false, source: `${path} (#CHROM line)` },
    read: (chunkVariants, onChunk) => new VcfReader(path, info, header, mode, checkChunkVariants(chunkVariants)).run(onChunk),
  };
}

// ---------------------------------------------------------------------------------------------
// Lines

/** A line handler returns nothing to go on, a promise to wait for (a chunk handed on), or 'stop'. */
type LineResult = void | 'stop' | Promise<void>;
type LineHandler = (b: Buffer, start: number, end: number, line: number) => LineResult;

const MAX_LINE_BYTES = 1 << 30;

/**
 * Streams the lines of `path` ('\n' or '\r\n') as byte ranges of one buffer, which lines are
 * moved to the front of and which grows to the longest line. Blank lines only at the end.
 */
async function streamLines(path: string, info: InputInfo, onLine: LineHandler): Promise<void> {
  let buf = Buffer.allocUnsafe(4 << 20);
  let len = 0;
  let pos = 0;
  let line = 0;
  let blankAt = 0;
  const handle = (view: Buffer, s: number, e: number): LineResult => {
    line++;
    if (e > s && view[e - 1] === 13) e--;
    if (e === s) {
      if (blankAt === 0) blankAt = line;
      return;
    }
    if (blankAt !== 0) throw new BadInputError(path, 'blank line inside the file', blankAt);
    return onLine(view, s, e, line);
  };
  const corrupt = (detail: string): BadInputError => new BadInputError(path, `${detail}, after line ${line}`, line + 1);
  for await (const chunk of readDecompressed(path, info, corrupt)) {
    let searchFrom = len;
    if (len + chunk.length > buf.length) {
      const keep = len - pos;
      if (keep > MAX_LINE_BYTES) throw new BadInputError(path, `line ${line + 1} is longer than ${MAX_LINE_BYTES >> 20} MiB: not a VCF?`, line + 1);
      if (keep + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(2 * buf.length, keep + chunk.length));
        buf.copy(grown, 0, pos, len);
        buf = grown;
      } else {
        buf.copyWithin(0, pos, len);
      }
      searchFrom -= pos;
      len = keep;
      pos = 0;
    }
    chunk.copy(buf, len);
    len += chunk.length;
    const view = buf.subarray(0, len);
    for (let nl = view.indexOf(10, searchFrom); nl !== -1; nl = view.indexOf(10, pos)) {
      const r = handle(view, pos, nl);
      pos = nl + 1;
      if (r !== undefined) {
        if (r === 'stop') return;
        await r;
      }
    }
  }
  if (pos < len) {
    const r = handle(buf, pos, len);
    if (r !== undefined && r !== 'stop') await r;
  }
}

async function readHeader(path: string, info: InputInfo): Promise<VcfHeader> {
  const builder = new HeaderBuilder(path);
  await streamLines(path, info, (b, s, e, line) => (builder.add(b.toString('utf8', s, e), line) ? 'stop' : undefined));
  const header = builder.result();
  if (!header) throw new BadInputError(path, info.size === 0 ? 'empty file' : 'no #CHROM header line (the file ends inside the header)');
  return header;
}

// ---------------------------------------------------------------------------------------------
// Records

const TAB = 9;
const COLON = 58;
const COMMA = 44;
const DOT = 46;

const GT_INVALID = -1;
const GT_HALF = -2;

/** 0/1 for REF/ALT, 2 for '.', -1 for anything else. */
const alleleOf = (c: number): number => (c === 48 ? 0 : c === 49 ? 1 : c === DOT ? 2 : -1);

/**
 * ALT copies (0-2, 3 = missing) of a VCF GT of a biallelic record, as plink2 reads it: a haploid
 * allele counts twice; a polyploid call is missing ("0/1/." reads as 0/1); a half-call ("0/.") and
 * an allele other than 0, 1 or . are errors (GT_HALF, GT_INVALID).
 */
function vcfGt(b: Buffer, s: number, e: number): number {
  const len = e - s;
  const a0 = alleleOf(len > 0 ? b[s]! : 0);
  if (len === 1) return a0 < 0 ? GT_INVALID : a0 === 2 ? 3 : a0 * 2;
  const sep = b[s + 1];
  if (len < 3 || (sep !== 47 && sep !== 124)) return GT_INVALID;
  const a1 = alleleOf(b[s + 2]!);
  if (a0 < 0 || a1 < 0) return GT_INVALID;
  if (len > 3) {
    const c3 = b[s + 3];
    if (c3 !== 47 && c3 !== 124) return GT_INVALID;
    if (!(len === 5 && b[s + 4] === DOT && a0 !== 2)) return 3;
  }
  if (a0 === 2) return a1 === 2 ? 3 : GT_HALF;
  if (a1 === 2) return GT_HALF;
  return a0 + a1;
}

/** '.' (not followed by a digit, so '.5' is a number) or '?' mark a missing value, as in plink2. */
function isMissingValue(b: Buffer, s: number, e: number): boolean {
  if (s === e) return false;
  const c = b[s]!;
  if (c === 63) return true;
  if (c !== DOT) return false;
  const d = s + 1 < e ? b[s + 1]! : 0;
  return !(d >= 48 && d <= 57);
}

class VcfReader {
  private readonly n: number;
  private readonly chunks: ChunkBuilder;
  private readonly skipped = new SkipTally();
  private readonly tabs = new Int32Array(9);
  private readonly doseIsGp: boolean;
  private format = '';
  private fields: RecordFields = { gt: false, dose: -1, hds: -1, keys: 0 };
  private variants = 0;
  private line = 0;

  constructor(
    private readonly path: string,
    private readonly info: InputInfo,
    private readonly header: VcfHeader,
    private readonly mode: DosageMode,
    chunkVariants: number,
  ) {
    this.n = header.samples.length;
    this.chunks = new ChunkBuilder(this.n, chunkVariants);
    this.doseIsGp = mode === 'GP';
  }

  async run(onChunk: (chunk: DosageChunk) => void | Promise<void>): Promise<DosageReadSummary> {
    const hand = async (chunk: DosageChunk): Promise<void> => {
      await onChunk(chunk);
    };
    await streamLines(this.path, this.info, (b, s, e, line) => {
      if (line <= this.header.chromLine) return;
      this.line = line;
      this.record(b, s, e);
      if (this.chunks.full) return hand(this.chunks.take());
    });
    if (this.chunks.size > 0) await hand(this.chunks.take());
    return { variants: this.variants, skipped: this.skipped.list() };
  }

  private error(detail: string, column?: number): BadInputError {
    return new BadInputError(this.path, detail, this.line, column);
  }

  private columnsError(found: number): BadInputError {
    const expected = 9 + this.n;
    return this.error(`expected ${expected} tab-separated columns (9 + ${this.n} samples), found ${found}`, Math.min(found, expected) + 1);
  }

  private record(b: Buffer, s: number, e: number): void {
    if (b[s] === 35) throw this.error('header line (#) after the first data line');
    const t = this.tabs;
    let p = s;
    for (let k = 0; k < 9; k++) {
      const tab = b.indexOf(TAB, p);
      if (tab < 0 || tab >= e) throw this.columnsError(k + 1);
      t[k] = tab;
      p = tab + 1;
    }
    const chrom = b.toString('utf8', s, t[0]);
    const pos = this.position(b, t[0]! + 1, t[1]!);
    const id = b.toString('utf8', t[1]! + 1, t[2]);
    const ref = b.toString('latin1', t[2]! + 1, t[3]);
    const alt = b.toString('latin1', t[3]! + 1, t[4]);
    if (chrom === '' || id === '' || ref === '' || alt === '') throw this.error('empty CHROM, ID, REF or ALT field');
    if (alt.includes(',')) {
      // Not parsed, but a missing column still means a broken file.
      this.countColumns(b, p, e, 9);
      this.skipped.add(MULTIALLELIC, `${id === '.' ? `${chrom}:${pos}` : id} (line ${this.line})`);
      return;
    }
    const format = b.toString('latin1', t[7]! + 1, t[8]);
    if (format !== this.format) {
      this.fields = recordFields(format.split(':'), this.mode, this.header, (d) => this.error(d, 9));
      this.format = format;
    }
    this.samples(b, p, e);
    this.chunks.commit(chrom, id, pos, ref, alt);
    this.variants++;
  }

  private position(b: Buffer, s: number, e: number): number {
    let v = 0;
    for (let i = s; i < e; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9 || v > 214748364) v = -1;
      if (v < 0) break;
      v = v * 10 + d;
    }
    if (!(v >= 0 && v <= 2147483647) || e === s) throw this.error(`POS '${b.toString('latin1', s, e)}' is not an integer in [0, 2^31)`, 2);
    return v;
  }

  /** Checks the column count: `before` columns end before `p`, the rest are counted. */
  private countColumns(b: Buffer, p: number, e: number, before: number): void {
    let found = before + 1;
    for (let tab = b.indexOf(TAB, p); tab >= 0 && tab < e; tab = b.indexOf(TAB, tab + 1)) found++;
    if (found !== 9 + this.n) throw this.columnsError(found);
  }

  /** The sample columns from `p`: one pass over the bytes, finding each sample's subfields. */
  private samples(b: Buffer, p: number, e: number): void {
    const { gt, dose, hds, keys } = this.fields;
    // DS is scanned where the walk reaches it, so its bytes are read once.
    const dsAt = this.doseIsGp ? -1 : dose;
    const out = this.chunks.rows();
    const off = this.chunks.rowOffset();
    const n = this.n;
    // The common imputed layout, GT:DS with a diploid 0/1 call and DS last, skips the walk.
    const fast = gt && dsAt === 1;
    for (let j = 0; j < n; j++) {
      if (p > e) throw this.columnsError(9 + j);
      if (fast && p + 4 < e && b[p + 3] === COLON) {
        const a0 = b[p]! - 48;
        const a1 = b[p + 2]! - 48;
        const sep = b[p + 1];
        if ((a0 === 0 || a0 === 1) && (a1 === 0 || a1 === 1) && (sep === 47 || sep === 124)) {
          const v = scanDecimal(b, p + 4, e);
          const u = v === v && (scanEnd === e || b[scanEnd] === TAB) ? dsUnits(v, false) : OUT_OF_RANGE;
          if (u !== OUT_OF_RANGE) {
            out[off + j] = u;
            p = scanEnd + 1;
            continue;
          }
        }
      }
      let q = p;
      let k = 0;
      let sub = p;
      let gtEnd = -1;
      let doseS = -1;
      let doseE = -1;
      let hdsS = -1;
      let hdsE = -1;
      let ds = NaN;
      for (;;) {
        const c = q < e ? b[q]! : TAB;
        if (q === sub && k === dsAt && c !== COLON && c !== TAB) {
          const v = scanDecimal(b, q, e);
          const t = scanEnd < e ? b[scanEnd]! : TAB;
          if (v === v && (t === COLON || t === TAB)) {
            ds = v;
            q = scanEnd;
            continue;
          }
        }
        if (c === COLON || c === TAB) {
          if (k === 0 && gt) gtEnd = q;
          else if (k === dose) {
            doseS = sub;
            doseE = q;
          } else if (k === hds) {
            hdsS = sub;
            hdsE = q;
          }
          k++;
          if (c === TAB) break;
          sub = q + 1;
        }
        q++;
      }
      if (k > keys) throw this.error(`sample has ${k} ':'-separated fields, FORMAT ${this.format} lists ${keys}`, 10 + j);
      out[off + j] = this.dosage(b, gtEnd < 0 ? -1 : p, gtEnd, doseS, doseE, hdsS, hdsE, ds, 10 + j);
      p = q + 1;
    }
    if (p <= e) this.countColumns(b, p, e, 9 + n);
  }

  /** One sample's dosage: HDS, else DS or GP, else GT (see vcfDosage.ts). */
  /** `ds`: the DS value when the walk already scanned it (NaN otherwise). */
  private dosage(b: Buffer, gtS: number, gtE: number, doseS: number, doseE: number, hdsS: number, hdsE: number, ds: number, col: number): number {
    // plink2's ploidy test: a GT whose second character is not a separator is haploid.
    const haploid = gtS >= 0 && (gtE - gtS < 2 || (b[gtS + 1] !== 47 && b[gtS + 1] !== 124));
    if (hdsS >= 0 && !isMissingValue(b, hdsS, hdsE)) return this.hds(b, hdsS, hdsE, col);
    if (doseS >= 0 && !isMissingValue(b, doseS, doseE)) {
      const u = this.doseIsGp ? this.gp(b, doseS, doseE, haploid, col) : this.ds(b, doseS, doseE, ds, haploid, col);
      if (u === DOSAGE_MISSING) return u; // GP all zero: missing, GT not consulted
      if (gtS >= 0) this.gt(b, gtS, gtE, col); // plink2 checks GT even when it has a dosage
      return u;
    }
    return gtS >= 0 ? GT_UNITS[this.gt(b, gtS, gtE, col)]! : DOSAGE_MISSING;
  }

  private gt(b: Buffer, s: number, e: number, col: number): number {
    const g = vcfGt(b, s, e);
    if (g >= 0) return g;
    const text = b.toString('latin1', s, e);
    throw this.error(
      g === GT_HALF
        ? `half-call GT '${text}' (one allele missing): PLINK 2 refuses these by default (--vcf-half-call)`
        : `invalid GT '${text}' for a biallelic record`,
      col,
    );
  }

  /** A number filling [s, e) exactly, else an error naming the field. */
  private number(b: Buffer, s: number, e: number, what: string, col: number): number {
    const v = scanDecimal(b, s, e);
    if (v !== v || scanEnd !== e) throw this.error(`${what} '${b.toString('latin1', s, e)}' is not a number`, col);
    return v;
  }

  private ds(b: Buffer, s: number, e: number, scanned: number, haploid: boolean, col: number): number {
    const u = dsUnits(scanned === scanned ? scanned : this.number(b, s, e, 'DS', col), haploid);
    if (u === OUT_OF_RANGE) {
      const why = haploid ? ' (on a haploid GT, where PLINK 2 doubles it, it must be in [0, 1])' : '';
      throw this.error(`DS '${b.toString('latin1', s, e)}' is outside [0, 2]${why}`, col);
    }
    return u;
  }

  private gp(b: Buffer, s: number, e: number, haploid: boolean, col: number): number {
    const values = haploid ? 2 : 3;
    const p0 = this.gpValue(b, s, s, e, col, false, haploid);
    const p1 = this.gpValue(b, scanEnd + 1, s, e, col, haploid, haploid);
    const p2 = haploid ? NaN : this.gpValue(b, scanEnd + 1, s, e, col, true, haploid);
    const u = gpUnits(p0, p1, p2, haploid);
    if (u === OUT_OF_RANGE) throw this.valueError('GP', b, s, e, col, `has a probability outside [0, 1] (${values} values for a ${haploid ? 'haploid' : 'diploid'} GT)`);
    return u;
  }

  /** One GP value from `at` in the field [s, e); the last one must end the field. */
  private gpValue(b: Buffer, at: number, s: number, e: number, col: number, last: boolean, haploid: boolean): number {
    const v = scanDecimal(b, at, e);
    if (v !== v || (last ? scanEnd !== e : scanEnd >= e || b[scanEnd] !== COMMA)) {
      throw this.valueError('GP', b, s, e, col, `is not ${haploid ? 2 : 3} comma-separated numbers (${haploid ? 'haploid' : 'diploid'} GT)`);
    }
    return v;
  }

  private valueError(what: string, b: Buffer, s: number, e: number, col: number, why: string): BadInputError {
    return this.error(`${what} '${b.toString('latin1', s, e)}' ${why}`, col);
  }

  private hds(b: Buffer, s: number, e: number, col: number): number {
    const d1 = scanDecimal(b, s, e);
    if (d1 !== d1) throw this.valueError('HDS', b, s, e, col, 'is not a number');
    let d2: number | undefined;
    if (scanEnd !== e) {
      if (b[scanEnd] !== COMMA) throw this.valueError('HDS', b, s, e, col, 'is not one or two numbers');
      d2 = scanDecimal(b, scanEnd + 1, e);
      if (d2 !== d2 || scanEnd !== e) throw this.valueError('HDS', b, s, e, col, 'is not one or two numbers');
    }
    const u = hdsUnits(d1, d2);
    if (u === OUT_OF_RANGE) throw this.valueError('HDS', b, s, e, col, 'has a haplotype dosage outside [0, 1]');
    return u;
  }
}
