// PLINK 2 fileset writer (.pgen + .pvar + .psam), from pgen_spec: the simplest storage modes
// plink2 reads, fixed-width records with no index to build.
//   0x02 hard calls: per variant ceil(N/4) bytes of 2-bit codes, low bits first
//        (0 hom-REF, 1 het, 2 hom-ALT, 3 missing);
//   0x03 hard calls + dosages: the same, then N little-endian uint16 ALT dosages in 1/16384
//        units, 65535 where the sample has none (used only with a missing hard call).
// A dosage file's hard calls follow plink2's import rule (--hard-call-threshold 0.1): the
// nearest whole count when the dosage is within 0.1 of it, else missing.
// Header: 6c 1b <mode>, uint32 variant count, uint32 sample count, then a control byte whose
// bits 6-7 = 01 say no REF allele is provisional (what plink2 writes then; 10 'all provisional'
// would also need an INFO/PR column in the .pvar, or plink2 warns).
import { AtomicFileWriter } from '../files/atomicWrite.js';
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import type { DosageWriter, WriteVariant } from './dosageWriter.js';

export const PGEN_MODE_HARDCALLS = 0x02;
export const PGEN_MODE_DOSAGES = 0x03;
const NO_PROVISIONAL_REF = 0x40;
/** plink2's default --hard-call-threshold, in 1/16384 units (0.1 · 16384, rounded down as plink2 does). */
const HARD_CALL_THRESHOLD = Math.floor(0.1 * DOSAGE_SCALE);
const HARDCALL_MISSING = 3;

/** The 12-byte header of a fixed-width .pgen. */
export function pgenHeader(mode: number, nVariants: number, nSamples: number): Uint8Array {
  const h = new Uint8Array(12);
  const view = new DataView(h.buffer);
  h.set([0x6c, 0x1b, mode]);
  view.setUint32(3, nVariants, true);
  view.setUint32(7, nSamples, true);
  h[11] = NO_PROVISIONAL_REF;
  return h;
}

/** Bytes of one record in `mode`. */
export function pgenRecordBytes(mode: number, nSamples: number): number {
  const geno = (nSamples + 3) >>> 2;
  return mode === PGEN_MODE_HARDCALLS ? geno : geno + 2 * nSamples;
}

/** A dosage's hard call: plink2's rule above (an exact whole count is always its own call). */
function hardCall(u: number): number {
  if (u === DOSAGE_MISSING) return HARDCALL_MISSING;
  const call = Math.round(u / DOSAGE_SCALE);
  return Math.abs(u - call * DOSAGE_SCALE) <= HARD_CALL_THRESHOLD ? call : HARDCALL_MISSING;
}

/**
 * Encodes one variant's ALT dosages into `out` at `at`. In hard-call mode every dosage must be
 * a whole count or missing (RangeError otherwise: the caller chose the wrong mode).
 */
export function encodePgenRecord(mode: number, units: Uint16Array, out: Uint8Array, at: number): void {
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
      const u = units[i]!; // DOSAGE_MISSING is 65535, the format's 'no dosage'
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
    readonly mode: typeof PGEN_MODE_HARDCALLS | typeof PGEN_MODE_DOSAGES,
    readonly nVariants: number,
    readonly nSamples: number,
  ) {
    this.recordBytes = pgenRecordBytes(mode, nSamples);
    this.buf = new Uint8Array(Math.max(this.recordBytes, 1 << 20));
    this.out = new AtomicFileWriter(path);
    this.out.write(pgenHeader(mode, nVariants, nSamples));
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
