// BCF 2.2 (VCF spec §6): "BCF\2\2", the VCF header text, then binary records whose FORMAT
// data are stored per field for all samples (a typed vector each). Usually BGZF-compressed; an
// uncompressed BCF is read too. Dosages follow the same plink2 rules as the VCF reader
// (vcfDosage.ts), on float32 values; errors name the record and its uncompressed byte offset.
import { BadInputError } from '../errors.js';
import { DOSAGE_MISSING, type DosageChunk, type DosageReadSummary, type DosageSource } from '../genotypes/dosageSource.js';
import { readDecompressed, type InputInfo } from './bgzf.js';
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
  SkipTally,
  type DosageField,
  type DosageMode,
  type RecordFields,
  type VcfHeader,
} from './vcfDosage.js';

const hex = (b: Buffer): string => [...b.subarray(0, 5)].map((x) => x.toString(16).padStart(2, '0')).join(' ');

export async function openBcf(path: string, info: InputInfo, opts: { dosageField?: DosageField }): Promise<DosageSource> {
  const h = info.head;
  if (!(h.length >= 5 && h[0] === 0x42 && h[1] === 0x43 && h[2] === 0x46)) {
    throw new BadInputError(path, `not a BCF file: the first (decompressed) bytes are ${hex(h) || 'missing'}, expected 42 43 46 02 02 ('BCF' 2.2)`);
  }
  if (h[3] !== 2 || h[4] !== 2) {
    throw new BadInputError(path, `BCF version ${h[3]}.${h[4]}: only BCF 2.2 is supported (convert with bcftools view -Ob)`);
  }
  const header = await readBcfHeader(path, info);
  const mode = resolveMode(header, opts.dosageField, (d) => new BadInputError(path, `BCF header: ${d}`));
  return {
    format: 'bcf',
    files: [path],
    samples: { fid: header.samples.map(() => '0'), iid: header.samples, hasFid: false, source: `${path} (BCF header)` },
    read: (chunkVariants, onChunk) => new BcfReader(path, info, header, mode, checkChunkVariants(chunkVariants)).run(onChunk),
  };
}

// ---------------------------------------------------------------------------------------------
// Stream: the header, then records of 8 + l_shared + l_indiv bytes

type RecordResult = void | 'stop' | Promise<void>;

interface BcfHandlers {
  header(text: Buffer): 'stop' | void;
  /** Bytes [start, end) hold one record (from its l_shared field); `offset` in the decompressed stream. */
  record(b: Buffer, start: number, end: number, index: number, offset: number): RecordResult;
}

async function streamBcf(path: string, info: InputInfo, on: BcfHandlers): Promise<void> {
  let buf = Buffer.allocUnsafe(4 << 20);
  let len = 0;
  let pos = 0;
  let base = 0; // stream offset of buf[0]
  let inHeader = true;
  let index = 0;
  const where = (): string => (inHeader ? 'in the header' : `in record ${index + 1} (uncompressed byte offset ${base + pos})`);
  const corrupt = (detail: string): BadInputError => new BadInputError(path, `${detail}, ${where()}`);
  /** Bytes the unit at `pos` needs, or 0 when its length fields are not in yet. */
  const needed = (): number => {
    if (inHeader) return len - pos >= 9 ? 9 + buf.readUInt32LE(pos + 5) : 0;
    return len - pos >= 8 ? 8 + buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) : 0;
  };
  for await (const chunk of readDecompressed(path, info, corrupt)) {
    if (len + chunk.length > buf.length) {
      const keep = len - pos;
      if (keep + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(2 * buf.length, keep + chunk.length));
        buf.copy(grown, 0, pos, len);
        buf = grown;
      } else {
        buf.copyWithin(0, pos, len);
      }
      base += pos;
      len = keep;
      pos = 0;
    }
    chunk.copy(buf, len);
    len += chunk.length;
    for (let need = needed(); need > 0 && len - pos >= need; need = needed()) {
      const view = buf.subarray(0, len);
      if (inHeader) {
        inHeader = false;
        const stop = on.header(view.subarray(pos + 9, pos + need));
        pos += need;
        if (stop === 'stop') return;
        continue;
      }
      const r = on.record(view, pos, pos + need, ++index, base + pos);
      pos += need;
      if (r !== undefined) {
        if (r === 'stop') return;
        await r;
      }
    }
  }
  if (inHeader) throw new BadInputError(path, `truncated: the file ends inside the BCF header (after ${base + len} decompressed bytes)`);
  if (pos < len) {
    const need = needed();
    throw new BadInputError(
      path,
      `truncated: record ${index + 1} at uncompressed byte offset ${base + pos} ${need > 0 ? `needs ${need} bytes, the file ends after ${len - pos}` : 'is cut inside its length fields'}`,
    );
  }
}

