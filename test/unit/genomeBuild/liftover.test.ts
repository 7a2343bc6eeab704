import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChainFile } from '../../../core/formats/chainFile.js';
import {
  buildLiftIndex,
  describeLiftCounts,
  LIFT_STATUS,
  liftOne,
  liftPosition,
  liftPositions,
  readLiftIndex,
  type LiftIndex,
} from '../../../core/genomeBuild/liftover.js';
import { makeTmpDir } from '../../helpers/tmp.js';

// Chains (0-based half-open; blocks as target → query):
//  1: chr1 [100,150) → chr1 [500,550), gap t 10 / q 30, [160,260) → [580,680), gap t 20 / q 0,
//     [280,300) → [680,700)
//  2: chr2 → chr2 on the minus strand (qSize 400): [10,30) → rc [100,120), gap t 5 / q 10,
//     [35,60) → rc [130,155); forward 1-based = 400 − rc
//  3: chr3 [0,10) → chr7 [990,1000)
//  4: chr1 [400,440) → chr1 [1000,1040)
//  5: chr1 [410,412) → chr1 [1500,1502)          overlaps 4 with another mapping
//  6: chr1 [430,435) → chr1 [1030,1035), no id   overlaps 4 with the same mapping
const TEXT = [
  'chain 1000 chr1 1000 + 100 300 chr1 2000 + 500 700 1',
  '50\t10\t30',
  '100\t20\t0',
  '20',
  '',
  'chain 900 chr2 500 + 10 60 chr2 400 - 100 155 2',
  '20\t5\t10',
  '25',
  '',
  'chain 50 chr3 1000 + 0 10 chr7 1000 + 990 1000 3',
  '10',
  '',
  'chain 10 chr1 1000 + 400 440 chr1 2000 + 1000 1040 4',
  '40',
  '',
  'chain 5 chr1 1000 + 410 412 chr1 2000 + 1500 1502 5',
  '2',
  '',
  'chain 1 chr1 1000 + 430 435 chr1 2000 + 1030 1035',
  '5',
  '',
].join('\n');

const tmp = makeTmpDir('liftover');
afterAll(() => tmp.cleanup());
let ix: LiftIndex;
let plainPath: string;
let gzPath: string;
beforeAll(async () => {
  plainPath = join(tmp.dir, 'test.over.chain');
  gzPath = join(tmp.dir, 'test.over.chain.gz');
  writeFileSync(plainPath, TEXT);
  writeFileSync(gzPath, gzipSync(TEXT));
  ix = await readLiftIndex(plainPath);
});

const plus = (chrom: string, pos: number) => ({ chrom, pos, strand: '+' });
const minus = (chrom: string, pos: number) => ({ chrom, pos, strand: '-' });

