// The scoring kernel: score_is = offset_s + Σ_j w_js · (x̃_ij − μ_js), with x̃ the A1 dosage
// (a missing call replaced by 2f_j) and μ = 2f when centring, else 0. Pure: packed .bed bytes
// in, sums out. Used by the CLI (PLINK files) and the store path alike, in-thread or per worker.
//
// Speed: rows are taken four at a time. For a group of four variants a sample's four 2-bit
// codes form a one-byte index into a 256-row table whose row holds that genotype combination's
// summed contribution to every score, so a sample costs one lookup and one addition per score
// per four variants instead of per variant. The indices of four samples come out of four .bed
// bytes with four lookups (SPREAD). The integer counts (alleles observed, named dosage) are
// summed four samples at a time in 8-bit lanes of one 32-bit word per .bed byte. The loops run
// as WebAssembly SIMD (wasmLoops.ts) where available, else as the JavaScript below: same bits.
// Rows are grouped in model order however the genotypes arrive in chunks (a partial group is
// carried over), so the sums are bit-identical for any chunking and any split of the samples
// between threads.

import { type WasmLoops, instantiateLoops } from './wasmLoops.js';

/** What to score: the matched weights, one row per genotype variant used. */
export interface ScoreModel {
  nScores: number;
  /** Genotype variant index of each row (0-based over all variants), strictly ascending. */
  variant: Int32Array;
  /** rows × nScores, row-major, per copy of A1. */
  weights: Float64Array;
  /** A1 reference frequency per row (length rows) or per row and score (rows × nScores); NaN = unknown. */
  freq: Float64Array;
  /** Per row: NAMED_A1 | NAMED_A2, the alleles the weight files named (for the named dosage sum). */
  named: Uint8Array;
  /** Per score, added to every computed score (what weights given on A2 add when not centring). */
  offset: Float64Array;
  center: boolean;
}

export const NAMED_A1 = 1;
export const NAMED_A2 = 2;

/** `sampleScore` entries besides a column index. */
export const ALL_SCORES = -1;
export const SKIP_SAMPLE = -2;

export interface ScoreSums {
  /** Samples [sampleStart, sampleEnd) of the cohort. */
  sampleStart: number;
  sampleEnd: number;
  nScores: number;
  /** (sampleEnd − sampleStart) × nScores; NaN where a sample's column was not computed. */
  scores: Float64Array;
  /** 2 × non-missing rows per sample (PLINK's ALLELE_CT); 0 for skipped samples. */
  alleleCount: Int32Array;
  /** Σ dosage of the named alleles over non-missing calls (PLINK's NAMED_ALLELE_DOSAGE_SUM; fractional for dosages). */
  namedDosage: Float64Array;
}

/** Dosage of A1 per 2-bit code (code 1, missing, is replaced by 2f). */
const CODE_DOSAGE = [2, 0, 1, 0] as const;

/**
 * SPREAD[b] moves the four 2-bit codes of .bed byte b into the low bits of four separate
 * bytes; OR-ing SPREAD of four variants' bytes shifted by 0, 2, 4, 6 leaves in byte k the
 * table index of sample k (variant q's code in bits 2q, 2q+1).
 */
const SPREAD: Int32Array = (() => {
  const t = new Int32Array(256);
  for (let b = 0; b < 256; b++) t[b] = (b & 3) | (((b >>> 2) & 3) << 8) | (((b >>> 4) & 3) << 16) | (((b >>> 6) & 3) << 24);
  return t;
})();

/**
 * Per-byte count tables, 256 entries each, four samples in 8-bit lanes. Kind k of a row:
 * 0..3 = its named flags (the observed-call count is 1 per non-missing call, the named dosage
 * that of the named alleles), 4 = an absent row of a partial group (counts nothing).
 */
const ABSENT_ROW = 4;
const OBSERVED_LANES = new Int32Array(5 * 256);
const NAMED_LANES = new Int32Array(5 * 256);
for (let kind = 0; kind < 5; kind++) {
  for (let b = 0; b < 256; b++) {
    let obs = 0;
    let named = 0;
    for (let k = 0; k < 4; k++) {
      const code = (b >>> (2 * k)) & 3;
      if (code === 1 || kind === ABSENT_ROW) continue;
      const x = CODE_DOSAGE[code]!;
      obs |= 1 << (8 * k);
      named |= ((kind & NAMED_A1 ? x : 0) + (kind & NAMED_A2 ? 2 - x : 0)) << (8 * k);
    }
    OBSERVED_LANES[kind * 256 + b] = obs;
    NAMED_LANES[kind * 256 + b] = named;
  }
}
/** A group adds at most 8 to a lane (four rows, dosage ≤ 2): spill before 255 overflows. */
const GROUPS_PER_SPILL = 31;

