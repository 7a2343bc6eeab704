import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import {
  expectFieldCount,
  findColumns,
  normaliseChrom,
  parseInteger,
  parseNumber,
  scanLines,
  scanTable,
  type Split,
  toNumber,
} from '../../../core/formats/text.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('text');
afterAll(() => tmp.cleanup());
let counter = 0;
function file(content: string | Uint8Array, name = `f${counter++}.txt`): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
}

async function lines(path: string, split: Split = 'whitespace'): Promise<[number, string[]][]> {
  const out: [number, string[]][] = [];
  await scanLines(path, split, (f, line) => out.push([line, f.slice()]));
  return out;
}

async function thrown(p: Promise<unknown>): Promise<BadInputError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BadInputError);
  return e as BadInputError;
}

describe('scanLines', () => {
  it('splits on runs of spaces and tabs, ignoring leading and trailing whitespace', async () => {
    expect(await lines(file('a  b\tc\n \t d \t e  \n'))).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['d', 'e']],
    ]);
  });

  it('accepts CRLF, a BOM, a missing final newline and trailing blank lines', async () => {
    const bom = '\ufeff';
    expect(await lines(file(`${bom}x y\r\n1 2\r\n3 4`))).toEqual([
      [1, ['x', 'y']],
      [2, ['1', '2']],
      [3, ['3', '4']],
    ]);
    expect(await lines(file('x y\n1 2\n\n  \r\n\n'))).toEqual([
      [1, ['x', 'y']],
      [2, ['1', '2']],
    ]);
  });

  it('keeps empty fields in tab mode', async () => {
    expect(await lines(file('a\t\tc\t\r\nd e\tf\n'), 'tab')).toEqual([
      [1, ['a', '', 'c', '']],
      [2, ['d e', 'f']],
    ]);
  });

  it('gunzips transparently, whatever the file name', async () => {
    const text = 'SNP b\nrs1 0.5\nrs2 -1e-3\n';
    expect(await lines(file(gzipSync(text), 'looks-plain.txt'))).toEqual(await lines(file(text)));
    // Multi-member gzip (cat a.gz b.gz) is one stream.
    const two = Buffer.concat([gzipSync('a 1\n'), gzipSync('b 2\n')]);
    expect(await lines(file(two, 'two.gz'))).toEqual([
      [1, ['a', '1']],
      [2, ['b', '2']],
    ]);
  });

  it('decodes multi-byte characters split across chunk boundaries', async () => {
    const row = 'é 名前 ü\n';
    const n = 200_000; // ≈ 2.6 MB: several 1 MiB chunks
    const path = file(row.repeat(n));
    let count = 0;
    await scanLines(path, 'whitespace', (f) => {
      if (f.length !== 3 || f[0] !== 'é' || f[1] !== '名前' || f[2] !== 'ü') throw new Error(`bad row ${count}: ${f.join('|')}`);
      count++;
    });
    expect(count).toBe(n);
  });

  it('rejects a blank line followed by more data, naming the blank line', async () => {
    const e = await thrown(lines(file('a b\n\n\nc d\n')));
    expect(e.line).toBe(2);
    expect(e.detail).toMatch(/blank line/);
  });

  it('rejects a NUL byte, with line and field', async () => {
    const e = await thrown(lines(file('a b\nc d\0x e\n')));
    expect([e.line, e.column]).toEqual([2, 2]);
    const t = await thrown(lines(file('a\tb\nc\td\0x\te\n'), 'tab'));
    expect([t.line, t.column]).toEqual([2, 2]);
  });

  it('turns a missing file or a directory into BadInputError', async () => {
    expect((await thrown(lines(join(tmp.dir, 'nope.txt')))).detail).toBe('file not found');
    expect((await thrown(lines(tmp.dir))).detail).toMatch(/directory/);
  });

  it('reports corrupt and truncated gzip as BadInputError naming the file', async () => {
    const good = gzipSync('a b\n'.repeat(1000));
    const truncated = file(good.subarray(0, good.length - 20), 'trunc.gz');
    const e = await thrown(lines(truncated));
    expect(e.file).toBe(truncated);
    expect(e.detail).toMatch(/corrupt gzip/);
  });
});

