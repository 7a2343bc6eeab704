// PLINK 2 fileset writer (.pgen + .pvar + .psam), from pgen_spec, in the layouts plink2 itself
// writes (and so reads, --validate included):
//   0x02 hard calls, fixed width: per variant ceil(N/4) bytes of 2-bit codes, low bits first
//        (0 hom-REF, 1 het, 2 hom-ALT, 3 missing);
//   0x10 hard calls + dosages, variable width: each record is record type 0x40 — the plain 2-bit
//        hard calls (type bits 0-2 = 0), then the 'all samples' dosage track (bits 5-6 = 10): N
//        little-endian uint16 ALT dosages in 1/16384 units, 65535 for a missing sample (whose hard
//        call is missing too). This is what plink2 --make-pgen writes for such data (it may also
//        shorten a record's hard calls to a 1-bit track, which we need not). plink2 2.00a3.5 does
//        not validate, and with several threads crashes on, the fixed-width dosage mode 0x03.
// A dosage file's hard calls follow plink2's import rule (--hard-call-threshold 0.1): the
// nearest whole count when the dosage is within 0.1 of it, else missing.
// Header: 6c 1b <mode>, uint32 variant count, uint32 sample count, then a control byte whose
// bits 6-7 = 01 say no REF allele is provisional (what plink2 writes then; 10 'all provisional'
// would also need an INFO/PR column in the .pvar, or plink2 warns). In mode 0x10 its bits 0-3 =
// 4 + (bytes per record length − 1) say record types take a byte each; then come the uint64 file
// offset of each block of 2^16 variants, and per block its record types and record lengths
// (no allele counts: all biallelic; no per-variant REF flags). Every dosage record has the same
// type and length, so the whole header is known before the first record.
import { AtomicFileWriter } from '../files/atomicWrite.js';
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import type { DosageWriter, WriteVariant } from './dosageWriter.js';

export const PGEN_MODE_HARDCALLS = 0x02;
export const PGEN_MODE_DOSAGES = 0x10;
/** The record type of every dosage record: plain 2-bit hard calls + one dosage per sample. */
export const PGEN_RECORD_DENSE_DOSAGES = 0x40;
const NO_PROVISIONAL_REF = 0x40;
/** Header byte 11, bits 0-3, plus (bytes per record length − 1): 8-bit record types. */
const BYTE_RECORD_TYPES = 4;
/** Variants per header block. */
const VBLOCK = 1 << 16;
/** plink2's default --hard-call-threshold, in 1/16384 units (0.1 · 16384, rounded down as plink2 does). */
const HARD_CALL_THRESHOLD = Math.floor(0.1 * DOSAGE_SCALE);
const HARDCALL_MISSING = 3;

export type PgenWriteMode = typeof PGEN_MODE_HARDCALLS | typeof PGEN_MODE_DOSAGES;

/** Bytes of one record in `mode`. */
export function pgenRecordBytes(mode: number, nSamples: number): number {
  const geno = (nSamples + 3) >>> 2;
  return mode === PGEN_MODE_HARDCALLS ? geno : geno + 2 * nSamples;
}

/** Bytes a mode-0x10 header spends on each record length: the fewest that hold `recordBytes`. */
export function pgenLengthBytes(recordBytes: number): number {
  if (recordBytes < 2 ** 8) return 1;
  if (recordBytes < 2 ** 16) return 2;
  if (recordBytes < 2 ** 24) return 3;
  if (recordBytes < 2 ** 32) return 4;
  throw new RangeError(`a ${recordBytes}-byte .pgen record does not fit the format's 4-byte record lengths`);
}

/** RangeError unless both counts fit a .pgen header (our reader also refuses 0). */
function checkCounts(nVariants: number, nSamples: number): void {
  for (const [what, x] of [['variant', nVariants], ['sample', nSamples]] as const) {
    if (!Number.isInteger(x) || x < 1 || x >= 2 ** 31) throw new RangeError(`${what} count ${x}: a .pgen holds 1 to 2^31 − 1`);
  }
}

/**
 * The .pgen header in the order it is written: the 12 fixed bytes (in mode 0x10 followed by the
 * block offsets), then in mode 0x10 one piece per block of 2^16 variants with its record types
 * and lengths (pieces, so a file of millions of variants never holds its whole index at once).
 */
export function* pgenHeader(mode: PgenWriteMode, nVariants: number, nSamples: number): Generator<Uint8Array> {
  checkCounts(nVariants, nSamples);
  const variable = mode === PGEN_MODE_DOSAGES;
  const nBlocks = Math.ceil(nVariants / VBLOCK);
  const recordBytes = pgenRecordBytes(mode, nSamples);
  const lenBytes = pgenLengthBytes(recordBytes);
  const head = new Uint8Array(12 + (variable ? 8 * nBlocks : 0));
  const view = new DataView(head.buffer);
  head.set([0x6c, 0x1b, mode]);
  view.setUint32(3, nVariants, true);
  view.setUint32(7, nSamples, true);
  head[11] = NO_PROVISIONAL_REF | (variable ? BYTE_RECORD_TYPES + lenBytes - 1 : 0);
  if (!variable) {
    yield head;
    return;
  }
  // Records start right after the index; each block's offset is that plus the records before it.
  const firstRecord = head.length + nVariants * (1 + lenBytes);
  for (let b = 0; b < nBlocks; b++) view.setBigUint64(12 + 8 * b, BigInt(firstRecord) + BigInt(b * VBLOCK) * BigInt(recordBytes), true);
  yield head;
  for (let b = 0; b < nBlocks; b++) {
    const n = Math.min(VBLOCK, nVariants - b * VBLOCK);
    const block = new Uint8Array(n * (1 + lenBytes));
    block.fill(PGEN_RECORD_DENSE_DOSAGES, 0, n);
    for (let i = 0, p = n; i < n; i++) for (let k = 0; k < lenBytes; k++) block[p++] = Math.floor(recordBytes / 2 ** (8 * k)) & 0xff;
    yield block;
  }
}

