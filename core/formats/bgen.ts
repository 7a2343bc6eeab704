// BGEN v1.2 / v1.3 (layout 2) as a dosage source, decoded from the BGEN specification
// (https://www.well.ox.ac.uk/~gav/bgen_format/): a header block, an optional sample identifier
// block, then one block per variant whose genotype probabilities are stored as B-bit integers,
// uncompressed or compressed with zlib (v1.2) or zstd (v1.3).
//
// Dosages are what PLINK 2 (v2.00a3.5, `--bgen`) imports from the same record, bit for bit:
//   s = 2·P(11) + P(12) (unphased diploid), P(hap1 = 1) + P(hap2 = 1) (phased diploid) or
//       2·P(1) (haploid: PLINK 2 stores a haploid call as a homozygous diploid dosage),
//   dosage of allele 1 = floor((16384·s + 2^(B−1)) / (2^B − 1)) in 1/16384 units (16384·s for B = 1),
// a round-half-up of 16384·s / (2^B − 1) computed in integers, then `32768 − that` when allele
// 1 is REF. Missing samples (missingness bit, or ploidy 0) are DOSAGE_MISSING.
//
// PLINK 2 has no default REF/ALT mode for BGEN (`--bgen f.bgen` errors out without one), so
// `refFirst` is required: true is its `ref-first` (first allele REF, as raw UK Biobank files),
// false its `ref-last` (last allele REF, as files written by `plink2 --export bgen-1.x`).
//
// Like PLINK 2, records with more than two alleles are skipped (counted); unlike it, records
// with a ploidy above 2 are skipped rather than fatal, and 29- to 32-bit probabilities (which
// it refuses) are read with the same formula. Layout 1 (v1.1) is refused with a conversion hint.
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { BadInputError } from '../errors.js';
import {
  DOSAGE_MAX,
  DOSAGE_MISSING,
  DOSAGE_SCALE,
  type DosageChunk,
  type DosageReadSummary,
  type DosageSource,
  type GenotypeSamples,
  type SkippedRecords,
} from '../genotypes/dosageSource.js';
import { readOxfordSample, type OxfordSample } from './oxfordSample.js';
import { fsError, requireRegularFile } from './text.js';

export interface BgenOpenOptions {
  /** An Oxford .sample; its IDs are used (and must agree with the header's, when it has them). */
  samplePath?: string;
  /** true: the first allele is REF (PLINK 2 `ref-first`); false: the last (`ref-last`). */
  refFirst: boolean;
}

export interface BgenHeader {
  /** File offset of the first variant block. */
  firstVariant: number;
  headerLength: number;
  nVariants: number;
  nSamples: number;
  /** 0 none, 1 zlib, 2 zstd. */
  compression: 0 | 1 | 2;
  layout: number;
  hasSampleIds: boolean;
  fileSize: number;
}

// ---------------------------------------------------------------------------------------------
// Probabilities → PLINK 2 dosage units

/**
 * PLINK 2's dosage of the first allele (1/16384 units) for s = 2·P(11) + P(12) (or the phased /
 * haploid equivalents above) in B-bit numerators. Exact in doubles for B ≤ 32: the dividend
 * stays below 2^48, and a quotient short of an integer by at least 1/(2^B − 1) cannot round up.
 */
export function firstAlleleDosage(s: number, bits: number): number {
  if (bits === 1) return s * DOSAGE_SCALE;
  return Math.floor((s * DOSAGE_SCALE + 2 ** (bits - 1)) / (2 ** bits - 1));
}

