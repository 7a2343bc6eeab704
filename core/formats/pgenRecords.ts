// PLINK 2 .pgen binary layout (pgen_spec, checked against what plink2 writes): the header with
// its record index, and the decoding of one variant record into ALT dosages in 1/16384 units.
// Genotypes stay packed 2 bits per sample (0 hom-REF, 1 het, 2 hom-ALT, 3 missing) while a record
// is decoded, so difflists, LD references and inversion are byte operations; only the last step
// widens them to one Uint16 per sample through a byte lookup table.
import type { FileHandle } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';

/** Storage modes (third byte): PLINK 1 .bed, fixed-width hard calls / dosages / phased dosages, variable-width. */
export const PGEN_MODE_BED = 0x01;
export const PGEN_MODE_VARIABLE = 0x10;
/** 0x10 plus header/footer extensions; the record layout is the same and extensions are skipped. */
export const PGEN_MODE_VARIABLE_EXT = 0x11;

const VBLOCK = 1 << 16; // variants per header block
const NO_DOSAGE = 0xffff; // an 'all dosages' entry without a dosage: the hard call stands

export interface PgenIndex {
  file: string;
  mode: number;
  nVariants: number;
  nSamples: number;
  /** Record type byte per variant (all 0 for mode 0x01, whose records have no type). */
  types: Uint8Array;
  /** File offset of each record; offsets[nVariants] is the end of the last one. */
  offsets: Float64Array;
  /** Longest record, for sizing read buffers. */
  maxRecordBytes: number;
}

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** `want` bytes at `position`, or a BadInputError saying the file ends first. */
async function readExact(fh: FileHandle, file: string, position: number, want: number, what: string): Promise<Uint8Array> {
  const buf = new Uint8Array(want);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(buf, got, want - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < want) {
    throw new BadInputError(file, `truncated: ${what} needs bytes ${position}..${position + want - 1}, the file ends at byte ${position + got}`);
  }
  return buf;
}

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * Reads the header and the record index. `nSamplesHint` (from the .psam) is needed only for
 * mode 0x01, a PLINK 1 .bed, which stores no sample count.
 */
export async function readPgenIndex(fh: FileHandle, file: string, nSamplesHint: number): Promise<PgenIndex> {
  const { size } = await fh.stat();
  if (size < 3) throw new BadInputError(file, `truncated: ${size} bytes, a .pgen starts with 3 header bytes`);
  const head = await readExact(fh, file, 0, Math.min(size, 12), 'the header');
  if (head[0] !== 0x6c || head[1] !== 0x1b) {
    throw new BadInputError(file, `not a PLINK 2 .pgen: magic bytes at offset 0 are ${hex(head[0]!)} ${hex(head[1]!)}, expected 0x6c 0x1b`);
  }
  const mode = head[2]!;
  if (mode === PGEN_MODE_BED) return bedIndex(file, size, nSamplesHint);
  if (mode === 0x00) throw new BadInputError(file, 'storage mode 0x00 is a sample-major PLINK 1 .bed; re-save it with plink2 --make-pgen');
  if (!((mode >= 0x02 && mode <= 0x04) || mode === PGEN_MODE_VARIABLE || mode === PGEN_MODE_VARIABLE_EXT)) {
    const why = (mode & 0xfe) === 0x20 ? ' (header in a separate .pgen.pgi index, not supported)' : '';
    throw new BadInputError(file, `unsupported storage mode ${hex(mode)} at offset 2${why}; supported: 0x01-0x04, 0x10, 0x11`);
  }
  if (size < 12) throw new BadInputError(file, `truncated: ${size} bytes, the header alone is 12`);
  const nVariants = u32(head, 3);
  const nSamples = u32(head, 7);
  const ctrl = head[11]!;
  if (nVariants === 0 || nSamples === 0) {
    throw new BadInputError(file, `header declares ${nVariants} variants and ${nSamples} samples; both must be positive`);
  }
  return mode < 0x10 ? fixedIndex(file, size, mode, nVariants, nSamples, ctrl) : variableIndex(fh, file, size, mode, nVariants, nSamples, ctrl);
}

