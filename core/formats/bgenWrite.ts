// BGEN v1.2 writer (layout 2, zlib, 16-bit probabilities), from the BGEN specification: a
// header block with the sample identifier block (single IDs, as VCF), then one block per
// biallelic variant whose first allele is REF (read with plink2 `ref-first`, study refFirst).
//
// A dosage becomes genotype probabilities whose expected ALT count is that dosage: with
// x = ALT dosage in [0, 2], the mass sits on the two genotypes around x —
//   x ≤ 1: P(REF/REF) = 1 − x, P(REF/ALT) = x,     P(ALT/ALT) = 0;
//   x > 1: P(REF/REF) = 0,     P(REF/ALT) = 2 − x, P(ALT/ALT) = x − 1 —
// so hard calls are certain genotypes. Stored are the 16-bit numerators of P(REF/REF) and
// P(REF/ALT) (P(ALT/ALT) is implied), from s = round(r·65535/16384) = 2·P(REF/REF) + P(REF/ALT)
// in numerator units, r = 32768 − u the REF dosage in 1/16384 units. plink2 reads the REF
// dosage as floor((16384·s + 32768)/65535) = r + floor((16384·e + 32768)/65535) with
// |e| ≤ 1/2, and that floor is 0: every dosage u comes back exactly.
// A missing sample has the missingness bit on its ploidy byte and zero probabilities.
import { deflateSync } from 'node:zlib';
import { AtomicFileWriter } from '../files/atomicWrite.js';
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import type { DosageWriter, WriteVariant } from './dosageWriter.js';

const BITS = 16;
const ONE = 0xffff; // probability 1 in 16-bit numerators
const HEADER_LENGTH = 20;
const FLAG_ZLIB = 1;
const LAYOUT_2 = 2 << 2;
const FLAG_SAMPLE_IDS = 0x80000000;
const PLOIDY_DIPLOID = 2;
const MISSING_BIT = 0x80;

/**
 * Numerators [P(REF/REF), P(REF/ALT)] (of 65535) for an ALT dosage `u` in 1/16384 units;
 * [0, 0] for DOSAGE_MISSING.
 */
export function bgenProbabilities(u: number): [number, number] {
  if (u === DOSAGE_MISSING) return [0, 0];
  if (!(u >= 0 && u <= DOSAGE_MAX)) throw new RangeError(`dosage ${u} is outside 0..${DOSAGE_MAX}`);
  const s = Math.round(((DOSAGE_MAX - u) * ONE) / DOSAGE_SCALE);
  const homRef = Math.max(0, s - ONE);
  return [homRef, s - 2 * homRef];
}

/** Numerator pairs for every dosage 0..32768, little-endian u16 ×2 (built once: 128 KiB). */
let pairTable: Uint8Array | null = null;

