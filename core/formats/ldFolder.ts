// SBayesRC LD eigen folders (DESIGN §4): ldm.info + snp.info + block<B>.eigen.bin. Published
// UKB panels use this layout, so we read it as is and write the same thing. readLdFolder checks
// the cheap whole-folder invariants (index ranges, block membership, every eigen file present
// with a header and size that fit its block) so a broken panel fails at ingest, not hours into
// a fit; readEigenBlock does the full per-block validation when a block is actually loaded.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import {
  expectFieldCount,
  F64Column,
  findColumns,
  fsError,
  I32Column,
  requireRegularFile,
  ownString,
  parseInteger,
  parseNumber,
  scanTable,
  type RowHandler,
} from './text.js';
import { readFileHead } from './fileHead.js';
import { EIGEN_SUM_TOL, countReaching } from '../ld/eigenCutoff.js';
import type { EigenBlock, LdFolder, LdmInfoTable, LdSnpTable } from './types.js';

const HEADER_BYTES = 16;
const NORM_TOL = 1e-3;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

export const eigenFileName = (block: number): string => `block${block}.eigen.bin`;

const LDM_COLUMNS = {
  block: { name: 'Block' },
  chrom: { name: 'Chrom' },
  startIdx: { name: 'StartSnpIdx' },
  startId: { name: 'StartSnpID' },
  endIdx: { name: 'EndSnpIdx' },
  endId: { name: 'EndSnpID' },
  numSnps: { name: 'NumSnps' },
} as const;

const SNP_COLUMNS = {
  chrom: { name: 'Chrom' },
  id: { name: 'ID' },
  index: { name: 'Index' },
  genPos: { name: 'GenPos' },
  physPos: { name: 'PhysPos' },
  a1: { name: 'A1' },
  a2: { name: 'A2' },
  a1Freq: { name: 'A1Freq' },
  n: { name: 'N' },
  block: { name: 'Block' },
} as const;

/** ldm.info alone: blocks numbered 1..B in row order, contiguous 0-based inclusive ranges. */
export async function readLdmInfo(path: string): Promise<LdmInfoTable> {
  const block = new I32Column();
  const startIdx = new I32Column();
  const endIdx = new I32Column();
  const numSnps = new I32Column();
  const chrom: string[] = [];
  const startId: string[] = [];
  const endId: string[] = [];
  await scanTable(path, 'whitespace', (header): RowHandler => {
    const c = findColumns(path, header, LDM_COLUMNS);
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const row = block.length + 1;
      const b = parseInteger(path, f[c.block]!, 'Block', line, c.block + 1);
      if (b !== row) {
        throw new BadInputError(path, `Block is ${b}, expected ${row}: blocks must be numbered 1..B in row order`, line, c.block + 1);
      }
      const s = parseInteger(path, f[c.startIdx]!, 'StartSnpIdx', line, c.startIdx + 1);
      const expectedStart = row === 1 ? 0 : endIdx.get(row - 2) + 1;
      if (s !== expectedStart) {
        throw new BadInputError(
          path,
          `StartSnpIdx is ${s}, expected ${expectedStart}: SNP indices must be 0-based and contiguous across blocks`,
          line,
          c.startIdx + 1,
        );
      }
      const e = parseInteger(path, f[c.endIdx]!, 'EndSnpIdx', line, c.endIdx + 1);
      if (e < s) throw new BadInputError(path, `EndSnpIdx ${e} is before StartSnpIdx ${s}`, line, c.endIdx + 1);
      const n = parseInteger(path, f[c.numSnps]!, 'NumSnps', line, c.numSnps + 1);
      if (n !== e - s + 1) {
        throw new BadInputError(path, `NumSnps is ${n}, but EndSnpIdx − StartSnpIdx + 1 = ${e - s + 1}`, line, c.numSnps + 1);
      }
      block.push(b);
      startIdx.push(s);
      endIdx.push(e);
      numSnps.push(n);
      chrom.push(ownString(f[c.chrom]!));
      startId.push(ownString(f[c.startId]!));
      endId.push(ownString(f[c.endId]!));
    };
  });
  return {
    block: block.finish(),
    chrom,
    startIdx: startIdx.finish(),
    startId,
    endIdx: endIdx.finish(),
    endId,
    numSnps: numSnps.finish(),
  };
}