export function checkModel(m: ScoreModel): void {
  const rows = m.variant.length;
  const s = m.nScores;
  if (!Number.isInteger(s) || s < 1) throw new Error(`score model: ${s} scores`);
  if (m.weights.length !== rows * s) throw new Error(`score model: ${m.weights.length} weights for ${rows} rows × ${s} scores`);
  if (m.freq.length !== rows && m.freq.length !== rows * s) throw new Error(`score model: ${m.freq.length} frequencies for ${rows} rows`);
  if (m.named.length !== rows) throw new Error(`score model: ${m.named.length} named flags for ${rows} rows`);
  if (m.offset.length !== s) throw new Error(`score model: ${m.offset.length} offsets for ${s} scores`);
  for (let r = 0; r < rows; r++) {
    if (m.named[r]! > (NAMED_A1 | NAMED_A2)) throw new Error(`score model: named flags ${m.named[r]} at row ${r}`);
    if (r > 0 && m.variant[r]! <= m.variant[r - 1]!) throw new Error('score model: variant indices must be strictly ascending');
  }
}

/** Scores padded to an even count (the loops add two columns per step). */
const paddedScores = (s: number): number => s + (s & 1);
/** Table row: the padded scores, a zero column (index paddedScores(s)) and padding to an even width. */
const tableWidth = (s: number): number => paddedScores(s) + 2;

/**
 * Row r's contribution per 2-bit code to every table column, written at out[at … at + 4·tw):
 * the nScores weighted terms, then zeros. A missing call adds w(2f − μ); a zero weight adds
 * exactly 0 even where f is unknown (NaN).
 */
export function fillRowTable(m: ScoreModel, r: number, out: Float64Array, at: number): void {
  const s = m.nScores;
  const tw = tableWidth(s);
  const perScoreFreq = m.freq.length !== m.variant.length;
  out.fill(0, at, at + 4 * tw);
  for (let c = 0; c < s; c++) {
    const wt = m.weights[r * s + c]!;
    if (wt === 0) continue;
    const f = perScoreFreq ? m.freq[r * s + c]! : m.freq[r]!;
    const mu = m.center ? 2 * f : 0;
    for (let code = 0; code < 4; code++) {
      const x = code === 1 ? 2 * f : CODE_DOSAGE[code]!;
      out[at + code * tw + c] = wt * (x - mu);
    }
  }
}

/** Lookup tables for the WebAssembly gather: SPREAD, OBSERVED_LANES, NAMED_LANES (Int32). */
const LUT_LENGTH = 256 + 2 * 5 * 256;

/** Byte offsets (16-aligned) of everything the loops touch, in one memory: the WebAssembly instance's, or a plain buffer. */
interface Layout {
  lut: number;
  rows: number;
  rowTables: number;
  half: number;
  table: number;
  idx: number;
  observedLanes: number;
  namedLanes: number;
  acc: number;
  columns: number;
  bytes: number;
}

function layout(nBytes: number, tw: number, accLength: number, columns: number): Layout {
  let end = 0;
  const take = (bytes: number): number => {
    const start = end;
    end = (end + bytes + 15) & ~15;
    return start;
  };
  const l = {
    lut: take(LUT_LENGTH * 4),
    rows: take(4 * nBytes),
    rowTables: take(16 * tw * 8),
    half: take(32 * tw * 8),
    table: take(256 * tw * 8),
    idx: take(4 * nBytes),
    observedLanes: take(4 * nBytes),
    namedLanes: take(4 * nBytes),
    acc: take(accLength * 8),
    columns: take(4 * columns),
  };
  return { ...l, bytes: end };
}

/**
 * Accumulates scores of samples [sampleStart, sampleEnd) of an `nSamples` cohort
 * (sampleStart a multiple of 4) over genotype chunks fed in variant order.
 *
 * `sampleScore` (length nSamples, or null = every sample gets every column): a column index
 * (the fold trick: sample i is scored only with the weights of its own fold), ALL_SCORES, or
 * SKIP_SAMPLE.
 */