function pairs(): Uint8Array {
  if (pairTable) return pairTable;
  const t = new Uint8Array((DOSAGE_MAX + 1) * 4);
  const view = new DataView(t.buffer);
  for (let u = 0; u <= DOSAGE_MAX; u++) {
    const [aa, ab] = bgenProbabilities(u);
    view.setUint16(4 * u, aa, true);
    view.setUint16(4 * u + 2, ab, true);
  }
  pairTable = t;
  return t;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function checkLength(what: string, s: Buffer, max: number): void {
  if (s.length > max) throw new RangeError(`BGEN ${what} of ${s.length} bytes is longer than ${max}`);
}

/** Header block and sample identifier block: everything before the first variant. */
export function bgenHeader(nVariants: number, samples: string[]): Uint8Array {
  const ids = samples.map((id) => {
    if (id === '' || /\s/.test(id)) throw new RangeError(`BGEN sample ID '${id}' is empty or contains whitespace`);
    const b = utf8(id);
    checkLength('sample ID', b, 0xffff);
    return b;
  });
  const sampleBlock = 8 + ids.reduce((n, b) => n + 2 + b.length, 0);
  const out = Buffer.alloc(4 + HEADER_LENGTH + sampleBlock);
  let p = 0;
  p = out.writeUInt32LE(HEADER_LENGTH + sampleBlock, p); // offset of the first variant, from byte 4
  p = out.writeUInt32LE(HEADER_LENGTH, p);
  p = out.writeUInt32LE(nVariants, p);
  p = out.writeUInt32LE(samples.length, p);
  p += out.write('bgen', p, 'latin1');
  p = out.writeUInt32LE((FLAG_ZLIB | LAYOUT_2 | FLAG_SAMPLE_IDS) >>> 0, p);
  p = out.writeUInt32LE(sampleBlock, p);
  p = out.writeUInt32LE(samples.length, p);
  for (const b of ids) {
    p = out.writeUInt16LE(b.length, p);
    p += b.copy(out, p);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The uncompressed probability data of one biallelic diploid variant (layout 2). */
export function bgenProbabilityData(units: Uint16Array): Buffer {
  const n = units.length;
  const table = pairs();
  const data = Buffer.alloc(8 + n + 2 + 4 * n); // N, K, min and max ploidy; ploidy bytes; phased, B; probabilities
  let p = data.writeUInt32LE(n, 0);
  p = data.writeUInt16LE(2, p); // alleles
  data[p++] = PLOIDY_DIPLOID; // min ploidy
  data[p++] = PLOIDY_DIPLOID; // max ploidy
  for (let i = 0; i < n; i++) data[p++] = units[i] === DOSAGE_MISSING ? PLOIDY_DIPLOID | MISSING_BIT : PLOIDY_DIPLOID;
  data[p++] = 0; // unphased
  data[p++] = BITS;
  for (let i = 0; i < n; i++, p += 4) {
    const u = units[i]!;
    if (u === DOSAGE_MISSING) continue; // zeros, as the spec asks
    if (u > DOSAGE_MAX) throw new RangeError(`dosage ${u} is above ${DOSAGE_MAX} (2 copies)`);
    const t = 4 * u;
    data[p] = table[t]!;
    data[p + 1] = table[t + 1]!;
    data[p + 2] = table[t + 2]!;
    data[p + 3] = table[t + 3]!;
  }
  return data;
}

/** One variant block: identifying data (ID as both variant ID and rsID), then the zlib data. */
export function bgenVariantBlock(v: WriteVariant, units: Uint16Array, level: number): Buffer {
  const id = utf8(v.id);
  const chrom = utf8(v.chrom);
  const alleles = [utf8(v.ref), utf8(v.alt)];
  checkLength('variant ID', id, 0xffff);
  checkLength('chromosome', chrom, 0xffff);
  const raw = bgenProbabilityData(units);
  const packed = deflateSync(raw, { level });
  const size = 2 * (2 + id.length) + 2 + chrom.length + 4 + 2 + alleles.reduce((n, a) => n + 4 + a.length, 0) + 8 + packed.length;
  const out = Buffer.alloc(size);
  let p = 0;
  for (const s of [id, id, chrom]) {
    p = out.writeUInt16LE(s.length, p);
    p += s.copy(out, p);
  }
  p = out.writeUInt32LE(v.pos, p);
  p = out.writeUInt16LE(alleles.length, p);
  for (const a of alleles) {
    p = out.writeUInt32LE(a.length, p);
    p += a.copy(out, p);
  }
  p = out.writeUInt32LE(packed.length + 4, p); // C counts D's 4 bytes
  p = out.writeUInt32LE(raw.length, p);
  packed.copy(out, p);
  return out;
}

export interface BgenWriteOptions {
  samples: string[];
  nVariants: number;
  /** zlib level (default 6). */
  level?: number;
}

/** Streams variant blocks to a .bgen whose header announces `nVariants`. */
export class BgenWriter implements DosageWriter {
  private readonly out: AtomicFileWriter;
  private readonly level: number;
  private written = 0;

  constructor(
    path: string,
    private readonly opts: BgenWriteOptions,
  ) {
    this.level = opts.level ?? 6;
    this.out = new AtomicFileWriter(path);
    this.out.write(bgenHeader(opts.nVariants, opts.samples));
  }

  writeVariant(v: WriteVariant, units: Uint16Array): void {
    if (units.length !== this.opts.samples.length) throw new RangeError(`${units.length} dosages for ${this.opts.samples.length} samples`);
    if (this.written === this.opts.nVariants) throw new RangeError(`more than the ${this.opts.nVariants} variants the header announces`);
    this.out.write(bgenVariantBlock(v, units, this.level));
    this.written++;
  }

  commit(): void {
    if (this.written !== this.opts.nVariants) throw new RangeError(`${this.written} variants written, the header announces ${this.opts.nVariants}`);
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}