/** s → ALT dosage for B ≤ 16 (at most 131,071 entries), built once per precision and allele order. */
function dosageTable(bits: number, refFirst: boolean): Uint16Array {
  const top = 2 * (2 ** bits - 1);
  const t = new Uint16Array(top + 1);
  for (let s = 0; s <= top; s++) {
    const d = firstAlleleDosage(s, bits);
    t[s] = refFirst ? DOSAGE_MAX - d : d;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Sequential reads through one buffer (memory bounded by the largest variant block)

const READ_BYTES = 1 << 20;

class BlockReader {
  private buf = Buffer.allocUnsafe(READ_BYTES);
  private pos = 0;
  private end = 0;
  private filePos: number;

  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    start: number,
    readonly size: number,
  ) {
    this.filePos = start;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.filePos - (this.end - this.pos);
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** Makes `n` bytes available; `what` names them when the file ends first. */
  async fill(n: number, what: () => string): Promise<void> {
    if (this.end - this.pos >= n) return;
    if (this.offset + n > this.size) {
      throw new BadInputError(this.path, `truncated: ${what()} needs ${n} bytes from byte offset ${this.offset}, but the file ends at ${this.size}`);
    }
    if (n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(n, 2 * this.buf.length));
      this.buf.copy(grown, 0, this.pos, this.end);
      this.buf = grown;
    } else {
      this.buf.copy(this.buf, 0, this.pos, this.end);
    }
    this.end -= this.pos;
    this.pos = 0;
    while (this.end < n) {
      const want = Math.min(this.buf.length - this.end, this.size - this.filePos);
      const { bytesRead } = await this.fh.read(this.buf, this.end, want, this.filePos);
      if (bytesRead === 0) throw new BadInputError(this.path, `truncated: ${what()} ends early at byte offset ${this.filePos} (the file shrank while being read?)`);
      this.end += bytesRead;
      this.filePos += bytesRead;
    }
  }

  u16(): number {
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** `n` bytes as a view, valid until the next `fill`. */
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  text(n: number): string {
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Skips `n` bytes without reading what is not buffered yet. */
  skip(n: number, what: () => string): void {
    if (this.offset + n > this.size) {
      throw new BadInputError(this.path, `truncated: ${what()} needs ${n} bytes from byte offset ${this.offset}, but the file ends at ${this.size}`);
    }
    const buffered = this.end - this.pos;
    if (n <= buffered) {
      this.pos += n;
      return;
    }
    this.filePos += n - buffered;
    this.pos = this.end = 0;
  }
}

async function withFile<T>(path: string, f: (fh: FileHandle, size: number) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    return await f(fh, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Header and sample identifiers

const COMPRESSION_NAMES = ['none', 'zlib', 'zstd'];

export async function readBgenHeader(path: string): Promise<{ header: BgenHeader; sampleIds: string[] | null }> {
  await requireRegularFile(path);
  return withFile(path, async (fh, size) => {
    const r = new BlockReader(fh, path, 0, size);
    await r.fill(20, () => 'the header block (offset, header length, M, N, magic)');
    const offset = r.u32();
    const headerLength = r.u32();
    const nVariants = r.u32();
    const nSamples = r.u32();
    const magic = r.bytes(4);
    const isBgen = magic.toString('latin1') === 'bgen';
    if (!isBgen && magic.some((b) => b !== 0)) {
      const shown = [...magic].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
      throw new BadInputError(path, `not a BGEN file: magic bytes at offset 16 are ${shown}, expected 'bgen' (or four zero bytes)`);
    }
    if (headerLength < 20 || headerLength > offset) {
      throw new BadInputError(path, `invalid header: header length ${headerLength} at byte offset 4 must be at least 20 and at most the first-variant offset ${offset}`);
    }
    r.skip(headerLength - 20, () => 'the header free data');
    await r.fill(4, () => 'the header flags');
    const flags = r.u32();
    const compression = flags & 3;
    const layout = (flags >>> 2) & 15;
    const flagsAt = headerLength;
    if (compression === 3) {
      throw new BadInputError(path, `unknown compression flag 3 in the header flags at byte offset ${flagsAt} (0 none, 1 zlib, 2 zstd)`);
    }
    if (layout === 0 || layout === 1) {
      throw new BadInputError(
        path,
        `layout ${layout} (BGEN v1.${layout === 0 ? '0' : '1'}, header flags at byte offset ${flagsAt}) is not supported, only layout 2 (v1.2/v1.3); ` +
          (layout === 1
            ? 'convert it with `plink2 --bgen FILE ref-first --sample FILE.sample --export bgen-1.3 --out NEW` (ref-last if its last allele is REF)'
            : 'convert it with qctool to BGEN v1.2 or later'),
      );
    }
    if (layout !== 2) throw new BadInputError(path, `unknown layout ${layout} in the header flags at byte offset ${flagsAt} (only layout 2 is known)`);
    if (nSamples === 0) throw new BadInputError(path, 'the header says the file has 0 samples');
    if (nVariants === 0) throw new BadInputError(path, 'the header says the file has 0 variants');
    const header: BgenHeader = {
      firstVariant: offset + 4,
      headerLength,
      nVariants,
      nSamples,
      compression: compression as 0 | 1 | 2,
      layout,
      hasSampleIds: (flags & 0x80000000) !== 0,
      fileSize: size,
    };
    if (header.firstVariant > size) {
      throw new BadInputError(path, `truncated: the header puts the first variant at byte offset ${header.firstVariant}, but the file ends at ${size}`);
    }
    const sampleIds = header.hasSampleIds ? await readSampleBlock(r, header) : null;
    return { header, sampleIds };
  });
}

async function readSampleBlock(r: BlockReader, h: BgenHeader): Promise<string[]> {
  const at = r.offset;
  await r.fill(8, () => 'the sample identifier block');
  const blockLength = r.u32();
  const n = r.u32();
  if (blockLength < 8 || at + blockLength > h.firstVariant) {
    throw new BadInputError(r.path, `invalid sample identifier block at byte offset ${at}: its length ${blockLength} runs past the first variant at ${h.firstVariant}`);
  }
  if (n !== h.nSamples) {
    throw new BadInputError(r.path, `the sample identifier block at byte offset ${at} lists ${n} samples, the header says N = ${h.nSamples}`);
  }
  await r.fill(blockLength - 8, () => 'the sample identifier block');
  const ids: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (r.offset + 2 > at + blockLength) throw sampleBlockOverrun(r, at, blockLength, i);
    const len = r.u16();
    if (r.offset + len > at + blockLength) throw sampleBlockOverrun(r, at, blockLength, i);
    const id = r.text(len);
    checkSampleId(r.path, id, i);
    const first = seen.get(id);
    if (first !== undefined) throw new BadInputError(r.path, `duplicate sample ID '${id}' in the sample identifier block (samples ${first + 1} and ${i + 1})`);
    seen.set(id, i);
    ids.push(id);
  }
  if (r.offset !== at + blockLength) {
    throw new BadInputError(r.path, `the sample identifier block at byte offset ${at} states ${blockLength} bytes but its ${n} IDs take ${r.offset - at}`);
  }
  return ids;
}

const sampleBlockOverrun = (r: BlockReader, at: number, length: number, i: number): BadInputError =>
  new BadInputError(r.path, `sample ID ${i + 1} runs past the end of the sample identifier block (byte offset ${at}, ${length} bytes)`);

// PLINK 2 refuses tabs, newlines and other control characters in BGEN sample IDs, and spaces
// unless told how to split them (--id-delim ' ', --idspace-to).
function checkSampleId(path: string, id: string, i: number): void {
  if (id.length === 0) throw new BadInputError(path, `sample ${i + 1} has an empty ID in the sample identifier block`);
  for (let k = 0; k < id.length; k++) {
    if (id.charCodeAt(k) <= 32) {
      throw new BadInputError(path, `sample ID ${i + 1} ('${id}') contains a space or control character; PLINK 2 refuses these too`);
    }
  }
}

/** The .sample's IDs must describe the header's samples: same count, and each header ID equal to its ID_2, ID_1 or ID_1_ID_2. */
function checkSampleAgreement(bgenPath: string, h: BgenHeader, headerIds: string[] | null, sample: OxfordSample): void {
  const n = sample.iid.length;
  if (n !== h.nSamples) {
    const line = n > h.nSamples ? sample.line[h.nSamples]! : sample.line[n - 1]! + 1;
    const where = n > h.nSamples ? `sample ${h.nSamples + 1} at line ${line} is one too many` : `the file ends after line ${line - 1}`;
    throw new BadInputError(sample.path, `${n} samples, but the header of ${bgenPath} says N = ${h.nSamples}; ${where}`, line);
  }
  if (headerIds === null) return;
  for (let i = 0; i < n; i++) {
    const id = headerIds[i]!;
    const fid = sample.fid[i]!;
    const iid = sample.iid[i]!;
    // ID_1_ID_2 is what `plink2 --export bgen-1.x` puts in the header when there are FIDs.
    if (id === iid || id === fid || id === `${fid}_${iid}`) continue;
    throw new BadInputError(
      sample.path,
      `sample ${i + 1} is '${fid} ${iid}' here but '${id}' in the sample identifier block of ${bgenPath} (the .sample does not belong to this .bgen, or is in another order)`,
      sample.line[i]!,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Variant blocks

interface Skips {
  byReason: Map<string, SkippedRecords>;
}

function noteSkip(s: Skips, reason: string, example: string): void {
  let rec = s.byReason.get(reason);
  if (!rec) {
    rec = { reason, count: 0, examples: [] };
    s.byReason.set(reason, rec);
  }
  rec.count++;
  if (rec.examples.length < 5) rec.examples.push(example);
}

const SKIP_MULTIALLELIC = 'multi-allelic (more than two alleles; PLINK 2 skips these too)';
const SKIP_PLOIDY = 'ploidy above 2';

interface VariantMeta {
  chrom: string;
  id: string;
  pos: number;
  alleles: string[];
}

/** Where a variant is, for error messages: 1-based index, byte offset and, once known, its ID. */
class VariantPlace {
  index = 0;
  offset = 0;
  id = '';
  describe(): string {
    return `variant ${this.index + 1} (block at byte offset ${this.offset}${this.id ? `, ${this.id}` : ''})`;
  }
}

async function readVariantMeta(r: BlockReader, place: VariantPlace, nVariants: number, refFirst: boolean): Promise<{ meta: VariantMeta; dataLength: number }> {
  const what = (field: string) => () => `the ${field} of ${place.describe()}`;
  if (r.offset >= r.size) {
    throw new BadInputError(r.path, `the header says M = ${nVariants} variants, but the file ends after ${place.index} (at byte offset ${r.size})`);
  }
  if (r.available < 2) await r.fill(2, what('variant ID length'));
  const varidLen = r.u16();
  if (r.available < varidLen + 2) await r.fill(varidLen + 2, what('variant ID'));
  const varid = r.text(varidLen);
  const rsidLen = r.u16();
  if (r.available < rsidLen + 2) await r.fill(rsidLen + 2, what('rsID'));
  const rsid = r.text(rsidLen);
  place.id = rsid || varid;
  const chromLen = r.u16();
  if (r.available < chromLen + 6) await r.fill(chromLen + 6, what('chromosome, position and allele count'));
  const chrom = r.text(chromLen);
  const pos = r.u32();
  const k = r.u16();
  const alleles: string[] = [];
  for (let a = 0; a < k; a++) {
    if (r.available < 4) await r.fill(4, what(`allele ${a + 1} length`));
    const len = r.u32();
    if (r.available < len) await r.fill(len, what(`allele ${a + 1}`));
    alleles.push(r.text(len));
  }
  if (r.available < 4) await r.fill(4, what('genotype data length'));
  const dataLength = r.u32();
  if (chromLen === 0) throw new BadInputError(r.path, `${place.describe()} has an empty chromosome`);
  if (pos > 0x7fffffff) throw new BadInputError(r.path, `${place.describe()} has position ${pos}, above PLINK's limit of 2^31 − 1`);
  return { meta: { chrom, id: variantId(rsid, varid, chrom, pos, alleles, refFirst), pos, alleles }, dataLength };
}

/** rsID, else the SNP ID, else chr:pos:REF:ALT (the alleles in file order when not two). */
function variantId(rsid: string, varid: string, chrom: string, pos: number, alleles: string[], refFirst: boolean): string {
  if (rsid !== '' && rsid !== '.') return rsid;
  if (varid !== '' && varid !== '.') return varid;
  const ordered = alleles.length === 2 && !refFirst ? [alleles[1], alleles[0]] : alleles;
  return `${chrom}:${pos}:${ordered.join(':')}`;
}

/** The genotype data of a record, decompressed (a view into the read buffer when stored raw). */
async function readGenotypeData(r: BlockReader, h: BgenHeader, place: VariantPlace, dataLength: number): Promise<Uint8Array> {
  const what = () => `the genotype data of ${place.describe()}`;
  if (h.compression === 0) {
    await r.fill(dataLength, what);
    return r.bytes(dataLength);
  }
  if (dataLength < 4) throw new BadInputError(r.path, `${place.describe()}: compressed genotype data of ${dataLength} bytes cannot hold the 4-byte uncompressed length`);
  await r.fill(dataLength, what);
  const expected = r.u32();
  const packed = r.bytes(dataLength - 4);
  const codec = COMPRESSION_NAMES[h.compression]!;
  let out: Uint8Array;
  try {
    // maxOutputLength: a block that inflates past its stated length is an error, not a memory hog.
    out = h.compression === 1 ? inflateSync(packed, { maxOutputLength: Math.max(1, expected) }) : zstdDecompress(packed);
  } catch (e) {
    const tooLong = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new BadInputError(
      r.path,
      tooLong
        ? `${place.describe()}: uncompressed length mismatch, the ${codec} data inflate to more than the stated ${expected} bytes`
        : `${place.describe()}: corrupt ${codec} data (${(e as Error).message})`,
    );
  }
  if (out.length !== expected) {
    throw new BadInputError(r.path, `${place.describe()}: uncompressed length mismatch, the ${codec} data inflate to ${out.length} bytes, the block states ${expected}`);
  }
  return out;
}

interface DecodeContext {
  path: string;
  nSamples: number;
  refFirst: boolean;
  tables: Map<number, Uint16Array>;
}

const malformed = (ctx: DecodeContext, place: VariantPlace, detail: string): BadInputError =>
  new BadInputError(ctx.path, `${place.describe()}: ${detail}`);

/**
 * Layout-2 probabilities of a biallelic record → ALT dosages in `out` (nSamples values).
 * Returns a skip reason when the record is valid but not representable, else null.
 */
function decodeProbabilities(data: Uint8Array, ctx: DecodeContext, place: VariantPlace, out: Uint16Array): string | null {
  const n = ctx.nSamples;
  if (data.length < 10 + n) throw malformed(ctx, place, `genotype data of ${data.length} bytes, too short for the ${10 + n}-byte preamble of ${n} samples`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stored = view.getUint32(0, true);
  if (stored !== n) throw malformed(ctx, place, `the genotype data are for ${stored} samples, the header says N = ${n}`);
  const k = view.getUint16(4, true);
  if (k !== 2) throw malformed(ctx, place, `the genotype data are for ${k} alleles, the variant has 2`);
  const minPloidy = data[6]!;
  const maxPloidy = data[7]!;
  if (minPloidy > maxPloidy || maxPloidy > 63) throw malformed(ctx, place, `invalid ploidy range ${minPloidy}..${maxPloidy}`);
  if (maxPloidy > 2) return SKIP_PLOIDY;
  const phased = data[8 + n]!;
  if (phased > 1) throw malformed(ctx, place, `phased flag is ${phased}, expected 0 or 1`);
  const bits = data[9 + n]!;
  if (bits < 1 || bits > 32) throw malformed(ctx, place, `${bits}-bit probabilities (1 to 32 allowed)`);
  const table = bits <= 16 ? tableFor(ctx, bits) : null;
  const probs = 10 + n;

  let values = 0;
  for (let i = 0; i < n; i++) {
    const ploidy = data[8 + i]! & 63;
    if (ploidy < minPloidy || ploidy > maxPloidy) throw malformed(ctx, place, `sample ${i + 1} has ploidy ${ploidy}, outside the stated range ${minPloidy}..${maxPloidy}`);
    values += ploidy; // two alleles: a ploidy-Z sample stores Z values, phased or not
  }
  const needed = probs + Math.ceil((values * bits) / 8);
  // As PLINK 2: an exact size when every sample has the same ploidy, at least the bits needed otherwise.
  if (minPloidy === maxPloidy ? data.length !== needed : data.length < needed) {
    throw malformed(ctx, place, `genotype data of ${data.length} bytes, expected ${needed} for ${values} ${bits}-bit values`);
  }
  if (table !== null && !phased && minPloidy === 2 && maxPloidy === 2 && (bits === 8 || bits === 16)) {
    const bad = bits === 8 ? decodeDiploid8(data, probs, n, table, out) : decodeDiploid16(data, probs, n, table, out);
    if (bad >= 0) throw badSum(ctx, place, bad, bits);
    return null;
  }
  decodeGeneric(data, probs, n, bits, phased === 1, table, ctx, place, out);
  return null;
}

function tableFor(ctx: DecodeContext, bits: number): Uint16Array {
  let t = ctx.tables.get(bits);
  if (!t) {
    t = dosageTable(bits, ctx.refFirst);
    ctx.tables.set(bits, t);
  }
  return t;
}

const badSum = (ctx: DecodeContext, place: VariantPlace, sample: number, bits: number): BadInputError =>
  malformed(ctx, place, `sample ${sample + 1}: P(11) + P(12) exceeds 1 (${bits}-bit numerators above ${2 ** bits - 1})`);

// The common case (diploid, unphased, 8 or 16 bits, as plink2/qctool write) without a bit reader.
// Returns the first sample whose probabilities sum past 1, or -1.
function decodeDiploid8(data: Uint8Array, probs: number, n: number, table: Uint16Array, out: Uint16Array): number {
  for (let i = 0, p = probs; i < n; i++, p += 2) {
    const flag = data[8 + i]!;
    if (flag & 0x80) {
      out[i] = DOSAGE_MISSING;
      continue;
    }
    const aa = data[p]!;
    const ab = data[p + 1]!;
    if (aa + ab > 255) return i;
    out[i] = table[2 * aa + ab]!;
  }
  return -1;
}

function decodeDiploid16(data: Uint8Array, probs: number, n: number, table: Uint16Array, out: Uint16Array): number {
  for (let i = 0, p = probs; i < n; i++, p += 4) {
    const flag = data[8 + i]!;
    if (flag & 0x80) {
      out[i] = DOSAGE_MISSING;
      continue;
    }
    const aa = data[p]! | (data[p + 1]! << 8);
    const ab = data[p + 2]! | (data[p + 3]! << 8);
    if (aa + ab > 65535) return i;
    out[i] = table[2 * aa + ab]!;
  }
  return -1;
}

const POW2 = Float64Array.from({ length: 48 }, (_, i) => 2 ** i);

/** Any precision, ploidy 0–2, phased or not: values are read LSB-first with a float accumulator (≤ 39 bits). */
function decodeGeneric(
  data: Uint8Array,
  probs: number,
  n: number,
  bits: number,
  phased: boolean,
  table: Uint16Array | null,
  ctx: DecodeContext,
  place: VariantPlace,
  out: Uint16Array,
): void {
  const scale = POW2[bits]!;
  const mask = scale - 1;
  let acc = 0;
  let accBits = 0;
  let p = probs;
  const next = (): number => {
    while (accBits < bits) {
      acc += data[p++]! * POW2[accBits]!;
      accBits += 8;
    }
    const v = acc % scale;
    acc = (acc - v) / scale;
    accBits -= bits;
    return v;
  };
  for (let i = 0; i < n; i++) {
    const flag = data[8 + i]!;
    const ploidy = flag & 63;
    if ((flag & 0x80) !== 0 || ploidy === 0) {
      for (let z = 0; z < ploidy; z++) next(); // missing samples still store (zero) probabilities
      out[i] = DOSAGE_MISSING;
      continue;
    }
    let s: number;
    if (ploidy === 1) {
      s = 2 * next();
    } else if (phased) {
      s = next() + next();
    } else {
      const aa = next();
      const ab = next();
      if (aa + ab > mask) throw badSum(ctx, place, i, bits);
      s = 2 * aa + ab;
    }
    if (table !== null) {
      out[i] = table[s]!;
    } else {
      const d = firstAlleleDosage(s, bits);
      out[i] = ctx.refFirst ? DOSAGE_MAX - d : d;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The dosage source

export async function openBgen(path: string, opts: BgenOpenOptions): Promise<DosageSource> {
  const { header, sampleIds } = await readBgenHeader(path);
  let samples: GenotypeSamples;
  if (opts.samplePath !== undefined) {
    const sample = await readOxfordSample(opts.samplePath);
    checkSampleAgreement(path, header, sampleIds, sample);
    // FID stays '0' when every ID_1 is '0', as PLINK 2 imports it.
    samples = { fid: sample.hasFid ? sample.fid : sample.iid.map(() => '0'), iid: sample.iid, hasFid: sample.hasFid, source: opts.samplePath };
  } else if (sampleIds !== null) {
    // PLINK 2 imports a header ID whole as the IID (no FID), whatever delimiters it contains.
    samples = { fid: sampleIds.map(() => '0'), iid: sampleIds, hasFid: false, source: `${path} (sample identifier block)` };
  } else {
    throw new BadInputError(path, 'the file has no sample identifier block; give its .sample file');
  }
  const files = opts.samplePath !== undefined ? [path, opts.samplePath] : [path];
  return {
    format: 'bgen',
    files,
    samples,
    read: (chunkVariants, onChunk) => readVariants(path, header, opts.refFirst, chunkVariants, onChunk),
  };
}

class ChunkBuilder {
  rows = 0;
  dosage: Uint16Array;
  chrom: string[] = [];
  id: string[] = [];
  pos: Int32Array;
  a1: string[] = [];
  a2: string[] = [];

  constructor(
    readonly firstVariant: number,
    readonly capacity: number,
    readonly nSamples: number,
  ) {
    this.dosage = new Uint16Array(capacity * nSamples);
    this.pos = new Int32Array(capacity);
  }

  row(): Uint16Array {
    return this.dosage.subarray(this.rows * this.nSamples, (this.rows + 1) * this.nSamples);
  }

  commit(meta: VariantMeta, refFirst: boolean): void {
    const [first, second] = meta.alleles as [string, string];
    this.chrom.push(meta.chrom);
    this.id.push(meta.id);
    this.pos[this.rows] = meta.pos;
    this.a1.push(refFirst ? second : first);
    this.a2.push(refFirst ? first : second);
    this.rows++;
  }

  finish(): DosageChunk {
    const r = this.rows;
    return {
      firstVariant: this.firstVariant,
      variants: { chrom: this.chrom, id: this.id, cm: new Float64Array(r), pos: this.pos.subarray(0, r), a1: this.a1, a2: this.a2 },
      dosage: r === this.capacity ? this.dosage : this.dosage.subarray(0, r * this.nSamples),
    };
  }
}

async function readVariants(
  path: string,
  h: BgenHeader,
  refFirst: boolean,
  chunkVariants: number,
  onChunk: (chunk: DosageChunk) => void | Promise<void>,
): Promise<DosageReadSummary> {
  if (!Number.isInteger(chunkVariants) || chunkVariants < 1) throw new RangeError(`chunkVariants must be a positive integer, got ${chunkVariants}`);
  return withFile(path, async (fh, size) => {
    if (size !== h.fileSize) throw new BadInputError(path, `the file changed size since it was opened (${h.fileSize} → ${size} bytes)`);
    const r = new BlockReader(fh, path, h.firstVariant, size);
    const ctx: DecodeContext = { path, nSamples: h.nSamples, refFirst, tables: new Map() };
    const skips: Skips = { byReason: new Map() };
    const place = new VariantPlace();
    let kept = 0;
    let chunk: ChunkBuilder | null = null;
    for (let v = 0; v < h.nVariants; v++) {
      place.index = v;
      place.offset = r.offset;
      place.id = '';
      const { meta, dataLength } = await readVariantMeta(r, place, h.nVariants, refFirst);
      const k = meta.alleles.length;
      if (k < 2) throw new BadInputError(path, `${place.describe()} has ${k} allele${k === 1 ? '' : 's'}; PLINK 2 refuses fewer than two`);
      if (k > 2) {
        r.skip(dataLength, () => `the genotype data of ${place.describe()}`);
        noteSkip(skips, SKIP_MULTIALLELIC, meta.id);
        continue;
      }
      const data = await readGenotypeData(r, h, place, dataLength);
      chunk ??= new ChunkBuilder(kept, Math.min(chunkVariants, h.nVariants - v), h.nSamples);
      const skipped = decodeProbabilities(data, ctx, place, chunk.row());
      if (skipped !== null) {
        noteSkip(skips, skipped, meta.id);
        continue;
      }
      chunk.commit(meta, refFirst);
      kept++;
      if (chunk.rows === chunk.capacity) {
        await onChunk(chunk.finish());
        chunk = null;
      }
    }
    if (r.offset !== size) {
      throw new BadInputError(path, `the header says M = ${h.nVariants} variants, but more data follow the last one at byte offset ${r.offset} (file size ${size})`);
    }
    if (chunk !== null && chunk.rows > 0) await onChunk(chunk.finish());
    return { variants: kept, skipped: [...skips.byReason.values()] };
  });
}