function bedIndex(file: string, size: number, nSamples: number): PgenIndex {
  const width = (nSamples + 3) >>> 2;
  const nVariants = (size - 3) / width;
  if (!Number.isInteger(nVariants) || nVariants === 0) {
    throw new BadInputError(file, `PLINK 1 .bed (mode 0x01) of ${size} bytes is not 3 + a whole number of ${width}-byte variants for ${nSamples} samples`);
  }
  return fixedLayout(file, PGEN_MODE_BED, nVariants, nSamples, 3, width, 0);
}

function fixedIndex(file: string, size: number, mode: number, nVariants: number, nSamples: number, ctrl: number): PgenIndex {
  if (ctrl & 63) throw new BadInputError(file, `fixed-width storage mode ${hex(mode)} with header byte 11 = ${hex(ctrl)} (only bits 6-7 may be set)`);
  const first = 12 + (ctrl >> 6 === 3 ? Math.ceil(nVariants / 8) : 0);
  const geno = (nSamples + 3) >>> 2;
  // 0x02 hard calls; 0x03 adds a dosage per sample; 0x04 also a dosage-phase delta per sample.
  const width = mode === 0x02 ? geno : mode === 0x03 ? geno + 2 * nSamples : geno + 4 * nSamples;
  const type = mode === 0x02 ? 0 : mode === 0x03 ? 0x40 : 0xc0;
  const expected = first + nVariants * width;
  if (size !== expected) {
    const v = Math.floor((size - first) / width);
    const detail =
      size < expected
        ? `truncated: variant #${v} (0-based) runs past the end (file is ${size} bytes, ${nVariants} records of ${width} bytes need ${expected})`
        : `size is ${size} bytes, expected ${expected} for ${nVariants} fixed-width records of ${width} bytes`;
    throw new BadInputError(file, detail);
  }
  return fixedLayout(file, mode, nVariants, nSamples, first, width, type);
}

function fixedLayout(file: string, mode: number, nVariants: number, nSamples: number, first: number, width: number, type: number): PgenIndex {
  const offsets = new Float64Array(nVariants + 1);
  for (let v = 0; v <= nVariants; v++) offsets[v] = first + v * width;
  return { file, mode, nVariants, nSamples, types: new Uint8Array(nVariants).fill(type), offsets, maxRecordBytes: width };
}

