// The eigen file our panel builder writes, byte for byte, for a case solvable by hand: two SNPs
// with r = 0.6 have R = [[1, .6], [.6, 1]], eigenvalues 1.6 and 0.4, eigenvectors (1, 1)/√2
// and (1, −1)/√2 (each oriented with its first largest component positive).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeEigenBlock, readEigenBlock } from '../../core/formats/ldFolder.js';
import { toEigenBlock } from '../../core/ld/eigenCutoff.js';
import { type EigenOptions, eigenSymmetric } from '../../core/ld/eigenSymmetric.js';
import { makeTmpDir } from '../helpers/tmp.js';

// Little-endian float32 bit patterns, written out rather than computed.
const F32 = {
  '1.6': [0xcd, 0xcc, 0xcc, 0x3f], // 0x3FCCCCCD
  '0.4': [0xcd, 0xcc, 0xcc, 0x3e], // 0x3ECCCCCD
  '2': [0x00, 0x00, 0x00, 0x40], // 0x40000000
  '1': [0x00, 0x00, 0x80, 0x3f], // 0x3F800000
  '0.7': [0x33, 0x33, 0x33, 0x3f], // 0x3F333333
  invSqrt2: [0xf3, 0x04, 0x35, 0x3f], // 0x3F3504F3 = 0.70710677
  minusInvSqrt2: [0xf3, 0x04, 0x35, 0xbf], // 0xBF3504F3
};
const i32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** m = 2, k = 2, sumLambda = 2, cut-off = 1, λ = (1.6, 0.4), U = [(1,1)/√2 | (1,−1)/√2]. */
const R06_FULL = Uint8Array.from([
  ...i32(2), ...i32(2), ...F32['2'], ...F32['1'],
  ...F32['1.6'], ...F32['0.4'],
  ...F32.invSqrt2, ...F32.invSqrt2,
  ...F32.invSqrt2, ...F32.minusInvSqrt2,
]);

/** The same block at cut-off 0.7: 1.6 ≥ 0.7 × 2, so k = 1. */
const R06_CUT07 = Uint8Array.from([
  ...i32(2), ...i32(1), ...F32['2'], ...F32['0.7'],
  ...F32['1.6'],
  ...F32.invSqrt2, ...F32.invSqrt2,
]);

const tmp = makeTmpDir('ld-format');
afterAll(() => tmp.cleanup());

describe.each<[string, EigenOptions]>([
  ['native dsyevr', { backend: 'native', method: 'r' }],
  ['native dsyevd', { backend: 'native', method: 'd' }],
  ['TypeScript', { backend: 'typescript' }],
])('eigen file bytes (%s)', (_name, opts) => {
  const decompose = (cutoff: number) => encodeEigenBlock(toEigenBlock(eigenSymmetric(Float64Array.of(1, 0.6, 0.6, 1), 2, opts), cutoff));

  it('2 SNPs with r = 0.6 at cut-off 1: exactly the hand-written 40 bytes', () => {
    expect(R06_FULL.length).toBe(16 + 4 * 2 + 4 * 2 * 2);
    expect(Array.from(decompose(1))).toEqual(Array.from(R06_FULL));
  });

  it('at cut-off 0.7 only the first pair is kept (k = 1)', () => {
    expect(Array.from(decompose(0.7))).toEqual(Array.from(R06_CUT07));
  });
});

describe('reading the hand-written file', () => {
  it('gives back the known eigen-pairs', async () => {
    const path = join(tmp.dir, 'block1.eigen.bin');
    writeFileSync(path, R06_FULL);
    const b = await readEigenBlock(path, 2);
    expect([b.m, b.k, b.sumLambda, b.cutoff]).toEqual([2, 2, 2, 1]);
    expect(Array.from(b.values)).toEqual([Math.fround(1.6), Math.fround(0.4)]);
    const s = Math.fround(Math.SQRT1_2);
    expect(Array.from(b.vectors)).toEqual([s, s, s, -s]);
  });
});
