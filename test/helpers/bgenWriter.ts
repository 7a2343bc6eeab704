// A small BGEN (layout 2) writer for tests: it writes what plink2 does not (no compression, no
// sample identifier block, haploid and variable-ploidy samples, phased records, odd precisions,
// multi-allelic records) and lets a test patch single fields to build broken files.
import { deflateSync } from 'node:zlib';

export interface BgenTestVariant {
  varid?: string;
  rsid: string;
  chrom: string;
  pos: number;
  alleles: string[];
  bits: number;
  phased?: boolean;
  /** Per sample: ploidy (0–63). */
  ploidy: number[];
  /** Per sample: missingness bit. */
  missing?: boolean[];
  /** Per sample: the stored numerators in file order (Z values for a ploidy-Z biallelic sample). */
  values: number[][];
}

export interface BgenTestFile {
  nSamples: number;
  /** IDs for the sample identifier block; null writes none (flag bit 31 clear). */
  sampleIds: string[] | null;
  /** 0 none, 1 zlib (the writer cannot compress with zstd). */
  compression: 0 | 1;
  variants: BgenTestVariant[];
  /** Overrides the header's variant count M. */
  headerVariants?: number;
  freeData?: Uint8Array;
}

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const str16 = (s: string): Buffer => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);

/** Packs `values` as `bits`-bit integers, least significant bit first (the BGEN bit order). */
export function packBits(values: readonly number[], bits: number): Buffer {
  const out = Buffer.alloc(Math.ceil((values.length * bits) / 8));
  let bit = 0;
  for (const v of values) {
    let x = BigInt(v);
    for (let b = 0; b < bits; b++, bit++) {
      if (x & 1n) out[bit >> 3]! |= 1 << (bit & 7);
      x >>= 1n;
    }
  }
  return out;
}

/** The uncompressed probability data of a variant. */
export function probabilityData(v: BgenTestVariant, nSamples: number): Buffer {
  const ploidyBytes = Buffer.from(v.ploidy.map((z, i) => z | (v.missing?.[i] ? 0x80 : 0)));
  const minPloidy = Math.min(...v.ploidy);
  const maxPloidy = Math.max(...v.ploidy);
  return Buffer.concat([
    u32(nSamples),
    u16(v.alleles.length),
    Buffer.from([minPloidy, maxPloidy]),
    ploidyBytes,
    Buffer.from([v.phased ? 1 : 0, v.bits]),
    packBits(v.values.flat(), v.bits),
  ]);
}

/** One variant block; `data` replaces the probability data (already uncompressed) when given. */
export function variantBlock(v: BgenTestVariant, nSamples: number, compression: 0 | 1, data?: Buffer): Buffer {
  const raw = data ?? probabilityData(v, nSamples);
  const body = compression === 0 ? raw : Buffer.concat([u32(raw.length), deflateSync(raw)]);
  return Buffer.concat([
    str16(v.varid ?? ''),
    str16(v.rsid),
    str16(v.chrom),
    u32(v.pos),
    u16(v.alleles.length),
    ...v.alleles.map((a) => Buffer.concat([u32(Buffer.byteLength(a)), Buffer.from(a)])),
    u32(body.length),
    body,
  ]);
}

export function encodeBgen(f: BgenTestFile): Buffer {
  const free = Buffer.from(f.freeData ?? new Uint8Array(0));
  const headerLength = 20 + free.length;
  const flags = (f.compression | (2 << 2) | (f.sampleIds ? 0x80000000 : 0)) >>> 0;
  let sampleBlock = Buffer.alloc(0);
  if (f.sampleIds) {
    const ids = Buffer.concat(f.sampleIds.map(str16));
    sampleBlock = Buffer.concat([u32(8 + ids.length), u32(f.sampleIds.length), ids]);
  }
  const header = Buffer.concat([
    u32(headerLength + sampleBlock.length),
    u32(headerLength),
    u32(f.headerVariants ?? f.variants.length),
    u32(f.nSamples),
    Buffer.from('bgen'),
    free,
    u32(flags),
  ]);
  return Buffer.concat([header, sampleBlock, ...f.variants.map((v) => variantBlock(v, f.nSamples, f.compression))]);
}

/** The file offset of the first variant block of a BGEN file. */
export const firstVariantOffset = (bgen: Buffer): number => bgen.readUInt32LE(0) + 4;