async function variableIndex(fh: FileHandle, file: string, size: number, mode: number, nVariants: number, nSamples: number, ctrl: number): Promise<PgenIndex> {
  const storage = ctrl & 15;
  if (storage >= 8) {
    throw new BadInputError(file, `header byte 11 = ${hex(ctrl)}: the special record-type/length encodings (${storage}) of single-sample files are not supported`);
  }
  const typeBits = storage < 4 ? 4 : 8;
  const lenBytes = 1 + (storage & 3);
  const alleleCountBytes = (ctrl >> 4) & 3;
  const nonrefBits = ctrl >> 6 === 3;
  const nBlocks = Math.ceil(nVariants / VBLOCK);
  const blockTable = await readExact(fh, file, 12, 8 * nBlocks, 'the variant block offsets');
  const types = new Uint8Array(nVariants);
  const offsets = new Float64Array(nVariants + 1);
  let at = 12 + 8 * nBlocks;
  let fpos = 0;
  let maxRecordBytes = 0;
  for (let b = 0; b < nBlocks; b++) {
    const first = b * VBLOCK;
    const n = Math.min(VBLOCK, nVariants - first);
    const blockStart = u32(blockTable, 8 * b) + u32(blockTable, 8 * b + 4) * 2 ** 32;
    if (b === 0) fpos = blockStart;
    else if (blockStart !== fpos) {
      throw new BadInputError(file, `header: block ${b} (variant #${first}) starts at byte ${blockStart}, but the record lengths before it end at ${fpos}`);
    }
    const typeBytes = typeBits === 4 ? (n + 1) >>> 1 : n;
    const bytes = typeBytes + n * lenBytes + n * alleleCountBytes + (nonrefBits ? (n + 7) >>> 3 : 0);
    const block = await readExact(fh, file, at, bytes, `the header of variant block ${b}`);
    for (let i = 0; i < n; i++) {
      types[first + i] = typeBits === 4 ? (block[i >>> 1]! >>> ((i & 1) << 2)) & 15 : block[i]!;
    }
    let p = typeBytes;
    for (let i = 0; i < n; i++, p += lenBytes) {
      let len = 0;
      for (let k = lenBytes - 1; k >= 0; k--) len = len * 256 + block[p + k]!;
      offsets[first + i] = fpos;
      fpos += len;
      if (len > maxRecordBytes) maxRecordBytes = len;
    }
    at += bytes;
  }
  offsets[nVariants] = fpos;
  if (offsets[0]! < at) {
    throw new BadInputError(file, `header: the first record starts at byte ${offsets[0]}, inside the ${at}-byte header`);
  }
  if (fpos > size) {
    let v = nVariants - 1;
    while (v > 0 && offsets[v]! >= size) v--;
    throw new BadInputError(file, `truncated: variant #${v} (0-based) runs past the end (records end at byte ${fpos}, the file has ${size} bytes)`);
  }
  for (let v = 0; v < nVariants; v++) checkType(file, v, types[v]!, offsets);
  return { file, mode, nVariants, nSamples, types, offsets, maxRecordBytes };
}

function checkType(file: string, v: number, type: number, offsets: Float64Array): void {
  // Bit 7 (phased dosages) only qualifies the dosage track of bits 5-6.
  if (type & 0x80 && !(type & 0x60)) throw new BadInputError(file, `variant #${v} at byte ${offsets[v]}: unknown record type ${hex(type)} (phased dosages without dosages)`);
  const ld = (type & 6) === 2;
  if (ld && v % VBLOCK === 0) {
    throw new BadInputError(file, `variant #${v} at byte ${offsets[v]}: record type ${hex(type)} is LD-compressed, but it opens a variant block and has no reference record`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup tables over bytes

/** Packed byte → its four dosages (hard call × 16384, missing → DOSAGE_MISSING). */
const BYTE_TO_DOSAGES: Uint16Array = (() => {
  const code = [0, DOSAGE_SCALE, DOSAGE_MAX, DOSAGE_MISSING];
  const t = new Uint16Array(256 * 4);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 4; k++) t[b * 4 + k] = code[(b >>> (2 * k)) & 3]!;
  return t;
})();

/** Packed byte with hom-REF and hom-ALT swapped (LD-compressed 'inverted' records). */
const INVERT: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    let r = 0;
    for (let k = 0; k < 8; k += 2) {
      const c = (b >>> k) & 3;
      r |= (c === 0 ? 2 : c === 2 ? 0 : c) << k;
    }
    t[b] = r;
  }
  return t;
})();

/** PLINK 1 .bed byte (0 hom-A1=ALT, 1 missing, 2 het, 3 hom-A2=REF) → PLINK 2 codes. */
const FROM_PLINK1: Uint8Array = (() => {
  const map = [2, 3, 1, 0];
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 8; k += 2) t[b]! |= map[(b >>> k) & 3]! << k;
  return t;
})();

/** Heterozygous calls (code 1) in a packed byte, for sizing the phase track. */
const HETS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 8; k += 2) t[b]! += ((b >>> k) & 3) === 1 ? 1 : 0;
  return t;
})();

/** Bit k of a byte moved to bit 2k: eight 1-bit choices become eight 2-bit slots. */
const SPREAD: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 8; k++) if ((b >>> k) & 1) t[b]! |= 1 << (2 * k);
  return t;
})();

