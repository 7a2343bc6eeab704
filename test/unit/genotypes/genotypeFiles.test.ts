import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { forEachFileChunk, openGenotypeFiles } from '../../../core/genotypes/genotypeFiles.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('genofiles');
afterAll(() => tmp.cleanup());

/** A fileset of `samples` (FID IID) and `nVariants` variants on `chrom`; variant v's byte is v. */
function fileset(name: string, samples: string[], chrom: string, nVariants: number): string {
  const prefix = join(tmp.dir, name);
  writeFileSync(`${prefix}.fam`, samples.map((s) => `${s} 0 0 1 -9\n`).join(''));
  writeFileSync(`${prefix}.bim`, Array.from({ length: nVariants }, (_, v) => `${chrom}\t${name}_${v}\t0\t${1000 + v}\tA\tG\n`).join(''));
  const bpv = Math.ceil(samples.length / 4);
  const bed = new Uint8Array(3 + bpv * nVariants);
  bed.set([0x6c, 0x1b, 0x01]);
  for (let v = 0; v < nVariants; v++) bed.fill(v, 3 + v * bpv, 3 + (v + 1) * bpv);
  writeFileSync(`${prefix}.bed`, bed);
  return prefix;
}

const SAMPLES = ['F1 I1', 'F2 I2', 'F3 I3'];

describe('openGenotypeFiles', () => {
  it('joins filesets of one cohort into one variant sequence', async () => {
    const a = fileset('a', SAMPLES, '21', 2);
    const b = fileset('b', SAMPLES, '22', 3);
    const g = await openGenotypeFiles([a, b]);
    expect([g.nSamples, g.nVariants, g.bytesPerVariant, g.famPath]).toEqual([3, 5, 1, `${a}.fam`]);
    expect(g.bim.id).toEqual(['a_0', 'a_1', 'b_0', 'b_1', 'b_2']);
    expect(Array.from(g.bim.pos)).toEqual([1000, 1001, 1000, 1001, 1002]);
    expect(g.filesets.map((f) => [f.paths.bed, f.first, f.count])).toEqual([
      [`${a}.bed`, 0, 2],
      [`${b}.bed`, 2, 3],
    ]);
    const seen: number[] = [];
    await forEachFileChunk(g, 2, (c) => {
      for (let v = 0; v < c.nVariants; v++) seen.push(c.firstVariant + v, c.packed[v]!);
    });
    expect(seen).toEqual([0, 0, 1, 1, 2, 0, 3, 1, 4, 2]);
  });

  it('names the .fam and line of the first sample that differs', async () => {
    const a = fileset('c', SAMPLES, '21', 1);
    const b = fileset('d', ['F1 I1', 'F2 X2', 'F3 I3'], '22', 1);
    const err = await openGenotypeFiles([a, b]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect(err).toMatchObject({ file: `${b}.fam`, line: 2 });
    expect((err as Error).message).toBe(
      `${b}.fam:2: samples differ from ${a}.fam: sample 2 is 'F2 X2' here, 'F2 I2' there; the filesets of one cohort must list the same samples in the same order`,
    );
  });

  it('refuses a .fam with more or fewer samples, and no fileset at all', async () => {
    const a = fileset('e', SAMPLES, '21', 1);
    const more = fileset('f', [...SAMPLES, 'F4 I4'], '22', 1);
    const fewer = fileset('g', SAMPLES.slice(0, 2), '22', 1);
    await expect(openGenotypeFiles([a, more])).rejects.toMatchObject({ file: `${more}.fam`, line: 4, detail: expect.stringMatching(/^samples differ from .*: 4 samples here, 3 there/) });
    await expect(openGenotypeFiles([a, fewer])).rejects.toMatchObject({ file: `${fewer}.fam`, line: undefined });
    await expect(openGenotypeFiles([])).rejects.toThrow(BadInputError);
  });
});