export class ScoreAccumulator {
  private readonly s: number;
  private readonly sp: number; // s padded to even: the stride of accAll
  private readonly tw: number;
  private readonly bpv: number;
  private readonly byteStart: number;
  private readonly nBytes: number;
  private readonly nSlice: number;
  private readonly at: Layout;
  private readonly wasm: WasmLoops | null;
  /** Views onto the layout. */
  private readonly rows: Uint8Array;
  private readonly rowTables: Float64Array;
  private readonly half: Float64Array;
  private readonly table: Float64Array;
  private readonly idxWords: Int32Array;
  private readonly idx: Uint8Array;
  /** Counts: 8-bit lanes per .bed byte, spilled into per-sample totals. */
  private readonly observedLanes: Int32Array;
  private readonly namedLanes: Int32Array;
  /** No column choices: every sample, every score (nSlice × sp). */
  private readonly accAll: Float64Array | null;
  /** Column choices: each sample's column (the zero column when not chosen), and its sum. */
  private readonly column: Int32Array | null;
  private readonly accOne: Float64Array | null;
  /** Column choices: the ALL_SCORES samples, scored one by one. */
  private readonly allList: Int32Array;
  private readonly accList: Float64Array;
  private readonly observed: Int32Array;
  private readonly namedDosage: Int32Array;
  private groupsSinceSpill = 0;
  /** Up to three rows waiting for a complete group of four, their bytes copied out of their chunk. */
  private readonly pending: Uint8Array;
  private pendingCount = 0;
  private nextRow = 0;
  private finished = false;

  constructor(
    readonly model: ScoreModel,
    readonly nSamples: number,
    readonly sampleScore: Int32Array | null,
    readonly sampleStart = 0,
    readonly sampleEnd = nSamples,
    /** wasm: false keeps the JavaScript loops (the tests compare the two). */
    options: { wasm?: boolean } = {},
  ) {
    checkModel(model);
    if ((sampleStart % 4 !== 0 && sampleStart !== sampleEnd) || sampleStart < 0 || sampleStart > sampleEnd || sampleEnd > nSamples) {
      throw new Error(`score slice [${sampleStart}, ${sampleEnd}) of ${nSamples} samples must start at a multiple of 4`);
    }
    if (sampleScore && sampleScore.length !== nSamples) throw new Error(`sampleScore has ${sampleScore.length} entries for ${nSamples} samples`);
    const s = model.nScores;
    this.s = s;
    this.sp = paddedScores(s);
    this.tw = tableWidth(s);
    this.bpv = (nSamples + 3) >>> 2;
    this.byteStart = sampleStart >>> 2;
    this.nSlice = sampleEnd - sampleStart;
    this.nBytes = (this.nSlice + 3) >>> 2;
    this.observed = new Int32Array(this.nSlice);
    this.namedDosage = new Int32Array(this.nSlice);
    this.pending = new Uint8Array(3 * this.bpv);

    let chooses = false;
    for (let i = sampleStart; sampleScore && i < sampleEnd; i++) {
      const c = sampleScore[i]!;
      if (c !== ALL_SCORES && c !== SKIP_SAMPLE && !(Number.isInteger(c) && c >= 0 && c < s)) {
        throw new Error(`sampleScore[${i}] = ${c}: not a column of ${s} scores, ALL_SCORES or SKIP_SAMPLE`);
      }
      if (c >= 0) chooses = true;
    }
    // Without column choices (only ALL_SCORES / SKIP_SAMPLE) skipped samples are scored too
    // and dropped at the end: cheaper than the per-sample path.
    const at = layout(this.nBytes, this.tw, chooses ? this.nSlice : this.nSlice * this.sp, chooses ? this.nSlice : 0);
    this.at = at;
    this.wasm = options.wasm === false ? null : instantiateLoops(at.bytes);
    const buffer = this.wasm ? this.wasm.memory.buffer : new ArrayBuffer(at.bytes);
    const f64 = (offset: number, length: number): Float64Array => new Float64Array(buffer, offset, length);
    const i32 = (offset: number, length: number): Int32Array => new Int32Array(buffer, offset, length);
    const lut = i32(at.lut, LUT_LENGTH);
    lut.set(SPREAD, 0);
    lut.set(OBSERVED_LANES, 256);
    lut.set(NAMED_LANES, 256 + 5 * 256);
    this.rows = new Uint8Array(buffer, at.rows, 4 * this.nBytes);
    this.rowTables = f64(at.rowTables, 16 * this.tw);
    this.half = f64(at.half, 32 * this.tw);
    this.table = f64(at.table, 256 * this.tw);
    this.idxWords = i32(at.idx, this.nBytes);
    this.idx = new Uint8Array(buffer, at.idx, 4 * this.nBytes); // little-endian: byte 4b+k is sample 4b+k
    this.observedLanes = i32(at.observedLanes, this.nBytes);
    this.namedLanes = i32(at.namedLanes, this.nBytes);
    const all: number[] = [];
    if (!chooses) {
      this.accAll = f64(at.acc, this.nSlice * this.sp);
      this.column = null;
      this.accOne = null;
    } else {
      this.accAll = null;
      this.accOne = f64(at.acc, this.nSlice);
      this.column = new Int32Array(this.nSlice);
      const columnBytes = i32(at.columns, this.nSlice);
      for (let i = 0; i < this.nSlice; i++) {
        const c = sampleScore![sampleStart + i]!;
        if (c === ALL_SCORES) all.push(i);
        this.column[i] = c >= 0 ? c : this.sp; // the zero column
        columnBytes[i] = this.column[i]! * 8;
      }
    }
    this.allList = Int32Array.from(all);
    this.accList = new Float64Array(all.length * s);
  }

