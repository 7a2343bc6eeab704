// Where a variant sits when its ID is not the panel's: the chromosome and position columns of
// the file, or the position written into IDs such as `1:1066403:T:C`, `chr1_1066403_T_C` or
// `1:1066403_C_T`. Used to match summary statistics to an LD panel by position and alleles.
import { normaliseChrom } from '../formats/text.js';

const POSITIONAL_ID = /^(?:chr)?([0-9]{1,2}|X|Y|XY|MT|M)[:_](\d+)(?:[:_]([ACGT]+)[:_]([ACGT]+))?$/i;

/** chrom and 1-based position from an ID in one of the positional spellings, or null. */
export function positionFromId(id: string): { chrom: string; pos: number } | null {
  const m = POSITIONAL_ID.exec(id);
  if (m === null) return null;
  const pos = Number(m[2]);
  return pos >= 1 && pos <= 2_147_483_647 ? { chrom: normaliseChrom(m[1]!.toUpperCase()), pos } : null;
}

/** `chrom:pos`, the key panel SNPs are looked up by. */
export const siteKey = (chrom: string, pos: number): string => `${chrom}:${pos}`;

/**
 * Per row, chrom and position: from the columns when the file has them (entries '' / 0 where a
 * row has none), else parsed from the IDs; null when no row has one.
 */
export function rowPositions(ids: readonly string[], chrom: readonly string[] | null, pos: ArrayLike<number> | null): { chrom: string[]; pos: Int32Array } | null {
  if (chrom !== null && pos !== null) return { chrom: Array.from(chrom), pos: Int32Array.from(pos) };
  const c = new Array<string>(ids.length).fill('');
  const p = new Int32Array(ids.length);
  let any = false;
  ids.forEach((id, i) => {
    const at = positionFromId(id);
    if (at === null) return;
    c[i] = at.chrom;
    p[i] = at.pos;
    any = true;
  });
  return any ? { chrom: c, pos: p } : null;
}
