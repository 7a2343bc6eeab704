import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeEigenBlock,
  readEigenBlock,
  readLdFolder,
  readLdmInfo,
  readSnpInfo,
  writeEigenBlock,
  writeLdFolder,
} from '../../../core/formats/ldFolder.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { ar1, eigenBlockFromCorrelation, jacobiEigen, snpTable } from './ldTestUtil.js';

const tmp = makeTmpDir('ld');
afterAll(() => tmp.cleanup());

describe('eigen blocks', () => {
  it('encodes [[1, .5], [.5, 1]] to the hand-computed bytes', () => {
    const block = eigenBlockFromCorrelation([1, 0.5, 0.5, 1], 2, 0.995);
    expect([block.m, block.k]).toEqual([2, 2]);
    expect(block.sumLambda).toBeCloseTo(2, 12); // Jacobi in float64; float32 storage rounds it to 2
    const hex = Buffer.from(encodeEigenBlock(block)).toString('hex');
    const f32 = (x: number): string => {
      const b = Buffer.alloc(4);
      b.writeFloatLE(x);
      return b.toString('hex');
    };
    expect(f32(0.995)).toBe('52b87e3f');
    // m=2, k=2, sumLambda=2, cutoff=0.995, λ = 1.5, 0.5, U = [(1,1)/√2, (1,−1)/√2] column-major.
    expect(hex).toBe(
      ['02000000', '02000000', '00000040', '52b87e3f', '0000c03f', '0000003f', 'f304353f', 'f304353f', 'f304353f', 'f30435bf'].join(''),
    );
  });

  it('Jacobi reproduces an AR(1) matrix from its eigenpairs', () => {
    const m = 5;
    const r = ar1(m, 0.7);
    const { values, vectors } = jacobiEigen(r, m);
    for (let i = 1; i < m; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += vectors[k * m + i]! * values[k]! * vectors[k * m + j]!;
        expect(s).toBeCloseTo(r[i * m + j]!, 12);
      }
    }
  });

  it('round-trips through writeEigenBlock/readEigenBlock, leaving no temp file', async () => {
    const block = eigenBlockFromCorrelation(ar1(6, 0.8), 6, 0.95);
    expect(block.k).toBeLessThan(6);
    const dir = join(tmp.dir, 'rt');
    await writeLdFolder(dir, snpTable([6]), [block]);
    const path = join(dir, 'block1.eigen.bin');
    await writeEigenBlock(path, block);
    expect(readdirSync(dir).sort()).toEqual(['block1.eigen.bin', 'ldm.info', 'snp.info']);
    const back = await readEigenBlock(path, 6);
    expect(back.m).toBe(6);
    expect(back.k).toBe(block.k);
    expect(back.sumLambda).toBeCloseTo(block.sumLambda, 5);
    expect(back.cutoff).toBe(Math.fround(0.95));
    expect(Array.from(back.values)).toEqual(Array.from(block.values));
    expect(Array.from(back.vectors)).toEqual(Array.from(block.vectors));
    expect(readFileSync(path).length).toBe(16 + 4 * block.k + 4 * 6 * block.k);
  });

  it('refuses a block whose m is not the expected one', async () => {
    const path = join(tmp.dir, 'm.bin');
    await writeEigenBlock(path, eigenBlockFromCorrelation([1, 0.2, 0.2, 1], 2, 0.99));
    await expect(readEigenBlock(path, 3)).rejects.toThrow(/m = 2 at byte offset 0, but the block has 3 SNPs/);
    await expect(readEigenBlock(path)).resolves.toMatchObject({ m: 2 });
  });
});

describe('LD folders', () => {
  it('writes and reads a complete two-block panel', async () => {
    const dir = join(tmp.dir, 'panel');
    const snps = snpTable([2, 3]);
    const b1 = eigenBlockFromCorrelation([1, 0.5, 0.5, 1], 2, 0.995);
    const b2 = eigenBlockFromCorrelation(ar1(3, 0.6), 3, 0.995);
    const written = await writeLdFolder(dir, snps, [b1, b2]);
    expect(readFileSync(join(dir, 'ldm.info'), 'utf8')).toBe(
      'Block\tChrom\tStartSnpIdx\tStartSnpID\tEndSnpIdx\tEndSnpID\tNumSnps\n1\t22\t0\trs1000\t1\trs1001\t2\n2\t22\t2\trs1002\t4\trs1004\t3\n',
    );
    const folder = await readLdFolder(dir);
    expect(folder.info).toEqual(written);
    expect(folder.snps).toEqual(snps);
    expect(folder.eigenFiles).toEqual([join(dir, 'block1.eigen.bin'), join(dir, 'block2.eigen.bin')]);
    expect(await readLdmInfo(join(dir, 'ldm.info'))).toEqual(written);
    expect((await readSnpInfo(join(dir, 'snp.info'))).id).toEqual(snps.id);
    const e2 = await readEigenBlock(folder.eigenFiles[1]!, folder.info.numSnps[1]!);
    expect([e2.m, e2.k]).toEqual([3, b2.k]);
  });

  it('reports a missing folder as bad input', async () => {
    await expect(readLdFolder(join(tmp.dir, 'nope'))).rejects.toThrow(/ldm\.info: file not found/);
  });
});