/** A dosage's hard call: plink2's rule above (an exact whole count is always its own call). */
function hardCall(u: number): number {
  if (u === DOSAGE_MISSING) return HARDCALL_MISSING;
  const call = Math.round(u / DOSAGE_SCALE);
  return Math.abs(u - call * DOSAGE_SCALE) <= HARD_CALL_THRESHOLD ? call : HARDCALL_MISSING;
}

/**
 * Encodes one variant's ALT dosages into `out` at `at` (pgenRecordBytes(mode, N) bytes; in mode
 * 0x10 a record of type 0x40). In hard-call mode every dosage must be a whole count or missing
 * (RangeError otherwise: the caller chose the wrong mode).
 */
export function encodePgenRecord(mode: PgenWriteMode, units: Uint16Array, out: Uint8Array, at: number): void {
  const n = units.length;
  const geno = (n + 3) >>> 2;
  out.fill(0, at, at + geno); // padding codes stay 0, as plink2 writes them
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    if (u > DOSAGE_MAX && u !== DOSAGE_MISSING) throw new RangeError(`dosage ${u} is above ${DOSAGE_MAX} (2 copies)`);
    const code = hardCall(u);
    if (mode === PGEN_MODE_HARDCALLS && code !== HARDCALL_MISSING && u !== code * DOSAGE_SCALE) {
      throw new RangeError(`dosage ${u}/16384 is not a hard call; write a dosage .pgen`);
    }
    out[at + (i >>> 2)]! |= code << ((i & 3) << 1);
  }
  if (mode === PGEN_MODE_DOSAGES) {
    let p = at + geno;
    for (let i = 0; i < n; i++, p += 2) {
      const u = units[i]!; // DOSAGE_MISSING is 65535, the format's missing dosage
      out[p] = u & 0xff;
      out[p + 1] = u >>> 8;
    }
  }
}

/** Writes a .pgen record by record; buffered, so a variant is not a system call. */
export class PgenWriter implements DosageWriter {
  private readonly out: AtomicFileWriter;
  private readonly recordBytes: number;
  private readonly buf: Uint8Array;
  private used = 0;
  private written = 0;

  constructor(
    path: string,
    readonly mode: PgenWriteMode,
    readonly nVariants: number,
    readonly nSamples: number,
  ) {
    checkCounts(nVariants, nSamples); // before a file is made
    this.recordBytes = pgenRecordBytes(mode, nSamples);
    pgenLengthBytes(this.recordBytes);
    this.buf = new Uint8Array(Math.max(this.recordBytes, 1 << 20));
    this.out = new AtomicFileWriter(path);
    try {
      for (const piece of pgenHeader(mode, nVariants, nSamples)) this.out.write(piece);
    } catch (e) {
      this.out.abort();
      throw e;
    }
  }

  writeVariant(_variant: WriteVariant, units: Uint16Array): void {
    if (units.length !== this.nSamples) throw new RangeError(`${units.length} dosages for ${this.nSamples} samples`);
    if (this.written === this.nVariants) throw new RangeError(`more than the ${this.nVariants} variants the header announces`);
    if (this.used + this.recordBytes > this.buf.length) this.flush();
    encodePgenRecord(this.mode, units, this.buf, this.used);
    this.used += this.recordBytes;
    this.written++;
  }

  private flush(): void {
    this.out.write(this.buf, this.used);
    this.used = 0;
  }

  commit(): void {
    if (this.written !== this.nVariants) throw new RangeError(`${this.written} variants written, the header announces ${this.nVariants}`);
    this.flush();
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

/** The .pvar: '#CHROM POS ID REF ALT', one line per variant. */
export function pvarText(variants: { chrom: string[]; pos: Int32Array; id: string[]; ref: string[]; alt: string[] }): string {
  const lines: string[] = ['#CHROM\tPOS\tID\tREF\tALT\n'];
  for (let j = 0; j < variants.id.length; j++) {
    lines.push(`${variants.chrom[j]}\t${variants.pos[j]}\t${variants.id[j]}\t${variants.ref[j]}\t${variants.alt[j]}\n`);
  }
  return lines.join('');
}

/** The .psam: '#FID IID SEX' (sex 1 male, 2 female, 0 unknown — written NA, as plink2 does). */
export function psamText(samples: { fid: string; iid: string }[], sex: Uint8Array | null): string {
  const lines: string[] = ['#FID\tIID\tSEX\n'];
  samples.forEach((s, i) => {
    const x = sex ? sex[i]! : 0;
    lines.push(`${s.fid}\t${s.iid}\t${x === 1 || x === 2 ? x : 'NA'}\n`);
  });
  return lines.join('');
}
