// LD block definitions: SBayesRC's `Block Chrom StartBP EndBP` (.pos) or BED-like
// `chr start stop|end` (ldetect/Berisa, pyrho), with or without a header. Both are read as
// [start, end) base-pair intervals with no 0/1-based shift: the published "BED" files hold SNP
// positions as boundaries (Berisa EUR's first block starts at 10583, and SBayesRC's .pos reuses
// those numbers verbatim), so shifting would move every boundary off the SNP it was cut at.
// Berisa files separate fields with " \t " and therefore need whitespace, not tab, splitting.
import { BadInputError } from '../errors.js';
import { expectFieldCount, findColumns, I32Column, normaliseChrom, ownString, parseInteger, scanLines, toNumber } from './text.js';
import type { BlockTable } from './types.js';

interface Layout {
  block: number; // -1: name blocks chrom_index
  chrom: number;
  start: number;
  end: number;
  width: number; // exact field count when there is a header, minimum otherwise
  exact: boolean;
}

const POS_COLUMNS = {
  block: { name: 'Block' },
  chrom: { name: 'Chrom', aliases: ['chr', 'chromosome'] },
  start: { name: 'StartBP', aliases: ['start'] },
  end: { name: 'EndBP', aliases: ['end', 'stop'] },
} as const;

const BED_COLUMNS = {
  chrom: { name: 'chr', aliases: ['chrom', 'chromosome', '#chr', '#chrom'] },
  start: { name: 'start', aliases: ['startbp', 'chromstart'] },
  end: { name: 'stop', aliases: ['end', 'endbp', 'chromend'] },
} as const;

function layoutOf(file: string, first: readonly string[]): Layout | null {
  const lower = first.map((s) => s.toLowerCase());
  if (lower[0] === 'block') {
    const c = findColumns(file, first, POS_COLUMNS);
    return { ...c, width: first.length, exact: true };
  }
  const looksNumeric = first.length >= 3 && Number.isInteger(toNumber(first[1]!)) && Number.isInteger(toNumber(first[2]!));
  if (looksNumeric) return null; // headerless BED
  const c = findColumns(file, first, BED_COLUMNS);
  return { block: -1, ...c, width: first.length, exact: true };
}

export async function readBlocks(path: string): Promise<BlockTable> {
  const block: string[] = [];
  const chrom: string[] = [];
  const start = new I32Column();
  const end = new I32Column();
  let layout: Layout | undefined;
  const perChrom = new Map<string, { count: number; start: number; end: number; line: number }>();
  const names = new Map<string, number>();

  const row = (f: string[], line: number, L: Layout): void => {
    if (L.exact) expectFieldCount(path, f, L.width, line);
    else if (f.length < L.width) expectFieldCount(path, f, L.width, line);
    const ch = ownString(normaliseChrom(f[L.chrom]!));
    const s = parseInteger(path, f[L.start]!, 'start', line, L.start + 1);
    const e = parseInteger(path, f[L.end]!, 'end', line, L.end + 1);
    if (s >= e) throw new BadInputError(path, `block start ${s} is not before its end ${e}`, line, L.start + 1);
    const prev = perChrom.get(ch);
    if (prev !== undefined && s < prev.start) {
      throw new BadInputError(
        path,
        `blocks of chromosome ${ch} are not sorted: start ${s} comes after start ${prev.start} (line ${prev.line})`,
        line,
        L.start + 1,
      );
    }
    if (prev !== undefined && s < prev.end) {
      throw new BadInputError(
        path,
        `block [${s}, ${e}) overlaps the previous block of chromosome ${ch} [${prev.start}, ${prev.end}) on line ${prev.line}`,
        line,
        L.start + 1,
      );
    }
    const count = (prev?.count ?? 0) + 1;
    perChrom.set(ch, { count, start: s, end: e, line });
    const name = L.block >= 0 ? ownString(f[L.block]!) : `${ch}_${count}`;
    const dup = names.get(name);
    if (dup !== undefined) throw new BadInputError(path, `duplicate block name '${name}' (lines ${dup} and ${line})`, line, L.block >= 0 ? L.block + 1 : undefined);
    names.set(name, line);
    block.push(name);
    chrom.push(ch);
    start.push(s);
    end.push(e);
  };

  const lines = await scanLines(path, 'whitespace', (f, line) => {
    if (layout === undefined) {
      const L = layoutOf(path, f);
      layout = L ?? { block: -1, chrom: 0, start: 1, end: 2, width: 3, exact: false };
      if (L === null) row(f, line, layout);
      return;
    }
    row(f, line, layout);
  });
  if (lines === 0) throw new BadInputError(path, 'empty file');
  if (block.length === 0) throw new BadInputError(path, 'empty file: a header but no blocks');
  return { block, chrom, start: start.finish(), end: end.finish() };
}