  /** Feed variants [firstVariant, firstVariant + nVariants), packed at `packed[offset…]`. */
  addChunk(packed: Uint8Array, firstVariant: number, nVariants: number, offset = 0): void {
    if (this.finished) throw new Error('score accumulator already finished');
    const { bpv } = this;
    const variant = this.model.variant;
    const rows = variant.length;
    const end = firstVariant + nVariants;
    if (packed.length < offset + nVariants * bpv) throw new Error(`score: a chunk of ${nVariants} variants needs ${nVariants * bpv} bytes`);
    if (this.nextRow < rows && variant[this.nextRow]! < firstVariant) {
      throw new Error(`score: chunk at variant ${firstVariant} skipped variant ${variant[this.nextRow]} (chunks must come in order)`);
    }
    const at = (r: number): number => offset + (variant[r]! - firstVariant) * bpv;
    let r = this.nextRow;
    // Complete a group begun in an earlier chunk.
    while (this.pendingCount > 0 && r < rows && variant[r]! < end) {
      if (this.pendingCount === 3) {
        const p = this.pending;
        this.processGroup(r - 3, 4, p, 0, p, bpv, p, 2 * bpv, packed, at(r));
        this.pendingCount = 0;
      } else {
        this.pending.set(packed.subarray(at(r), at(r) + bpv), this.pendingCount * bpv);
        this.pendingCount++;
      }
      r++;
    }
    for (; r + 3 < rows && variant[r + 3]! < end; r += 4) {
      this.processGroup(r, 4, packed, at(r), packed, at(r + 1), packed, at(r + 2), packed, at(r + 3));
    }
    for (; r < rows && variant[r]! < end; r++) {
      this.pending.set(packed.subarray(at(r), at(r) + bpv), this.pendingCount * bpv);
      this.pendingCount++;
    }
    this.nextRow = r;
  }

  /** Flush the last partial group; the sums of this slice's samples. */
  finish(): ScoreSums {
    if (!this.finished) {
      if (this.nextRow !== this.model.variant.length) {
        throw new Error(`score: genotypes ended before variant ${this.model.variant[this.nextRow]}`);
      }
      const k = this.pendingCount;
      if (k > 0) {
        const p = this.pending;
        const { bpv } = this;
        // Absent rows read row 0's bytes: their tables and count kinds are zero.
        this.processGroup(this.nextRow - k, k, p, 0, p, k > 1 ? bpv : 0, p, k > 2 ? 2 * bpv : 0, p, 0);
        this.pendingCount = 0;
      }
      this.spill();
      this.finished = true;
    }
    return this.sums();
  }

  private sums(): ScoreSums {
    const n = this.nSlice;
    const s = this.s;
    const offset = this.model.offset;
    const scores = new Float64Array(n * s).fill(NaN);
    const alleleCount = new Int32Array(n);
    const namedDosage = new Float64Array(n);
    const choice = (i: number): number => (this.sampleScore ? this.sampleScore[this.sampleStart + i]! : ALL_SCORES);
    for (let i = 0; i < n; i++) {
      const c = choice(i);
      if (c === SKIP_SAMPLE) continue;
      alleleCount[i] = 2 * this.observed[i]!;
      namedDosage[i] = this.namedDosage[i]!;
      if (this.accAll) for (let q = 0; q < s; q++) scores[i * s + q] = this.accAll[i * this.sp + q]! + offset[q]!;
      else if (c >= 0) scores[i * s + c] = this.accOne![i]! + offset[c]!;
    }
    this.allList.forEach((i, q) => {
      for (let c = 0; c < s; c++) scores[i * s + c] = this.accList[q * s + c]! + offset[c]!;
    });
    return { sampleStart: this.sampleStart, sampleEnd: this.sampleEnd, nScores: s, scores, alleleCount, namedDosage };
  }