/** snp.info alone: Index equal to the 0-based row number. Row i is on line i + 2. */
export async function readSnpInfo(path: string): Promise<LdSnpTable> {
  return (await snpInfoWithColumns(path)).table;
}

/** The table plus the 0-based positions of the columns that cross-checks point at. */
async function snpInfoWithColumns(path: string): Promise<{ table: LdSnpTable; chromCol: number; blockCol: number }> {
  let chromCol = 0;
  let blockCol = 0;
  const chrom: string[] = [];
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const index = new I32Column();
  const genPos = new F64Column();
  const physPos = new I32Column();
  const a1Freq = new F64Column();
  const n = new F64Column();
  const block = new I32Column();
  await scanTable(path, 'whitespace', (header): RowHandler => {
    const c = findColumns(path, header, SNP_COLUMNS);
    chromCol = c.chrom;
    blockCol = c.block;
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const i = parseInteger(path, f[c.index]!, 'Index', line, c.index + 1);
      if (i !== index.length) {
        throw new BadInputError(path, `Index is ${i}, expected ${index.length}: indices must be 0, 1, 2, … in row order`, line, c.index + 1);
      }
      index.push(i);
      chrom.push(ownString(f[c.chrom]!));
      id.push(ownString(f[c.id]!));
      genPos.push(parseNumber(path, f[c.genPos]!, 'GenPos', line, c.genPos + 1));
      physPos.push(parseInteger(path, f[c.physPos]!, 'PhysPos', line, c.physPos + 1));
      a1.push(ownString(f[c.a1]!));
      a2.push(ownString(f[c.a2]!));
      const fr = parseNumber(path, f[c.a1Freq]!, 'A1Freq', line, c.a1Freq + 1);
      if (fr < 0 || fr > 1) throw new BadInputError(path, `column 'A1Freq': frequency ${fr} is outside [0, 1]`, line, c.a1Freq + 1);
      a1Freq.push(fr);
      n.push(parseNumber(path, f[c.n]!, 'N', line, c.n + 1));
      block.push(parseInteger(path, f[c.block]!, 'Block', line, c.block + 1, 1));
    };
  });
  const table: LdSnpTable = {
    chrom,
    id,
    index: index.finish(),
    genPos: genPos.finish(),
    physPos: physPos.finish(),
    a1,
    a2,
    a1Freq: a1Freq.finish(),
    n: n.finish(),
    block: block.finish(),
  };
  return { table, chromCol, blockCol };
}

/** Validate an eigen file's header against its size (and its block size when known). */
export function checkEigenHeader(path: string, size: number, m: number, k: number, expectedM?: number): void {
  if (m < 1) throw new BadInputError(path, `m = ${m} at byte offset 0: a block needs at least one SNP`);
  if (expectedM !== undefined && m !== expectedM) {
    throw new BadInputError(path, `m = ${m} at byte offset 0, but the block has ${expectedM} SNPs in ldm.info`);
  }
  if (k < 1 || k > m) throw new BadInputError(path, `k = ${k} at byte offset 4, expected 1 ≤ k ≤ m = ${m}`);
  const expected = HEADER_BYTES + 4 * k + 4 * m * k;
  if (size !== expected) {
    throw new BadInputError(
      path,
      `size is ${size} bytes, expected ${expected} = 16 + 4·k + 4·m·k for m = ${m}, k = ${k} (truncated or not an eigen file)`,
    );
  }
}

async function readWhole(path: string): Promise<ArrayBuffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    const { size } = await fh.stat();
    // Our own ArrayBuffer so the float arrays can be aligned views, not copies.
    const ab = new ArrayBuffer(size);
    const bytes = new Uint8Array(ab);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(bytes, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== size) throw new BadInputError(path, `could read only ${got} of ${size} bytes (file changed while reading?)`);
    return ab;
  } finally {
    await fh.close();
  }
}

