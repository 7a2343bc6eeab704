// PLINK 2 .pvar (pgen_spec §4), plain or zstd-compressed (.pvar.zst, `--make-pgen vzs`): '##'
// meta lines, then a '#CHROM' header naming the columns (POS ID REF ALT QUAL FILTER INFO CM in
// any order; FORMAT ends it, so a sites-only VCF is a .pvar). Without a header the file is a
// .bim: CHROM ID CM POS ALT REF, or CHROM ID POS ALT REF with five columns.
import { createReadStream } from 'node:fs';
import { Decompress } from 'fzstd';
import { BadInputError } from '../errors.js';
import type { BimTable } from './types.js';
import { F64Column, fsError, I32Column, ownString, parseInteger, parseNumber, type RowHandler, scanLines } from './text.js';
import { readFileHead } from './fileHead.js';

export interface PvarTable extends BimTable {
  /** 1 where ALT lists more than one allele (a comma): such records are not read as dosages. */
  multiAllelic: Uint8Array;
}

interface Columns {
  chrom: number;
  pos: number;
  id: number;
  ref: number;
  alt: number;
  cm: number;
  width: number;
}

const BIM6: Columns = { chrom: 0, id: 1, cm: 2, pos: 3, alt: 4, ref: 5, width: 6 };
const BIM5: Columns = { chrom: 0, id: 1, cm: -1, pos: 2, alt: 3, ref: 4, width: 5 };

/** A variant's name: its ID, or chr:pos:ref:alt when the ID is '.'. */
export const variantName = (chrom: string, pos: number, id: string, ref: string, alt: string): string =>
  id === '.' ? `${chrom}:${pos}:${ref}:${alt}` : id;

export async function readPvar(path: string): Promise<PvarTable> {
  const chrom: string[] = [];
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const cm = new F64Column();
  const pos = new I32Column();
  const multi: number[] = [];
  let cols: Columns | null = null;
  await scanPvarLines(path, (f, line) => {
    // Lines before the '#CHROM' header that start with '#' are meta lines.
    if (cols === null && f[0]!.startsWith('#')) {
      if (f[0] === '#CHROM') cols = headerColumns(path, f, line);
      return;
    }
    if (cols === null) {
      if (f.length < 5) throw new BadInputError(path, `a .pvar without a '#CHROM' header is read as a .bim and needs 5 or 6 fields, found ${f.length}`, line);
      cols = f.length >= 6 ? BIM6 : BIM5;
    }
    const c: Columns = cols;
    if (f.length < c.width) throw new BadInputError(path, `expected at least ${c.width} fields (as in the header), found ${f.length}`, line, f.length + 1);
    const ch = f[c.chrom]!;
    const p = parseInteger(path, f[c.pos]!, 'POS', line, c.pos + 1);
    const ref = f[c.ref]!;
    const alt = f[c.alt]!;
    chrom.push(ownString(ch));
    pos.push(p);
    id.push(ownString(variantName(ch, p, c.id < 0 ? '.' : f[c.id]!, ref, alt)));
    cm.push(c.cm < 0 ? 0 : parseNumber(path, f[c.cm]!, 'CM', line, c.cm + 1));
    a1.push(ownString(alt));
    a2.push(ownString(ref));
    multi.push(alt.includes(',') ? 1 : 0);
  });
  if (id.length === 0) throw new BadInputError(path, 'no variants');
  return { chrom, id, cm: cm.finish(), pos: pos.finish(), a1, a2, multiAllelic: Uint8Array.from(multi) };
}

function headerColumns(path: string, f: string[], line: number): Columns {
  const names = ['CHROM', ...f.slice(1)];
  const stop = names.indexOf('FORMAT');
  const used = stop < 0 ? names : names.slice(0, stop);
  const find = (name: string, optional: boolean): number => {
    const i = used.indexOf(name);
    if (i < 0 && !optional) throw new BadInputError(path, `header has no ${name} column (columns: #${used.join(' ')})`, line);
    if (i >= 0 && used.indexOf(name, i + 1) >= 0) throw new BadInputError(path, `column ${name} appears twice in the header`, line, used.indexOf(name, i + 1) + 1);
    return i;
  };
  const c = { chrom: 0, pos: find('POS', false), id: find('ID', true), ref: find('REF', false), alt: find('ALT', false), cm: find('CM', true) };
  return { ...c, width: Math.max(c.chrom, c.pos, c.id, c.ref, c.alt, c.cm) + 1 };
}

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Lines of a .pvar as scanLines gives them; zstd is detected by its magic bytes. */
async function scanPvarLines(path: string, onLine: RowHandler): Promise<number> {
  const { head, bytesRead } = await readFileHead(path, 4);
  const zstd = bytesRead === 4 && ZSTD_MAGIC.every((b, i) => head[i] === b);
  return zstd ? scanZstdLines(path, onLine) : scanLines(path, 'whitespace', onLine);
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

/**
 * scanLines for zstd input (whitespace split, blank lines only at the end), streaming: the
 * decompressed text is cut at its last newline and only whole lines are decoded.
 */
async function scanZstdLines(path: string, onLine: RowHandler): Promise<number> {
  const decoder = new TextDecoder('utf-8');
  const fields: string[] = [];
  let carry: Uint8Array | null = null;
  let lineNo = 0;
  let blankAt = 0;
  let count = 0;
  const handle = (text: string, start: number, end: number): void => {
    lineNo++;
    let n = 0;
    let i = start;
    while (i < end) {
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end) break;
      const from = i;
      while (i < end && !isSpace(text.charCodeAt(i))) i++;
      fields[n++] = text.slice(from, i);
    }
    if (n === 0) {
      if (blankAt === 0) blankAt = lineNo;
      return;
    }
    if (blankAt !== 0) throw new BadInputError(path, 'blank line inside the file (only trailing blank lines are allowed)', blankAt);
    fields.length = n;
    count++;
    onLine(fields, lineNo);
  };
  const decodeLines = (bytes: Uint8Array): void => {
    const text = decoder.decode(bytes, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      handle(text, start, nl);
      start = nl + 1;
    }
    if (start < text.length) handle(text, start, text.length);
  };
  const onData = (data: Uint8Array): void => {
    let chunk = data;
    if (carry) {
      chunk = new Uint8Array(carry.length + data.length);
      chunk.set(carry);
      chunk.set(data, carry.length);
    }
    const cut = chunk.lastIndexOf(0x0a);
    if (cut === -1) {
      carry = chunk;
      return;
    }
    decodeLines(chunk.subarray(0, cut + 1));
    carry = cut + 1 < chunk.length ? chunk.slice(cut + 1) : null;
  };
  const zstd = new Decompress(onData);
  try {
    for await (const raw of createReadStream(path, { highWaterMark: 1 << 20 })) {
      push(zstd, path, raw as Buffer, false);
    }
    push(zstd, path, new Uint8Array(0), true);
  } catch (e) {
    throw fsError(path, e);
  }
  if (carry) decodeLines(carry);
  return count;
}

function push(zstd: Decompress, path: string, chunk: Uint8Array, final: boolean): void {
  try {
    zstd.push(chunk, final);
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(path, `corrupt zstd data: ${(e as Error).message}`);
  }
}