describe('the block index', () => {
  it('holds every block per source chromosome, sorted, with the running maximum end', () => {
    expect(ix.chains).toBe(6);
    expect(ix.blocks).toBe(9);
    expect([...ix.bySource.keys()].sort()).toEqual(['1', '2', '3']);
    const c1 = ix.bySource.get('1')!;
    expect([...c1.tStart]).toEqual([100, 160, 280, 400, 410, 430]);
    expect([...c1.tEnd]).toEqual([150, 260, 300, 440, 412, 435]);
    expect([...c1.qStart]).toEqual([500, 580, 680, 1000, 1500, 1030]);
    expect([...c1.chain]).toEqual([0, 0, 0, 3, 4, 5]);
    expect([...c1.maxEnd]).toEqual([150, 260, 300, 440, 440, 440]);
    expect(ix.chainQName).toEqual(['1', '2', '7', '1', '1', '1']);
    expect([...ix.chainMinus]).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it('is the same built from chains in memory and from the gzip file', async () => {
    expect(buildLiftIndex(await readChainFile(plainPath))).toEqual(ix);
    expect(await readLiftIndex(gzPath)).toEqual(ix);
  });
});

describe('liftPosition (1-based positions against 0-based half-open blocks)', () => {
  it('plus strand: first and last base of each block, and the bases around them', () => {
    // block [100,150) holds 1-based 101..150
    expect(liftOne(ix, '1', 100)).toBe('gap');
    expect(liftPosition(ix, '1', 101)).toEqual(plus('1', 501));
    expect(liftPosition(ix, '1', 125)).toEqual(plus('1', 525));
    expect(liftPosition(ix, '1', 150)).toEqual(plus('1', 550));
    // gap [150,160) = 1-based 151..160
    expect(liftOne(ix, '1', 151)).toBe('gap');
    expect(liftOne(ix, '1', 160)).toBe('gap');
    expect(liftPosition(ix, '1', 160)).toBeNull();
    // block [160,260) → [580,680)
    expect(liftPosition(ix, '1', 161)).toEqual(plus('1', 581));
    expect(liftPosition(ix, '1', 260)).toEqual(plus('1', 680));
    expect(liftOne(ix, '1', 261)).toBe('gap');
    expect(liftOne(ix, '1', 280)).toBe('gap');
    // block [280,300) → [680,700): the query gap was 0
    expect(liftPosition(ix, 'chr1', 281)).toEqual(plus('1', 681));
    expect(liftPosition(ix, '1', 300)).toEqual(plus('1', 700));
    expect(liftOne(ix, '1', 301)).toBe('gap');
  });

  it('minus strand: position qSize − (qStart + offset), strand −', () => {
    expect(liftOne(ix, '2', 10)).toBe('gap');
    expect(liftPosition(ix, '2', 11)).toEqual(minus('2', 300));
    expect(liftPosition(ix, '2', 30)).toEqual(minus('2', 281));
    expect(liftOne(ix, '2', 31)).toBe('gap');
    expect(liftOne(ix, '2', 35)).toBe('gap');
    expect(liftPosition(ix, '2', 36)).toEqual(minus('2', 270));
    expect(liftPosition(ix, '2', 60)).toEqual(minus('2', 246));
    expect(liftOne(ix, '2', 61)).toBe('gap');
  });

  it('overlapping chains: ambiguous when they disagree, found behind a later short block', () => {
    expect(liftPosition(ix, '1', 401)).toEqual(plus('1', 1001));
    expect(liftPosition(ix, '1', 410)).toEqual(plus('1', 1010));
    expect(liftOne(ix, '1', 411)).toBe('multiple');
    expect(liftOne(ix, '1', 412)).toBe('multiple');
    expect(liftPosition(ix, '1', 413)).toEqual(plus('1', 1013));
    // t = 420: the last block starting at or before it is [410,412); [400,440) still holds it
    expect(liftPosition(ix, '1', 421)).toEqual(plus('1', 1021));
    // chains 4 and 6 agree on [430,435)
    expect(liftPosition(ix, '1', 431)).toEqual(plus('1', 1031));
    expect(liftPosition(ix, '1', 435)).toEqual(plus('1', 1035));
    expect(liftPosition(ix, '1', 440)).toEqual(plus('1', 1040));
    expect(liftOne(ix, '1', 441)).toBe('gap');
  });

  it('another chromosome, an uncovered chromosome, bad positions', () => {
    expect(liftPosition(ix, '3', 1)).toEqual(plus('7', 991));
    expect(liftPosition(ix, '3', 10)).toEqual(plus('7', 1000));
    expect(liftOne(ix, '3', 11)).toBe('gap');
    expect(liftOne(ix, '4', 5)).toBe('noChain');
    expect(liftOne(ix, '1', 0)).toBe('badPosition');
    expect(liftOne(ix, '1', -3)).toBe('badPosition');
    expect(liftOne(ix, '1', 101.5)).toBe('badPosition');
    expect(liftOne(ix, '4', NaN)).toBe('badPosition');
  });
});

describe('liftPositions', () => {
  const chrom = ['1', '1', '1', '1', '1', '1', 'chr1', '1', '1', '1', '1', '1', '2', '2', '2', '2', '2', '3', '4', '1', '1'];
  const pos = [100, 101, 150, 151, 161, 260, 281, 300, 301, 411, 421, 433, 11, 30, 31, 36, 60, 1, 5, 0, 1.5];
  const S = LIFT_STATUS;

  it('lifts each row and counts the rest by reason', () => {
    const r = liftPositions(ix, chrom, pos);
    expect([...r.status]).toEqual([
      S.gap, S.lifted, S.lifted, S.gap, S.lifted, S.lifted, S.lifted, S.lifted, S.gap, S.multiple, S.lifted, S.lifted,
      S.lifted, S.lifted, S.gap, S.lifted, S.lifted, S.otherChrom, S.noChain, S.badPosition, S.badPosition,
    ]);
    expect([...r.pos]).toEqual([0, 501, 550, 0, 581, 680, 681, 700, 0, 0, 1021, 1033, 300, 281, 0, 270, 246, 0, 0, 0, 0]);
    expect(r.chrom).toEqual(['', '1', '1', '', '1', '1', '1', '1', '', '', '1', '1', '2', '2', '', '2', '2', '', '', '', '']);
    expect([...r.minus]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0]);
    expect(r.counts).toEqual({
      rows: 21,
      lifted: 12,
      minusStrand: 4,
      changedChrom: 0,
      unmapped: { noChain: 1, gap: 4, multiple: 1, otherChrom: 1, badPosition: 2 },
    });
    expect(describeLiftCounts(r.counts)).toBe(
      '12 of 21 variants lifted (4 on the minus strand); not lifted: 1 on a chromosome the chain file does not cover, ' +
        '4 outside every aligned block, 1 mapped to more than one place, 1 moved to another chromosome, 2 without a valid position',
    );
  });

  it("keeps a move to another chromosome with otherChromosome: 'keep'", () => {
    const r = liftPositions(ix, chrom, pos, { otherChromosome: 'keep' });
    expect(r.status[17]).toBe(S.lifted);
    expect(r.chrom[17]).toBe('7');
    expect(r.pos[17]).toBe(991);
    expect(r.counts.lifted).toBe(13);
    expect(r.counts.changedChrom).toBe(1);
    expect(r.counts.unmapped.otherChrom).toBe(0);
    expect(describeLiftCounts(r.counts)).toBe(
      '13 of 21 variants lifted (4 on the minus strand, 1 on another chromosome); not lifted: 1 on a chromosome the chain file does not cover, ' +
        '4 outside every aligned block, 1 mapped to more than one place, 2 without a valid position',
    );
  });

  it('takes Int32Array positions and refuses arrays of unequal length', () => {
    const r = liftPositions(ix, ['2', '1'], Int32Array.of(36, 101));
    expect([...r.pos]).toEqual([270, 501]);
    expect(() => liftPositions(ix, ['1'], [1, 2])).toThrow('1 chromosomes but 2 positions');
  });
});
