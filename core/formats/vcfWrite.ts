// VCF 4.3 writer (bgzip-compressed .vcf.gz) for biallelic variants, from the VCF specification:
// FORMAT GT for hard calls, or GT:DS for dosages. Samples are written as single IDs (VCF has no
// family ID), and read back by plink2 and by us with FID '0'.
//   GT: the dosage's nearest whole ALT count, unphased ('0/0', '0/1', '1/1'), './.' when missing
//       (the best-guess call imputation servers write next to DS);
//   DS: the ALT dosage, u/16384 to 5 decimals with trailing zeros dropped ('.' when missing).
//       5 decimals are within 5e-6 of u/16384, i.e. 0.08 units, so plink2's rounding
//       floor(DS·16384 + 0.5) gives u back exactly; 4 would not (0.8 units).
// Lines are encoded straight into bytes through per-dosage lookup tables: a line holds
// thousands of samples, and string building would cost more than the compression.
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { BgzfWriter } from './bgzfWrite.js';
import type { DosageWriter, WriteVariant } from './dosageWriter.js';

export interface VcfWriteOptions {
  /** Sample IDs for the #CHROM line (no whitespace). */
  samples: string[];
  /** Contig names in file order, declared in ##contig lines. */
  contigs: string[];
  /** true: GT:DS per sample; false: GT only (every dosage must then be a whole count or missing). */
  dosages: boolean;
  /** The ##source line's value. */
  source: string;
  /** zlib level of the BGZF blocks (default 6, bgzip's). */
  level?: number;
}

const GT_TEXT = ['0/0', '0/1', '1/1', './.'] as const;
const MISSING_CALL = 3;

/** DS text of a dosage in 1/16384 units (see the header comment). */
export function dsText(u: number): string {
  if (u === DOSAGE_MISSING) return '.';
  const s = (u / DOSAGE_SCALE).toFixed(5);
  return s.replace(/\.?0+$/, '');
}

/** The dosage's VCF hard call: 0, 1, 2 ALT copies, or 3 (missing). */
export function nearestCall(u: number): number {
  return u === DOSAGE_MISSING ? MISSING_CALL : Math.round(u / DOSAGE_SCALE);
}

/** Per-sample field bytes for every dosage 0..32768 (and missing at index 32769), built once. */
interface FieldTable {
  bytes: Uint8Array;
  /** start of entry k; entry k ends at start[k + 1]. */
  start: Uint32Array;
}

const MISSING_INDEX = DOSAGE_MAX + 1;
let gtDsTable: FieldTable | null = null;

function fieldTable(): FieldTable {
  if (gtDsTable) return gtDsTable;
  const parts: string[] = [];
  for (let u = 0; u <= DOSAGE_MAX; u++) parts.push(`${GT_TEXT[nearestCall(u)]}:${dsText(u)}`);
  parts.push(`${GT_TEXT[MISSING_CALL]}:.`);
  const start = new Uint32Array(parts.length + 1);
  for (let k = 0; k < parts.length; k++) start[k + 1] = start[k]! + parts[k]!.length;
  const bytes = Buffer.from(parts.join(''), 'latin1');
  gtDsTable = { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), start };
  return gtDsTable;
}

export function vcfHeaderText(opts: Pick<VcfWriteOptions, 'samples' | 'contigs' | 'dosages' | 'source'>): string {
  for (const id of opts.samples) {
    if (id === '' || /\s/.test(id)) throw new RangeError(`VCF sample ID '${id}' is empty or contains whitespace`);
  }
  const lines = [
    '##fileformat=VCFv4.3',
    `##source=${opts.source}`,
    ...opts.contigs.map((c) => `##contig=<ID=${c}>`),
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ...(opts.dosages ? ['##FORMAT=<ID=DS,Number=A,Type=Float,Description="Estimated ALT allele dosage">'] : []),
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...opts.samples].join('\t'),
  ];
  return `${lines.join('\n')}\n`;
}

/** Widest per-sample field: '0/1:' + '1.99994' (7) + tab. */
const MAX_FIELD_BYTES = 12;

/** Streams records to a .vcf.gz; the header goes out on construction. */
export class VcfWriter implements DosageWriter {
  private readonly out: BgzfWriter;
  private readonly nSamples: number;
  private line: Uint8Array;
  private readonly table: FieldTable | null;

  constructor(
    path: string,
    private readonly opts: VcfWriteOptions,
  ) {
    const header = Buffer.from(vcfHeaderText(opts), 'utf8');
    this.nSamples = opts.samples.length;
    this.table = opts.dosages ? fieldTable() : null;
    this.line = new Uint8Array(1024 + this.nSamples * MAX_FIELD_BYTES);
    this.out = new BgzfWriter(path, opts.level ?? 6);
    this.out.write(header);
  }

  writeVariant(v: WriteVariant, units: Uint16Array): void {
    if (units.length !== this.nSamples) throw new RangeError(`${units.length} dosages for ${this.nSamples} samples`);
    const fixed = Buffer.from(`${v.chrom}\t${v.pos}\t${v.id}\t${v.ref}\t${v.alt}\t.\t.\t.\t${this.opts.dosages ? 'GT:DS' : 'GT'}`, 'utf8');
    const need = fixed.length + this.nSamples * MAX_FIELD_BYTES + 1;
    if (need > this.line.length) this.line = new Uint8Array(need);
    const line = this.line;
    line.set(fixed, 0);
    let p = fixed.length;
    if (this.table) {
      const { bytes, start } = this.table;
      for (let i = 0; i < units.length; i++) {
        const u = units[i]!;
        if (u > DOSAGE_MAX && u !== DOSAGE_MISSING) throw new RangeError(`dosage ${u} is above ${DOSAGE_MAX} (2 copies)`);
        const k = u === DOSAGE_MISSING ? MISSING_INDEX : u;
        line[p++] = 9;
        const s = start[k]!;
        const e = start[k + 1]!;
        for (let q = s; q < e; q++) line[p++] = bytes[q]!;
      }
    } else {
      for (let i = 0; i < units.length; i++) {
        const u = units[i]!;
        const call = nearestCall(u);
        if (call !== MISSING_CALL && u !== call * DOSAGE_SCALE) throw new RangeError(`dosage ${u}/16384 is not a hard call; write DS`);
        // '0/0', '0/1', '1/1', './.': first and third characters from the call.
        line[p] = 9;
        line[p + 1] = call === MISSING_CALL ? 46 : call === 2 ? 49 : 48;
        line[p + 2] = 47;
        line[p + 3] = call === MISSING_CALL ? 46 : call === 0 ? 48 : 49;
        p += 4;
      }
    }
    line[p++] = 10;
    this.out.write(line, p);
  }

  commit(): void {
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}