  /** Rows first..first+k−1 (k ≤ 4), their bytes at (source, offset) pairs: table, indices, sums. */
  private processGroup(
    first: number,
    k: number,
    s0: Uint8Array,
    o0: number,
    s1: Uint8Array,
    o1: number,
    s2: Uint8Array,
    o2: number,
    s3: Uint8Array,
    o3: number,
  ): void {
    const { tw, nBytes, at } = this;
    const rt = this.rowTables;
    for (let q = 0; q < 4; q++) {
      if (q < k) fillRowTable(this.model, first + q, rt, q * 4 * tw);
      else rt.fill(0, q * 4 * tw, (q + 1) * 4 * tw);
    }
    const kind = (q: number): number => (q < k ? this.model.named[first + q]! : ABSENT_ROW);
    const b = this.byteStart;
    const w = this.wasm;
    if (w) {
      // This slice's bytes of the four rows go into the instance's memory first.
      const rows = this.rows;
      rows.set(s0.subarray(o0 + b, o0 + b + nBytes), 0);
      rows.set(s1.subarray(o1 + b, o1 + b + nBytes), nBytes);
      rows.set(s2.subarray(o2 + b, o2 + b + nBytes), 2 * nBytes);
      rows.set(s3.subarray(o3 + b, o3 + b + nBytes), 3 * nBytes);
      const rowBytes = 4 * tw * 8;
      w.buildTable(at.rowTables, at.rowTables + rowBytes, at.rowTables + 2 * rowBytes, at.rowTables + 3 * rowBytes, tw * 8, at.half, at.table);
      w.gather(at.rows, nBytes, kind(0) * 1024, kind(1) * 1024, kind(2) * 1024, kind(3) * 1024, at.idx, at.observedLanes, at.namedLanes, at.lut);
      if (this.accAll) w.addAll(at.idx, this.nSlice, at.table, tw * 8, at.acc, this.sp * 8);
      else w.addChosen(at.idx, this.nSlice, at.table, tw * 8, at.columns, at.acc);
    } else {
      const row = (q: number): Float64Array => rt.subarray(q * 4 * tw, (q + 1) * 4 * tw);
      buildGroupTable(row(0), row(1), row(2), row(3), tw, this.half, this.table);
      gatherGroup(s0, o0 + b, s1, o1 + b, s2, o2 + b, s3, o3 + b, nBytes, kind(0) << 8, kind(1) << 8, kind(2) << 8, kind(3) << 8, this.idxWords, this.observedLanes, this.namedLanes);
      if (this.accAll) addAllColumns(this.idx, this.nSlice, this.table, tw, this.accAll, this.sp);
      else addChosenColumn(this.idx, this.nSlice, this.table, tw, this.column!, this.accOne!);
    }
    if (this.allList.length > 0) addListed(this.idx, this.allList, this.table, tw, this.accList, this.s);
    if (++this.groupsSinceSpill === GROUPS_PER_SPILL) this.spill();
  }

  private spill(): void {
    const n = this.nSlice;
    for (let b = 0; b < this.nBytes; b++) {
      const obs = this.observedLanes[b]!;
      const named = this.namedLanes[b]!;
      if ((obs | named) === 0) continue;
      for (let k = 0, i = b << 2; k < 4 && i < n; k++, i++) {
        this.observed[i]! += (obs >>> (8 * k)) & 255;
        this.namedDosage[i]! += (named >>> (8 * k)) & 255;
      }
    }
    this.observedLanes.fill(0);
    this.namedLanes.fill(0);
    this.groupsSinceSpill = 0;
  }
}

