// `--chain FILE`: the summary statistics' positions lifted to the panel's build before they are
// matched and checked. Rows the chain cannot place are set aside under `not_lifted` with the
// reason; rows that land on the minus strand get both alleles complemented (the same variant
// read from the other strand, so b and freq stay).
import { complement } from '../alleles/alleleOrientation.js';
import { BadInputError } from '../errors.js';
import { LIFT_STATUS, type LiftCounts, liftPositions, readLiftIndex } from '../genomeBuild/liftover.js';
import { ruleCode } from './rules.js';
import type { QcVariants } from './variants.js';

const WHY: Record<number, string> = {
  [LIFT_STATUS.noChain]: 'no chain covers its chromosome',
  [LIFT_STATUS.gap]: 'its position falls in a gap of the chain',
  [LIFT_STATUS.multiple]: 'the chain maps its position to more than one place',
  [LIFT_STATUS.otherChrom]: 'the chain maps it to another chromosome',
  [LIFT_STATUS.badPosition]: 'it has no valid position',
};

/** Lifts `v`'s positions in place; returns the counts. */
export async function liftRows(v: QcVariants, chainFile: string, source: string): Promise<LiftCounts> {
  if (v.chrom === null || v.pos === null) throw new BadInputError(source, `--chain ${chainFile}: the summary statistics have no positions (no chromosome/position columns nor positional IDs) to lift`);
  const ix = await readLiftIndex(chainFile);
  // Only rows still in play: set-aside rows have no position and are not the chain's to count.
  const rows: number[] = [];
  for (let i = 0; i < v.snp.length; i++) if (v.preRule === null || v.preRule[i] === 0) rows.push(i);
  const lifted = liftPositions(ix, rows.map((i) => v.chrom![i]!), Int32Array.from(rows, (i) => v.pos![i]!));
  const code = ruleCode('not_lifted');
  rows.forEach((i, r) => {
    const status = lifted.status[r]!;
    if (status !== LIFT_STATUS.lifted) {
      v.preRule ??= new Uint8Array(v.snp.length);
      v.preRule[i] = code;
      v.preDetail.set(i, `${v.chrom![i]}:${v.pos![i]} not lifted over: ${WHY[status] ?? 'unmapped'}`);
      return;
    }
    v.chrom![i] = lifted.chrom[r]!;
    v.pos![i] = lifted.pos[r]!;
    if (lifted.minus[r] === 1) {
      v.a1[i] = complement(v.a1[i]!) ?? v.a1[i]!;
      v.a2[i] = complement(v.a2[i]!) ?? v.a2[i]!;
    }
  });
  return lifted.counts;
}