function readFloats(view: DataView, offset: number, count: number): Float32Array {
  if (LITTLE_ENDIAN_HOST) return new Float32Array(view.buffer, offset, count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
  return out;
}

/** One block<B>.eigen.bin, fully validated. `expectedM` = NumSnps of the block in ldm.info. */
export async function readEigenBlock(path: string, expectedM?: number): Promise<EigenBlock> {
  const ab = await readWhole(path);
  const size = ab.byteLength;
  if (size < HEADER_BYTES) throw new BadInputError(path, `truncated: ${size} bytes, the header alone is 16 bytes`);
  const view = new DataView(ab);
  const m = view.getInt32(0, true);
  const k = view.getInt32(4, true);
  const sumLambda = view.getFloat32(8, true);
  const cutoff = view.getFloat32(12, true);
  checkEigenHeader(path, size, m, k, expectedM);
  if (!(Number.isFinite(sumLambda) && sumLambda > 0)) {
    throw new BadInputError(path, `sumLambda = ${sumLambda} at byte offset 8, expected a positive number`);
  }
  if (!(cutoff > 0 && cutoff <= 1)) throw new BadInputError(path, `cut-off = ${cutoff} at byte offset 12, expected 0 < cut-off ≤ 1`);

  const values = readFloats(view, HEADER_BYTES, k);
  for (let i = 0; i < k; i++) {
    const v = values[i]!;
    const at = HEADER_BYTES + 4 * i;
    if (!(Number.isFinite(v) && v > 0)) {
      throw new BadInputError(path, `eigenvalue ${i + 1} (byte offset ${at}) is ${v}, expected a positive number`);
    }
    if (i > 0 && v > values[i - 1]!) {
      throw new BadInputError(
        path,
        `eigenvalue ${i + 1} (byte offset ${at}) is ${v}, larger than eigenvalue ${i} (${values[i - 1]}): eigenvalues must be in descending order`,
      );
    }
  }
  let total = 0;
  for (let i = 0; i < k; i++) total += values[i]!;
  if (total > sumLambda * (1 + EIGEN_SUM_TOL)) {
    throw new BadInputError(path, `the ${k} eigenvalues sum to ${total}, more than sumLambda = ${sumLambda} (byte offset 8)`);
  }
  const target = cutoff * sumLambda;
  // k must be the first count whose cumulative sum reaches the target, within float32 rounding.
  const kFirst = countReaching(values, target, EIGEN_SUM_TOL);
  if (k < kFirst) {
    throw new BadInputError(
      path,
      `the ${k} stored eigenvalues sum to ${total}, short of cut-off × sumLambda = ${cutoff} × ${sumLambda} = ${target}`,
    );
  }
  if (k > countReaching(values, target, -EIGEN_SUM_TOL)) {
    throw new BadInputError(
      path,
      `k = ${k} (byte offset 4), but the cumulative eigenvalue sum already reaches cut-off × sumLambda = ${target} at k = ${countReaching(values, target, 0)}`,
    );
  }

  const vecOffset = HEADER_BYTES + 4 * k;
  const vectors = readFloats(view, vecOffset, m * k);
  for (let j = 0; j < k; j++) {
    let ss = 0;
    for (let i = j * m; i < (j + 1) * m; i++) ss += vectors[i]! * vectors[i]!;
    // Catches NaN/Inf too. Unit norm also catches row-major files and wrong m.
    if (!(Math.abs(ss - 1) <= NORM_TOL)) {
      throw new BadInputError(
        path,
        `eigenvector ${j + 1} (byte offset ${vecOffset + 4 * j * m}) has squared norm ${ss}, expected 1 (column-major m × k)`,
      );
    }
  }
  return { m, k, sumLambda, cutoff, values, vectors };
}

async function readEigenHeader(path: string, expectedM: number): Promise<void> {
  const { size, head, bytesRead } = await readFileHead(path, 8);
  if (bytesRead < 8 || size < HEADER_BYTES) throw new BadInputError(path, `truncated: ${size} bytes, the header alone is 16 bytes`);
  checkEigenHeader(path, size, head.readInt32LE(0), head.readInt32LE(4), expectedM);
}

export async function readLdFolder(dir: string): Promise<LdFolder> {
  const infoPath = join(dir, 'ldm.info');
  const snpPath = join(dir, 'snp.info');
  await requireRegularFile(infoPath);
  await requireRegularFile(snpPath);
  const info = await readLdmInfo(infoPath);
  const { table: snps, chromCol, blockCol } = await snpInfoWithColumns(snpPath);
  const nBlocks = info.block.length;
  const nSnps = info.endIdx[nBlocks - 1]! + 1;
  if (snps.id.length !== nSnps) {
    throw new BadInputError(
      snpPath,
      `has ${snps.id.length} SNPs, but ldm.info's last block ends at index ${nSnps - 1} (${nSnps} SNPs)`,
    );
  }
  for (let b = 0; b < nBlocks; b++) {
    const s = info.startIdx[b]!;
    const e = info.endIdx[b]!;
    const infoLine = b + 2;
    if (snps.id[s] !== info.startId[b]) {
      throw new BadInputError(infoPath, `StartSnpID '${info.startId[b]}' but snp.info has '${snps.id[s]}' at index ${s}`, infoLine);
    }
    if (snps.id[e] !== info.endId[b]) {
      throw new BadInputError(infoPath, `EndSnpID '${info.endId[b]}' but snp.info has '${snps.id[e]}' at index ${e}`, infoLine);
    }
    for (let i = s; i <= e; i++) {
      if (snps.block[i] !== b + 1) {
        throw new BadInputError(
          snpPath,
          `SNP '${snps.id[i]}' (index ${i}) has Block ${snps.block[i]}, but ldm.info puts index ${i} in block ${b + 1}`,
          i + 2,
          blockCol + 1,
        );
      }
      if (snps.chrom[i] !== info.chrom[b]) {
        throw new BadInputError(
          snpPath,
          `SNP '${snps.id[i]}' is on chromosome ${snps.chrom[i]}, but its block ${b + 1} is on chromosome ${info.chrom[b]}`,
          i + 2,
          chromCol + 1,
        );
      }
    }
  }

  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw fsError(dir, e);
  }
  const present = new Set(names);
  const eigenFiles: string[] = [];
  for (let b = 1; b <= nBlocks; b++) {
    const path = join(dir, eigenFileName(b));
    if (!present.has(eigenFileName(b))) {
      throw new BadInputError(path, `missing: ldm.info lists ${nBlocks} blocks, each needs its ${eigenFileName(b)}`);
    }
    eigenFiles.push(path);
  }
  for (const name of names) {
    const match = /^block(\d+)\.eigen\.bin$/.exec(name);
    if (match && !(Number(match[1]) >= 1 && Number(match[1]) <= nBlocks && name === eigenFileName(Number(match[1])))) {
      throw new BadInputError(join(dir, name), `no such block in ldm.info (${nBlocks} blocks): the folder mixes two panels?`);
    }
  }
  for (let b = 0; b < nBlocks; b++) {
    await requireRegularFile(eigenFiles[b]!); // a pipe would block the reader
    await readEigenHeader(eigenFiles[b]!, info.numSnps[b]!);
  }
  return { dir, info, snps, eigenFiles };
}