describe('scanTable', () => {
  it('passes a private copy of the header and counts data rows', async () => {
    let header: string[] = [];
    const rows: string[][] = [];
    const n = await scanTable(file('A B\n1 2\n3 4\n'), 'whitespace', (h) => {
      header = h;
      return (f) => rows.push(f.slice());
    });
    expect(n).toBe(2);
    expect(header).toEqual(['A', 'B']);
    expect(rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('chooses the split from the header line', async () => {
    const seen: string[][] = [];
    await scanTable(file('A\tB\nx y\t\n'), (h) => (h.includes('\t') ? 'tab' : 'whitespace'), () => (f) => seen.push(f.slice()));
    expect(seen).toEqual([['x y', '']]);
  });

  it('treats 0 bytes, only blank lines and a header alone as an empty file', async () => {
    const none = () => () => undefined;
    expect((await thrown(scanTable(file(''), 'whitespace', none))).detail).toBe('empty file');
    expect((await thrown(scanTable(file('\n \n'), 'whitespace', none))).detail).toBe('empty file');
    expect((await thrown(scanTable(file('A B\n'), 'whitespace', none))).detail).toMatch(/^empty file: a header but no data rows/);
    expect((await thrown(scanTable(file(gzipSync('')), 'whitespace', none))).detail).toBe('empty file');
  });
});

describe('numbers', () => {
  it('accepts decimal and scientific notation', () => {
    for (const [s, v] of [
      ['0', 0],
      ['-2.5', -2.5],
      ['+3', 3],
      ['.5', 0.5],
      ['5.', 5],
      ['1e-5', 1e-5],
      ['-2.5E+3', -2500],
      ['6.02e23', 6.02e23],
      ['1E-300', 1e-300],
      ['007', 7],
    ] as const) {
      expect(toNumber(s), s).toBe(v);
    }
  });

  it('rejects empty, blank, non-numeric, infinite, NaN and non-decimal literals', () => {
    for (const s of ['', ' ', 'abc', 'inf', '-inf', 'Inf', 'Infinity', '-Infinity', 'nan', 'NaN', 'NA', '1e999', '0x10', '0b1', '0o7', '1,5', '1.2.3', '--1', '1e', 'e5', '½']) {
      expect(toNumber(s), JSON.stringify(s)).toBeNaN();
    }
  });

  it('raises errors with column name, value, line and field', () => {
    const e = (() => {
      try {
        parseNumber('gwas.ma', 'x', 'b', 12, 5);
      } catch (err) {
        return err as BadInputError;
      }
      throw new Error('no error');
    })();
    expect(e.message).toBe("gwas.ma:12:5: column 'b': expected a number, got 'x'");
    expect(() => parseInteger('f', '1.5', 'pos', 2, 4)).toThrow(/column 'pos': expected an integer, got '1.5'/);
    expect(() => parseInteger('f', '-1', 'pos', 2, 4)).toThrow(/-1 is outside \[0, 2147483647\]/);
    expect(parseInteger('f', '1e+05', 'pos', 2, 4)).toBe(100_000);
  });
});

describe('columns', () => {
  const header = ['SNP', 'a1', 'A2', 'Beta', 'se'];
  it('resolves names case-insensitively, with aliases and optional columns', () => {
    expect(
      findColumns('f', header, {
        snp: { name: 'snp' },
        a1: { name: 'A1' },
        b: { name: 'b', aliases: ['beta'] },
        n: { name: 'N', optional: true },
      }),
    ).toEqual({ snp: 0, a1: 1, b: 3, n: -1 });
  });

  it('names the missing column and lists those present, on line 1', () => {
    let e: BadInputError | undefined;
    try {
      findColumns('f', header, { snp: { name: 'SNP' }, p: { name: 'p', aliases: ['pval'] } });
    } catch (err) {
      e = err as BadInputError;
    }
    expect(e?.detail).toBe("missing column 'p' (also accepted: pval); columns present: SNP, a1, A2, Beta, se");
    expect([e?.line, e?.column]).toEqual([1, undefined]);
  });

  it('suggests a near miss that no other column claimed', () => {
    expect(() => findColumns('f', ['SNP', 'frequency', 'sd'], { snp: { name: 'SNP' }, se: { name: 'se' } })).toThrow(/did you mean 'sd'\?/);
    expect(() => findColumns('f', ['SNP', 'A1'], { snp: { name: 'SNP' }, se: { name: 'se' } })).not.toThrow(/did you mean/);
  });

  it('rejects a column given twice', () => {
    expect(() => findColumns('f', ['b', 'BETA'], { b: { name: 'b', aliases: ['beta'] } })).toThrow(/column 'b' appears more than once/);
  });

  it('points field-count errors at the first extra or missing field', () => {
    expect(() => expectFieldCount('f', ['a', 'b', 'c'], 3, 1)).not.toThrow();
    try {
      expectFieldCount('f', ['a', 'b'], 3, 7, ['x', 'y', 'z']);
    } catch (err) {
      expect([(err as BadInputError).line, (err as BadInputError).column, (err as BadInputError).detail]).toEqual([7, 3, "expected 3 fields, found 2 (missing 'z')"]);
    }
    try {
      expectFieldCount('f', ['a', 'b', 'c', 'd'], 3, 7);
    } catch (err) {
      expect((err as BadInputError).column).toBe(4);
    }
    expect.assertions(3);
  });

  it('strips a chr prefix from chromosome names', () => {
    expect(['chr1', 'CHR22', 'chrX', 'Chr6_cox_hap2', '1', 'chr'].map(normaliseChrom)).toEqual(['1', '22', 'X', '6_cox_hap2', '1', 'chr']);
  });
});
