import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { readSampleTable } from '../../../core/formats/sampleTable.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('samples');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string | Uint8Array): string => {
  const p = join(tmp.dir, `t${counter++}.txt`);
  writeFileSync(p, content);
  return p;
};

describe('readSampleTable', () => {
  it('infers numeric and text columns; NA, . and -9 (phenotypes) are missing', async () => {
    const t = await readSampleTable(
      file(['fid iid height sex batch score', 'F1 I1 1.70 M b1 -9', 'F2 I2 NA F b2 2e-1', 'F3 I3 -9 . NA .', ''].join('\n')),
      { missingMinus9: true },
    );
    expect(t.fid).toEqual(['F1', 'F2', 'F3']);
    expect(t.iid).toEqual(['I1', 'I2', 'I3']);
    expect(t.numeric.map((c) => c.name)).toEqual(['height', 'score']);
    const [height, score] = t.numeric;
    expect(height?.values).toBeInstanceOf(Float64Array);
    expect(Array.from(height!.values)).toEqual([1.7, NaN, NaN]);
    expect(Array.from(score!.values)).toEqual([NaN, 0.2, NaN]);
    expect(t.text).toEqual([
      { name: 'sex', values: ['M', 'F', ''] },
      { name: 'batch', values: ['b1', 'b2', ''] },
    ]);
  });

  it('keeps -9 as a value for covariates', async () => {
    const t = await readSampleTable(file('FID IID PC1\nA a -9\nB b 1.5\n'), { missingMinus9: false });
    expect(Array.from(t.numeric[0]!.values)).toEqual([-9, 1.5]);
  });

  it('reads TSV with empty cells as missing, a #FID header, CRLF and gzip', async () => {
    const text = '#FID\tIID\tage\tcentre\r\nA\ta\t54\tLeeds Royal\r\nB\tb\t\t\r\n';
    const t = await readSampleTable(file(gzipSync(text)), { missingMinus9: true });
    expect(Array.from(t.numeric[0]!.values)).toEqual([54, NaN]);
    expect(t.text).toEqual([{ name: 'centre', values: ['Leeds Royal', ''] }]);
  });

  it('treats a column of only missing values as numeric, and one non-number makes it text', async () => {
    const t = await readSampleTable(file('FID IID x y\nA a NA 1\nB b NA 1x\n'), { missingMinus9: true });
    expect(t.numeric.map((c) => c.name)).toEqual(['x']);
    expect(t.text).toEqual([{ name: 'y', values: ['1', '1x'] }]);
  });

  it('allows a table with only FID and IID (a keep list)', async () => {
    const t = await readSampleTable(file('FID IID\nA a\n'), { missingMinus9: true });
    expect(t).toEqual({ fid: ['A'], iid: ['a'], numeric: [], text: [] });
  });

  it('requires FID first', async () => {
    const e = await readSampleTable(file('IID FID y\na A 1\n'), { missingMinus9: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadInputError);
    expect([(e as BadInputError).line, (e as BadInputError).column]).toEqual([1, 1]);
  });
});
