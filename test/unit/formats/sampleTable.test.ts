import { mkdirSync, writeFileSync } from 'node:fs';
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
    expect(t).toEqual({ fid: ['A'], iid: ['a'], numeric: [], text: [], notes: [] });
  });

  it("reads an IID-only table ('#IID' or 'IID' first) with FID '0', as PLINK 2 does", async () => {
    for (const head of ['#IID', 'IID']) {
      const t = await readSampleTable(file(`${head} y c\ns1 1.5 x\ns2 NA y\n`), { missingMinus9: true, numericColumns: ['y'] });
      expect(t.fid).toEqual(['0', '0']);
      expect(t.iid).toEqual(['s1', 's2']);
      expect(Array.from(t.numeric[0]!.values)).toEqual([1.5, NaN]);
      expect(t.text.map((c) => c.name)).toEqual(['c']);
    }
    const bad = await readSampleTable(file('#IID y\ns1 1\ns2 abc\n'), { missingMinus9: true, numericColumns: ['y'] }).catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(BadInputError);
    expect([(bad as BadInputError).line, (bad as BadInputError).column]).toEqual([3, 2]);
  });

  it('requires FID first', async () => {
    const e = await readSampleTable(file('IID FID y\na A 1\n'), { missingMinus9: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadInputError);
    expect([(e as BadInputError).line, (e as BadInputError).column]).toEqual([1, 1]);
  });

  describe('columns required numeric (a study\'s phenotype and covariates)', () => {
    const pheno = (rows: string[]): string => {
      const dir = join(tmp.dir, `req${counter++}`);
      mkdirSync(dir);
      const p = join(dir, 'pheno.tsv');
      writeFileSync(p, ['FID\tIID\tancestry\ttrait', ...rows, ''].join('\n'));
      return p;
    };
    const rows = ['A1\ta1\tEUR\t0.5', 'A2\ta2\tEUR\t-1.25', 'A3\ta3\tEUR\t2', 'A4\ta4\tEUR\t0.1', 'A5\ta5\tEUR\t1e-3'];

    it("refuses a non-number with file, line and column: pheno.tsv:7:4: 'abc' is not a number (column 'trait')", async () => {
      const path = pheno([...rows, 'A6\ta6\tEUR\tabc', 'A7\ta7\tEUR\t1']);
      const e = await readSampleTable(path, { missingMinus9: true, numericColumns: ['trait'] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BadInputError);
      const b = e as BadInputError;
      expect([b.file, b.line, b.column, b.detail]).toEqual([path, 7, 4, "'abc' is not a number (column 'trait')"]);
      expect(b.message).toBe(`${path}:7:4: 'abc' is not a number (column 'trait')`);
      // Not required: the same file is read, the column as text, with a note naming the value.
      const t = await readSampleTable(path, { missingMinus9: true });
      expect(t.text.map((c) => c.name)).toEqual(['ancestry', 'trait']);
      expect(t.notes).toEqual([
        "column 'trait' is read as text (1 of its 7 values is not a number, the first 'abc' at line 7, column 4), so it cannot be a phenotype or covariate; write NA for a missing value",
      ]);
    });

    it('reads NA, . and a blank cell as missing in a required column', async () => {
      const t = await readSampleTable(pheno([...rows.slice(0, 2), 'A3\ta3\tEUR\tNA', 'A4\ta4\tEUR\t', 'A5\ta5\tEUR\t.']), { missingMinus9: false, numericColumns: ['trait'] });
      expect(t.numeric.map((c) => c.name)).toEqual(['trait']);
      expect(Array.from(t.numeric[0]!.values)).toEqual([0.5, -1.25, NaN, NaN, NaN]);
      expect(t.notes).toEqual([]);
    });

    it('reads -9 as missing only when asked (PLINK\'s missing phenotype)', async () => {
      const path = pheno([...rows.slice(0, 2), 'A3\ta3\tEUR\t-9', 'A4\ta4\tEUR\t-9.0']);
      const asMissing = await readSampleTable(path, { missingMinus9: true, numericColumns: ['trait'] });
      expect(Array.from(asMissing.numeric[0]!.values)).toEqual([0.5, -1.25, NaN, NaN]);
      const asValue = await readSampleTable(path, { missingMinus9: false, numericColumns: ['trait'] });
      expect(Array.from(asValue.numeric[0]!.values)).toEqual([0.5, -1.25, -9, -9]);
    });

    it('refuses an absent required column on line 1, naming the columns present', async () => {
      const path = pheno(rows);
      const e = (await readSampleTable(path, { missingMinus9: true, numericColumns: ['height'] }).catch((x: unknown) => x)) as BadInputError;
      expect(e).toBeInstanceOf(BadInputError);
      expect(e.message).toBe(`${path}:1: no column 'height' (columns present: FID, IID, ancestry, trait)`);
      const c = (await readSampleTable(path, { missingMinus9: true, numericColumns: ['Trait'] }).catch((x: unknown) => x)) as BadInputError;
      expect(c.detail).toBe("no column 'Trait' (columns present: FID, IID, ancestry, trait); names are case-sensitive: 'trait'?");
    });

    it('keeps the finite-number message for inf and nan in a required column', async () => {
      const e = (await readSampleTable(pheno([...rows, 'A6\ta6\tEUR\tinf']), { missingMinus9: true, numericColumns: ['trait'] }).catch((x: unknown) => x)) as BadInputError;
      expect([e.line, e.column]).toEqual([7, 4]);
      expect(e.detail).toContain('expected a finite number or NA');
    });

    it('does not refuse or note a text column that is text, and only notes a mostly-numeric one', async () => {
      // ancestry as codes 1, 2 and EUR: mostly digits, but a genuine text column; not required, read as text.
      const t = await readSampleTable(file('FID IID pop sex y\nA a 1 M 1\nB b 2 F 2\nC c EUR F 3\nD d 1 M NA\n'), { missingMinus9: true, numericColumns: ['y'] });
      expect(t.numeric.map((c) => c.name)).toEqual(['y']);
      expect(t.text).toEqual([
        { name: 'pop', values: ['1', '2', 'EUR', '1'] },
        { name: 'sex', values: ['M', 'F', 'F', 'M'] },
      ]);
      expect(t.notes).toEqual([
        "column 'pop' is read as text (1 of its 4 values is not a number, the first 'EUR' at line 4, column 3), so it cannot be a phenotype or covariate; write NA for a missing value",
      ]);
    });
  });
});