/** table[(c0 | c1<<2 | c2<<4 | c3<<6)·tw + col] = (t0[c0] + t1[c1]) + (t2[c2] + t3[c3]). */
function buildGroupTable(
  t0: Float64Array,
  t1: Float64Array,
  t2: Float64Array,
  t3: Float64Array,
  tw: number,
  half: Float64Array,
  table: Float64Array,
): void {
  for (let lo = 0; lo < 16; lo++) {
    const a = (lo & 3) * tw;
    const b = (lo >>> 2) * tw;
    const o = lo * tw;
    const o2 = (16 + lo) * tw;
    for (let c = 0; c < tw; c++) {
      half[o + c] = t0[a + c]! + t1[b + c]!;
      half[o2 + c] = t2[a + c]! + t3[b + c]!;
    }
  }
  for (let hi = 0; hi < 16; hi++) {
    const h = (16 + hi) * tw;
    for (let lo = 0; lo < 16; lo++) {
      const l = lo * tw;
      const o = ((hi << 4) | lo) * tw;
      for (let c = 0; c < tw; c++) table[o + c] = half[l + c]! + half[h + c]!;
    }
  }
}

/**
 * One pass over the group's four .bed rows: per byte (four samples), the word of their four
 * table indices, and the observed-call and named-dosage lanes.
 */
function gatherGroup(
  s0: Uint8Array,
  o0: number,
  s1: Uint8Array,
  o1: number,
  s2: Uint8Array,
  o2: number,
  s3: Uint8Array,
  o3: number,
  nBytes: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  idx: Int32Array,
  observed: Int32Array,
  named: Int32Array,
): void {
  const spread = SPREAD;
  const obsLanes = OBSERVED_LANES;
  const namedLanes = NAMED_LANES;
  for (let b = 0; b < nBytes; b++) {
    const c0 = s0[o0 + b]!;
    const c1 = s1[o1 + b]!;
    const c2 = s2[o2 + b]!;
    const c3 = s3[o3 + b]!;
    idx[b] = spread[c0]! | (spread[c1]! << 2) | (spread[c2]! << 4) | (spread[c3]! << 6);
    observed[b]! += obsLanes[k0 | c0]! + obsLanes[k1 | c1]! + obsLanes[k2 | c2]! + obsLanes[k3 | c3]!;
    named[b]! += namedLanes[k0 | c0]! + namedLanes[k1 | c1]! + namedLanes[k2 | c2]! + namedLanes[k3 | c3]!;
  }
}

// The hot loops. Four samples per step, so the score loop has four independent chains.

/** `sp` is even: two columns per step, four samples interleaved (eight independent chains). */
function addAllColumns(idx: Uint8Array, n: number, table: Float64Array, tw: number, acc: Float64Array, sp: number): void {
  let i = 0;
  let a = 0;
  for (; i + 3 < n; i += 4, a += 4 * sp) {
    const t0 = idx[i]! * tw;
    const t1 = idx[i + 1]! * tw;
    const t2 = idx[i + 2]! * tw;
    const t3 = idx[i + 3]! * tw;
    const a1 = a + sp;
    const a2 = a1 + sp;
    const a3 = a2 + sp;
    for (let c = 0; c < sp; c += 2) {
      acc[a + c]! += table[t0 + c]!;
      acc[a1 + c]! += table[t1 + c]!;
      acc[a2 + c]! += table[t2 + c]!;
      acc[a3 + c]! += table[t3 + c]!;
      acc[a + c + 1]! += table[t0 + c + 1]!;
      acc[a1 + c + 1]! += table[t1 + c + 1]!;
      acc[a2 + c + 1]! += table[t2 + c + 1]!;
      acc[a3 + c + 1]! += table[t3 + c + 1]!;
    }
  }
  for (; i < n; i++, a += sp) {
    const t = idx[i]! * tw;
    for (let c = 0; c < sp; c++) acc[a + c]! += table[t + c]!;
  }
}

function addChosenColumn(idx: Uint8Array, n: number, table: Float64Array, tw: number, column: Int32Array, one: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    one[i]! += table[idx[i]! * tw + column[i]!]!;
    one[i + 1]! += table[idx[i + 1]! * tw + column[i + 1]!]!;
    one[i + 2]! += table[idx[i + 2]! * tw + column[i + 2]!]!;
    one[i + 3]! += table[idx[i + 3]! * tw + column[i + 3]!]!;
  }
  for (; i < n; i++) one[i]! += table[idx[i]! * tw + column[i]!]!;
}

function addListed(idx: Uint8Array, list: Int32Array, table: Float64Array, tw: number, acc: Float64Array, s: number): void {
  for (let q = 0; q < list.length; q++) {
    const t = idx[list[q]!]! * tw;
    const a = q * s;
    for (let c = 0; c < s; c++) acc[a + c]! += table[t + c]!;
  }
}
