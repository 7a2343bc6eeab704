// The fit's annotation matrix, read straight into panel order as float32 on shared memory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { readAnnotationMatrix } from '../../../core/formats/annotationMatrix.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('annotmatrix');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string): string => {
  const p = join(tmp.dir, `a${counter++}.txt`);
  writeFileSync(p, content);
  return p;
};

describe('readAnnotationMatrix', () => {
  it('writes panel rows in panel order, intercept forced to 1, absent panel SNPs 0, other file rows ignored', async () => {
    const text = ['SNP\tIntercept\tcoding\tscore', 'rs9\t1\t1\t5.5', 'rs2\t0.5\t0\t0.123', 'rs1\t1\t1\t-2', 'rs2x\t1\t1\t1', ''].join('\n');
    const m = await readAnnotationMatrix(file(text), ['rs1', 'rs2', 'rs3']);
    expect(m.nA).toBe(3);
    expect(m.names).toEqual(['Intercept', 'coding', 'score']);
    expect(m.a).toBeInstanceOf(Float32Array);
    expect(m.a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(m.a)).toEqual([1, 1, -2, 1, 0, Math.fround(0.123), 1, 0, 0]);
    expect(m.covered).toBe(2);
    // Binary over the panel's SNPs: rs9's 5.5 is not in the panel.
    expect(m.binary).toEqual([true, true, false]);
  });

  it('a duplicate panel SNP is an error naming both lines; an all-zero column over the panel is an error', async () => {
    const dup = file(['SNP Intercept x', 'rs1 1 1', 'rs2 1 0', 'rs1 1 0', ''].join('\n'));
    const e1 = await readAnnotationMatrix(dup, ['rs1', 'rs2']).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(BadInputError);
    expect((e1 as BadInputError).message).toMatch(/duplicate SNP 'rs1' \(lines 2 and 4\)/);
    const zero = file(['SNP Intercept x', 'rs1 1 0', 'rs2 1 0', 'rs7 1 1', ''].join('\n'));
    await expect(readAnnotationMatrix(zero, ['rs1', 'rs2'])).rejects.toThrow(/column 'x' is zero for every SNP of the LD panel/);
  });

  it('a non-number names file, line and column', async () => {
    const bad = file(['SNP Intercept x y', 'rs1 1 1 0.2', 'rs2 1 0 abc', ''].join('\n'));
    const e = await readAnnotationMatrix(bad, ['rs1', 'rs2']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as BadInputError).line).toBe(3);
    expect((e as BadInputError).column).toBe(4);
  });
});