const POPCOUNT: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 1; b < 256; b++) t[b] = (b & 1) + t[b >>> 1]!;
  return t;
})();

// 1-bit records name their two categories as 4·low + (high − low): 0/1, 0/2, 0/3, 1/2, 1/3, 2/3.
const ONEBIT_CODES = new Set([1, 2, 3, 5, 6, 9]);

// ---------------------------------------------------------------------------------------------
// Record decoding

/**
 * Decodes records in file order. Keeps the genotypes of the last non-LD-compressed record, the
 * reference of any LD-compressed record after it, so every record must be passed, skipped ones
 * included (they may be that reference).
 */
export class PgenRecordDecoder {
  private readonly nSamples: number;
  private readonly genoBytes: number;
  private readonly idBytes: number;
  private readonly plink1: boolean;
  /** Packed genotypes of the last non-LD record (+1 byte: 1-bit records expand 8 samples at a time). */
  private readonly base: Uint8Array;
  private readonly ld: Uint8Array;
  private hasBase = false;
  private readonly ids: Int32Array;
  private readonly codes: Uint8Array;
  // The record being decoded.
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  private v = 0;
  private at = 0;

  constructor(private readonly index: PgenIndex) {
    this.nSamples = index.nSamples;
    this.genoBytes = (index.nSamples + 3) >>> 2;
    // Sample IDs in difflists take as many bytes as the sample count needs (256 → 2 bytes).
    this.idBytes = index.nSamples < 1 << 8 ? 1 : index.nSamples < 1 << 16 ? 2 : index.nSamples < 1 << 24 ? 3 : 4;
    this.plink1 = index.mode === PGEN_MODE_BED;
    this.base = new Uint8Array(this.genoBytes + 1);
    this.ld = new Uint8Array(this.genoBytes + 1);
    this.ids = new Int32Array(index.nSamples);
    this.codes = new Uint8Array(index.nSamples);
  }

  /**
   * Decodes variant `v`, whose record is `buf[start, end)`, into `out[outAt, outAt + nSamples)`.
   * With `out` null the record is only read as far as the next records need (skipped variants).
   */
  decode(v: number, buf: Uint8Array, start: number, end: number, out: Uint16Array | null, outAt: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.v = v;
    this.at = this.index.offsets[v]! - start;
    const type = this.index.types[v]!;
    const main = type & 7;
    let geno: Uint8Array;
    if (main === 2 || main === 3) {
      if (!this.hasBase) this.fail(`record type ${hex(type)} is LD-compressed but no earlier record is its reference`);
      if (out === null) return;
      geno = this.ld;
      geno.set(this.base);
      this.applyDifflist(geno);
      // The difflist was taken against the inverted genotypes: apply it, then invert.
      if (main === 3) for (let i = 0; i < this.genoBytes; i++) geno[i] = INVERT[geno[i]!]!;
    } else {
      geno = this.base;
      this.decodeMain(main, geno);
      this.hasBase = true;
      if (out === null) return;
    }
    if (type & 8) this.fail(`record type ${hex(type)} has multi-allelic hard calls, but the .pvar lists one ALT allele`);
    if (type & 0x10) this.skipPhase(geno);
    this.widen(geno, out, outAt);
    const dosage = type & 0x60;
    if (dosage === 0x20) this.sparseDosages(out, outAt);
    else if (dosage === 0x60) this.maskedDosages(out, outAt);
    else if (dosage === 0x40) this.denseDosages(out, outAt);
    // Phased-dosage tracks (bit 7) follow; the unphased sums above are all we need.
    if (!(type & 0x80) && this.pos !== this.end) this.fail(`record type ${hex(type)} decodes from ${this.pos - start} of its ${end - start} bytes`);
  }

  private recordLength(): number {
    return this.index.offsets[this.v + 1]! - this.index.offsets[this.v]!;
  }