async function readBcfHeader(path: string, info: InputInfo): Promise<VcfHeader> {
  const builder = new HeaderBuilder(path, (d, line, column) => new BadInputError(path, `BCF header line ${line}${column ? `, column ${column}` : ''}: ${d}`));
  let done = false;
  await streamBcf(path, info, {
    header: (text) => {
      const lines = text.toString('utf8').replace(/\0+$/, '').split('\n');
      for (const [i, l] of lines.entries()) {
        const line = l.endsWith('\r') ? l.slice(0, -1) : l;
        if (line === '') continue;
        if (builder.add(line, i + 1)) {
          done = true;
          break;
        }
      }
      return 'stop';
    },
    record: () => 'stop',
  });
  const header = builder.result();
  if (!done || !header) throw new BadInputError(path, 'BCF header text has no #CHROM line');
  return header;
}

// ---------------------------------------------------------------------------------------------
// Records

const TYPE_BYTES = [0, 1, 2, 4, 0, 4, 0, 1];
const INT_EOV = [0, -127, -32767, -2147483647];
const FLOAT_EOV_BITS = 0x7f800002;
const FLOAT_TYPE = 5;

const GT_INVALID = -1;
const GT_HALF = -2;

/** A FORMAT field of the current record: where its values start, how many per sample, type. */
interface FormatVector {
  at: number;
  count: number;
  type: number;
}

