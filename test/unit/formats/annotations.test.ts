import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readAnnotations } from '../../../core/formats/annotations.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('annot');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string | Uint8Array): string => {
  const p = join(tmp.dir, `a${counter++}.txt`);
  writeFileSync(p, content);
  return p;
};

describe('readAnnotations', () => {
  it('reads column-major typed columns, forces the intercept to 1 and flags binary columns', async () => {
    const text = ['SNP Intercept coding enh score near', 'rs1 1 1 0.9999999 0.3 0', 'rs2 0.5 0 1e-7 1.7 0', 'rs3 1 1 1 -2e-1 1', ''].join('\n');
    const t = await readAnnotations(file(text));
    expect(t.snp).toEqual(['rs1', 'rs2', 'rs3']);
    expect(t.names).toEqual(['Intercept', 'coding', 'enh', 'score', 'near']);
    expect(t.columns).toHaveLength(5);
    expect(t.columns[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(t.columns[0]!)).toEqual([1, 1, 1]); // 0.5 in the file: forced
    expect(Array.from(t.columns[3]!)).toEqual([0.3, 1.7, -0.2]);
    expect(t.binary).toEqual([true, true, true, false, true]); // within 1e-6 of 0/1 counts as binary
  });

  it('reads gzip and TSV the same', async () => {
    const text = 'SNP\tIntercept\tcoding\nrs1\t1\t1\nrs2\t1\t0\n';
    const a = await readAnnotations(file(text));
    expect(await readAnnotations(file(gzipSync(text)))).toEqual(a);
    expect(await readAnnotations(file(text.replaceAll('\t', '   ')))).toEqual(a);
  });

  it('accepts an intercept-only file', async () => {
    const t = await readAnnotations(file('SNP Intercept\nrs1 1\n'));
    expect(t.names).toEqual(['Intercept']);
    expect(t.binary).toEqual([true]);
  });
});