  private fail(detail: string): never {
    throw new BadInputError(this.index.file, `variant #${this.v} (0-based) at byte ${this.index.offsets[this.v]}: ${detail}`);
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (p + n > this.end) this.fail(`${what} runs past the end of the ${this.recordLength()}-byte record (at byte ${this.at + p})`);
    this.pos = p + n;
    return p;
  }

  private varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) this.fail(`a varint runs past the end of the ${this.recordLength()}-byte record`);
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return this.fail('a varint is longer than 5 bytes');
  }

  /** Non-LD main track into `g`: plain 2-bit, 1-bit with a difflist, or a difflist from one category. */
  private decodeMain(main: number, g: Uint8Array): void {
    const buf = this.buf;
    const n = this.genoBytes;
    if (main === 0) {
      const p = this.need(n, 'the 2-bit genotype array');
      if (this.plink1) for (let i = 0; i < n; i++) g[i] = FROM_PLINK1[buf[p + i]!]!;
      else g.set(buf.subarray(p, p + n));
    } else if (main === 1) {
      const code = buf[this.need(1, 'the 1-bit category byte')]!;
      if (!ONEBIT_CODES.has(code)) this.fail(`1-bit record names categories with byte ${hex(code)}`);
      const bits = (this.nSamples + 7) >>> 3;
      const p = this.need(bits, 'the 1-bit genotype array');
      const low = (code >>> 2) * 0x5555;
      const delta = code & 3;
      for (let i = 0; i < bits; i++) {
        const w = low + delta * SPREAD[buf[p + i]!]!;
        g[2 * i] = w & 0xff;
        g[2 * i + 1] = w >>> 8;
      }
      this.applyDifflist(g);
    } else if (main === 5) {
      g.fill(0); // all hom-REF, no bytes
    } else {
      g.fill((main - 4) * 0x55); // 4, 6, 7: everyone hom-REF, hom-ALT or missing, then the exceptions
      this.applyDifflist(g);
    }
    // Padding codes past the last sample must not count as hets (1-bit records can set them).
    const rest = this.nSamples & 3;
    if (rest) g[n - 1]! &= (1 << (2 * rest)) - 1;
  }

  /**
   * Reads a difflist into ids/codes and returns its length. Layout: varint length L; the first
   * sample ID of each group of 64; a byte per group but the last (its byte size, unused here);
   * with genotypes, L 2-bit codes; then varint ID deltas within each group.
   */
  private readDifflist(withCodes: boolean): number {
    const len = this.varint();
    if (len === 0) return 0;
    if (len > this.nSamples) this.fail(`difflist of ${len} entries for ${this.nSamples} samples`);
    const groups = Math.ceil(len / 64);
    const buf = this.buf;
    const idBytes = this.idBytes;
    const starts = this.need(groups * idBytes, 'the difflist group starts');
    this.need(groups - 1, 'the difflist group sizes');
    const codesAt = withCodes ? this.need((len + 3) >>> 2, 'the difflist genotypes') : 0;
    const ids = this.ids;
    const n = this.nSamples;
    for (let g = 0, k = 0; g < groups; g++) {
      let id = 0;
      for (let b = idBytes - 1; b >= 0; b--) id = id * 256 + buf[starts + g * idBytes + b]!;
      const stop = Math.min(len, k + 64);
      for (;;) {
        if (id >= n) this.fail(`difflist names sample index ${id}, past the last of ${n} samples`);
        ids[k++] = id;
        if (k === stop) break;
        const d = this.varint();
        if (d === 0) this.fail('difflist sample indices are not increasing');
        id += d;
      }
    }
    if (withCodes) {
      const codes = this.codes;
      for (let k = 0; k < len; k++) codes[k] = (buf[codesAt + (k >>> 2)]! >>> ((k & 3) << 1)) & 3;
    }
    return len;
  }

  private applyDifflist(g: Uint8Array): void {
    const len = this.readDifflist(true);
    const ids = this.ids;
    const codes = this.codes;
    for (let k = 0; k < len; k++) {
      const s = ids[k]!;
      const shift = (s & 3) << 1;
      g[s >>> 2] = (g[s >>> 2]! & ~(3 << shift)) | (codes[k]! << shift);
    }
  }

  /**
   * Phase track: its first bit says whether a 'phase present' bit per het follows; then a phase
   * bit per phased het. Sized from the het count, so it must be skipped, not ignored.
   */
  private skipPhase(g: Uint8Array): void {
    let hets = 0;
    for (let i = 0; i < this.genoBytes; i++) hets += HETS[g[i]!]!;
    const first = 1 + (hets >>> 3);
    const p = this.need(first, 'the phase track');
    if (!(this.buf[p]! & 1)) return;
    let present = -1;
    for (let i = 0; i < first; i++) present += POPCOUNT[this.buf[p + i]!]!;
    this.need((present + 7) >>> 3, 'the phase bits');
  }

  private widen(g: Uint8Array, out: Uint16Array, at: number): void {
    const full = this.nSamples >>> 2;
    for (let i = 0; i < full; i++) {
      const t = g[i]! << 2;
      const o = at + (i << 2);
      out[o] = BYTE_TO_DOSAGES[t]!;
      out[o + 1] = BYTE_TO_DOSAGES[t + 1]!;
      out[o + 2] = BYTE_TO_DOSAGES[t + 2]!;
      out[o + 3] = BYTE_TO_DOSAGES[t + 3]!;
    }
    const rest = this.nSamples & 3;
    if (rest) {
      const t = g[full]! << 2;
      for (let k = 0; k < rest; k++) out[at + (full << 2) + k] = BYTE_TO_DOSAGES[t + k]!;
    }
  }

  private dosageAt(p: number): number {
    const d = this.buf[p]! | (this.buf[p + 1]! << 8);
    if (d > DOSAGE_MAX) this.fail(`dosage value ${d} is above ${DOSAGE_MAX} (2 copies)`);
    return d;
  }

  /** Dosage track as a list of sample IDs (a difflist without genotypes), then their values. */
  private sparseDosages(out: Uint16Array, at: number): void {
    const len = this.readDifflist(false);
    const p = this.need(2 * len, 'the dosage values');
    const ids = this.ids;
    for (let k = 0; k < len; k++) out[at + ids[k]!] = this.dosageAt(p + 2 * k);
  }

  /** Dosage track as a bit per sample, then the values of the set bits in sample order. */
  private maskedDosages(out: Uint16Array, at: number): void {
    const bytes = (this.nSamples + 7) >>> 3;
    const m = this.need(bytes, 'the dosage bitarray');
    const buf = this.buf;
    let count = 0;
    for (let i = 0; i < bytes; i++) count += POPCOUNT[buf[m + i]!]!;
    let p = this.need(2 * count, 'the dosage values');
    for (let i = 0; i < bytes; i++) {
      let bits = buf[m + i]!;
      while (bits) {
        const low = bits & -bits;
        const s = (i << 3) + 31 - Math.clz32(low);
        if (s >= this.nSamples) this.fail('the dosage bitarray has bits set past the last sample');
        out[at + s] = this.dosageAt(p);
        p += 2;
        bits ^= low;
      }
    }
  }

  /** 'All dosages': one value per sample, 0xffff where the sample has none (its hard call stands). */
  private denseDosages(out: Uint16Array, at: number): void {
    const p = this.need(2 * this.nSamples, 'the dosage values');
    const buf = this.buf;
    for (let s = 0; s < this.nSamples; s++) {
      const q = p + 2 * s;
      if ((buf[q]! | (buf[q + 1]! << 8)) === NO_DOSAGE) continue;
      out[at + s] = this.dosageAt(q);
    }
  }
}