// ---------------------------------------------------------------------------------------------
// Writers (used by tests and the LD builder). Temp file + rename: a crash never leaves a
// half-written file under the final name.

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export function encodeEigenBlock(block: EigenBlock): Uint8Array {
  const { m, k } = block;
  if (!(Number.isInteger(m) && Number.isInteger(k) && k >= 1 && k <= m)) throw new RangeError(`bad eigen block shape m=${m} k=${k}`);
  if (block.values.length !== k || block.vectors.length !== m * k) {
    throw new RangeError(`eigen block arrays do not match m=${m} k=${k}: ${block.values.length} values, ${block.vectors.length} vector entries`);
  }
  const ab = new ArrayBuffer(HEADER_BYTES + 4 * k + 4 * m * k);
  const view = new DataView(ab);
  view.setInt32(0, m, true);
  view.setInt32(4, k, true);
  view.setFloat32(8, block.sumLambda, true);
  view.setFloat32(12, block.cutoff, true);
  const put = (offset: number, xs: Float32Array): void => {
    if (LITTLE_ENDIAN_HOST) new Float32Array(ab, offset, xs.length).set(xs);
    else for (let i = 0; i < xs.length; i++) view.setFloat32(offset + 4 * i, xs[i]!, true);
  };
  put(HEADER_BYTES, block.values);
  put(HEADER_BYTES + 4 * k, block.vectors);
  return new Uint8Array(ab);
}