class BcfReader {
  private readonly n: number;
  private readonly chunks: ChunkBuilder;
  private readonly skipped = new SkipTally();
  private readonly doseIsGp: boolean;
  private keysText = '';
  private fields: RecordFields = { gt: false, dose: -1, hds: -1, keys: 0 };
  private variants = 0;
  // Cursor over the current record.
  private b: Buffer = Buffer.alloc(0);
  private o = 0;
  private end = 0;
  private index = 0;
  private offset = 0;
  private vType = 0;
  private vCount = 0;
  private readonly vectors: FormatVector[] = [];

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
    await streamBcf(this.path, this.info, {
      header: () => undefined,
      record: (b, start, end, index, offset) => {
        this.b = b;
        this.o = start + 8;
        this.end = end;
        this.index = index;
        this.offset = offset;
        this.record(start);
        if (this.chunks.full) return hand(this.chunks.take());
      },
    });
    if (this.chunks.size > 0) await hand(this.chunks.take());
    return { variants: this.variants, skipped: this.skipped.list() };
  }

  private error(detail: string, sample?: number): BadInputError {
    const who = sample === undefined ? '' : `, sample ${sample + 1} '${this.header.samples[sample]}'`;
    return new BadInputError(this.path, `record ${this.index} (uncompressed byte offset ${this.offset})${who}: ${detail}`);
  }

  private need(bytes: number, limit: number): void {
    if (this.o + bytes > limit) throw this.error('a value runs past the end of its record section (corrupt BCF)');
  }

  /** Reads a type descriptor (and overflow count) into vType / vCount. */
  private descriptor(limit: number): void {
    this.need(1, limit);
    const d = this.b[this.o++]!;
    this.vType = d & 15;
    this.vCount = d >> 4;
    if (this.vType > 7 || (TYPE_BYTES[this.vType] === 0 && this.vType !== 0)) throw this.error(`unknown BCF value type ${this.vType}`);
    if (this.vCount === 15) {
      const type = this.vType;
      this.vCount = this.typedInt(limit);
      this.vType = type;
      if (this.vCount < 15) throw this.error('bad overflow vector length');
    }
  }

  private int(type: number, at: number): number {
    const b = this.b;
    return type === 1 ? b.readInt8(at) : type === 2 ? b.readInt16LE(at) : b.readInt32LE(at);
  }

  private typedInt(limit: number): number {
    this.descriptor(limit);
    if (this.vType < 1 || this.vType > 3 || this.vCount !== 1) throw this.error('expected a typed integer');
    const size = TYPE_BYTES[this.vType]!;
    this.need(size, limit);
    const v = this.int(this.vType, this.o);
    this.o += size;
    return v;
  }

  private typedString(limit: number): string {
    this.descriptor(limit);
    if (this.vCount === 0) return '';
    if (this.vType !== 7) throw this.error('expected a typed string');
    this.need(this.vCount, limit);
    let e = this.o + this.vCount;
    const s = this.o;
    this.o = e;
    while (e > s && this.b[e - 1] === 0) e--; // NUL padding
    return this.b.toString('utf8', s, e);
  }

  private record(start: number): void {
    const b = this.b;
    const lShared = b.readUInt32LE(start);
    const sharedEnd = start + 8 + lShared;
    if (lShared < 24) throw this.error(`l_shared ${lShared} is shorter than the fixed site fields`);
    const o = this.o;
    const chromIdx = b.readInt32LE(o);
    const pos = b.readInt32LE(o + 4) + 1;
    const nAllele = b.readUInt32LE(o + 16) >>> 16;
    const fmtSample = b.readUInt32LE(o + 20);
    const nSample = fmtSample & 0xffffff;
    const nFmt = fmtSample >>> 24;
    this.o += 24;
    const chrom = this.header.contigs[chromIdx];
    if (chrom === undefined) throw this.error(`CHROM is contig ${chromIdx}, but the header has ${this.header.contigs.length} ##contig lines`);
    if (nSample !== this.n) throw this.error(`${nSample} samples, the header lists ${this.n}`);
    if (nAllele < 1) throw this.error('no REF allele');
    const id = this.typedString(sharedEnd) || '.';
    const ref = this.typedString(sharedEnd);
    const alt = nAllele >= 2 ? this.typedString(sharedEnd) : '.';
    if (nAllele > 2) {
      this.skipped.add(MULTIALLELIC, `${id === '.' ? `${chrom}:${pos}` : id} (record ${this.index})`);
      return;
    }
    this.o = sharedEnd;
    this.formats(nFmt);
    this.samples();
    this.chunks.commit(chrom, id, pos, ref, alt);
    this.variants++;
  }

  /** Locates the FORMAT vectors; they must fill l_indiv exactly. */
  private formats(nFmt: number): void {
    const keys: string[] = [];
    this.vectors.length = 0;
    for (let f = 0; f < nFmt; f++) {
      const key = this.typedInt(this.end);
      const name = this.header.dictionary[key];
      if (name === undefined) throw this.error(`FORMAT key ${key} is not in the header dictionary`);
      this.descriptor(this.end);
      const bytes = this.n * this.vCount * TYPE_BYTES[this.vType]!;
      this.need(bytes, this.end);
      keys.push(name);
      this.vectors.push({ at: this.o, count: this.vCount, type: this.vType });
      this.o += bytes;
    }
    if (this.o !== this.end) throw this.error(`FORMAT vectors end ${this.end - this.o} bytes before l_indiv does`);
    const text = keys.join(':');
    if (text !== this.keysText) {
      this.fields = recordFields(keys, this.mode, this.header, (d) => this.error(d));
      this.keysText = text;
    }
  }

  private vector(index: number, what: string, float: boolean): FormatVector | null {
    const v = index < 0 ? undefined : this.vectors[index];
    if (v === undefined || v.count === 0) return null;
    if (float && v.type !== FLOAT_TYPE) throw this.error(`FORMAT/${what} is not of type Float`);
    if (!float && (v.type < 1 || v.type > 3)) throw this.error(`FORMAT/${what} is not of an integer type`);
    return v;
  }

  private samples(): void {
    const { gt, dose, hds } = this.fields;
    const gtv = gt ? this.vector(0, 'GT', false) : null;
    const dv = this.vector(dose, this.doseIsGp ? 'GP' : 'DS', true);
    const hv = this.vector(hds, 'HDS', true);
    const out = this.chunks.rows();
    const off = this.chunks.rowOffset();
    for (let j = 0; j < this.n; j++) out[off + j] = this.dosage(j, gtv, dv, hv);
  }

  /** One sample's dosage: HDS, else DS or GP, else GT (see vcfDosage.ts). */
  private dosage(j: number, gtv: FormatVector | null, dv: FormatVector | null, hv: FormatVector | null): number {
    const b = this.b;
    let haploid = false;
    if (gtv) {
      // plink2: haploid when the vector has one value, or the second is negative (END_OF_VECTOR).
      haploid = gtv.count === 1 || this.int(gtv.type, gtv.at + (j * gtv.count + 1) * TYPE_BYTES[gtv.type]!) < 0;
    }
    if (hv) {
      const at = hv.at + j * hv.count * 4;
      if (b.readInt32LE(at) <= 0x7f800000) return this.hds(at, hv.count, j);
    }
    if (dv) {
      const at = dv.at + j * dv.count * 4;
      if (b.readInt32LE(at) <= 0x7f800000) {
        const u = this.doseIsGp ? this.gp(at, dv.count, haploid, j) : this.ds(at, haploid, j);
        if (u === DOSAGE_MISSING) return u; // GP all zero: missing, GT not consulted
        if (gtv) this.gt(gtv, j, haploid);
        return u;
      }
    }
    return gtv ? GT_UNITS[this.gt(gtv, j, haploid)]! : DOSAGE_MISSING;
  }

  /** ALT copies (0-2, 3 missing) of a BCF GT: values are (allele + 1) << 1 | phased. */
  private gt(v: FormatVector, j: number, haploid: boolean): number {
    const size = TYPE_BYTES[v.type]!;
    const at = v.at + j * v.count * size;
    const first = this.int(v.type, at);
    let g: number;
    if (haploid) {
      const a = (first >> 1) - 1;
      g = first < 0 || a === -1 ? 3 : a === 0 ? 0 : a === 1 ? 2 : GT_INVALID;
    } else if (v.count > 2 && this.int(v.type, at + 2 * size) !== INT_EOV[v.type]) {
      g = 3; // polyploid: missing, as in plink2
    } else {
      const a0 = (first >> 1) - 1;
      const a1 = (this.int(v.type, at + size) >> 1) - 1;
      if (a0 < -1 || a0 > 1 || a1 > 1) g = GT_INVALID;
      else if (a0 === -1) g = a1 === -1 ? 3 : GT_HALF;
      else g = a1 === -1 ? GT_HALF : a0 + a1;
    }
    if (g >= 0) return g;
    throw this.error(
      g === GT_HALF ? 'half-call GT (one allele missing): PLINK 2 refuses these by default (--vcf-half-call)' : 'invalid GT for a biallelic record',
      j,
    );
  }

  private ds(at: number, haploid: boolean, j: number): number {
    const v = this.b.readFloatLE(at);
    const u = dsUnits(v, haploid);
    if (u === OUT_OF_RANGE) {
      const why = haploid ? ' (on a haploid GT, where PLINK 2 doubles it, it must be in [0, 1])' : '';
      throw this.error(`DS ${v} is outside [0, 2]${why}`, j);
    }
    return u;
  }

  private gp(at: number, count: number, haploid: boolean, j: number): number {
    const values = haploid ? 2 : 3;
    if (count < values) throw this.error(`GP has ${count} values per sample, a ${haploid ? 'haploid' : 'diploid'} GT needs ${values}`, j);
    const b = this.b;
    const u = gpUnits(b.readFloatLE(at), b.readFloatLE(at + 4), haploid ? NaN : b.readFloatLE(at + 8), haploid);
    if (u === OUT_OF_RANGE) throw this.error('GP has a value that is not a probability in [0, 1]', j);
    return u;
  }

  private hds(at: number, count: number, j: number): number {
    const b = this.b;
    const d1 = b.readFloatLE(at);
    let d2: number | undefined;
    if (count >= 2 && b.readInt32LE(at + 4) !== FLOAT_EOV_BITS) {
      if (b.readInt32LE(at + 4) > 0x7f800000) throw this.error('HDS has one of two haplotype dosages missing', j);
      d2 = b.readFloatLE(at + 4);
    }
    const u = hdsUnits(d1, d2);
    if (u === OUT_OF_RANGE) throw this.error('HDS has a haplotype dosage outside [0, 1]', j);
    return u;
  }
}