export async function writeEigenBlock(path: string, block: EigenBlock): Promise<void> {
  await writeAtomic(path, encodeEigenBlock(block));
}

/** ldm.info derived from snp.info's Block column (SNPs of a block must be consecutive). */
export function ldmInfoFromSnps(snps: LdSnpTable): LdmInfoTable {
  const rows: { block: number; chrom: string; s: number; e: number }[] = [];
  for (let i = 0; i < snps.id.length; i++) {
    const b = snps.block[i]!;
    const last = rows[rows.length - 1];
    if (last && last.block === b) last.e = i;
    else {
      if (b !== rows.length + 1) throw new RangeError(`snp.info Block ${b} at index ${i}: blocks must run 1..B consecutively`);
      rows.push({ block: b, chrom: snps.chrom[i]!, s: i, e: i });
    }
  }
  return {
    block: Int32Array.from(rows, (r) => r.block),
    chrom: rows.map((r) => r.chrom),
    startIdx: Int32Array.from(rows, (r) => r.s),
    startId: rows.map((r) => snps.id[r.s]!),
    endIdx: Int32Array.from(rows, (r) => r.e),
    endId: rows.map((r) => snps.id[r.e]!),
    numSnps: Int32Array.from(rows, (r) => r.e - r.s + 1),
  };
}

export function formatLdmInfo(t: LdmInfoTable): string {
  const lines = ['Block\tChrom\tStartSnpIdx\tStartSnpID\tEndSnpIdx\tEndSnpID\tNumSnps'];
  for (let b = 0; b < t.block.length; b++) {
    lines.push([t.block[b], t.chrom[b], t.startIdx[b], t.startId[b], t.endIdx[b], t.endId[b], t.numSnps[b]].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function formatSnpInfo(t: LdSnpTable): string {
  const lines = ['Chrom\tID\tIndex\tGenPos\tPhysPos\tA1\tA2\tA1Freq\tN\tBlock'];
  for (let i = 0; i < t.id.length; i++) {
    lines.push(
      [t.chrom[i], t.id[i], t.index[i], t.genPos[i], t.physPos[i], t.a1[i], t.a2[i], t.a1Freq[i], t.n[i], t.block[i]].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Write a complete folder: eigen files first and ldm.info last, so a folder with an ldm.info
 * is complete. `eigen[b-1]` is block b; its m must equal the block's SNP count.
 */
export async function writeLdFolder(dir: string, snps: LdSnpTable, eigen: readonly EigenBlock[]): Promise<LdmInfoTable> {
  const info = ldmInfoFromSnps(snps);
  if (eigen.length !== info.block.length) {
    throw new RangeError(`${eigen.length} eigen blocks for ${info.block.length} blocks in snp.info`);
  }
  eigen.forEach((e, b) => {
    if (e.m !== info.numSnps[b]) throw new RangeError(`eigen block ${b + 1} has m=${e.m}, the block has ${info.numSnps[b]} SNPs`);
  });
  await mkdir(dir, { recursive: true });
  for (let b = 0; b < eigen.length; b++) await writeEigenBlock(join(dir, eigenFileName(b + 1)), eigen[b]!);
  await writeAtomic(join(dir, 'snp.info'), formatSnpInfo(snps));
  await writeAtomic(join(dir, 'ldm.info'), formatLdmInfo(info));
  return info;
}
