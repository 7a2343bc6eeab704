import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readSumstats } from '../../../core/formats/sumstats.js';
import type { SumstatsTable } from '../../../core/formats/types.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('sumstats');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string | Uint8Array, ext = 'ma'): string => {
  const p = join(tmp.dir, `s${counter++}.${ext}`);
  writeFileSync(p, content);
  return p;
};

const MA = ['SNP A1 A2 freq b se p N', 'rs1 A G 0.25 0.012 0.004 0.0027 10000', 'rs2 c t 0.4 -3e-3 4E-03 0.45 9876.5', 'rs3 G A 0 0 1 1 10000', ''].join('\n');

describe('COJO .ma', () => {
  it('reads typed columns, upper-cases alleles, accepts scientific notation and edge values', async () => {
    const t = await readSumstats(file(MA));
    expect(t.dialect).toBe('cojo');
    expect(t.snp).toEqual(['rs1', 'rs2', 'rs3']);
    expect(t.a1).toEqual(['A', 'C', 'G']);
    expect(t.a2).toEqual(['G', 'T', 'A']);
    expect(t.b).toBeInstanceOf(Float64Array);
    expect(Array.from(t.b)).toEqual([0.012, -0.003, 0]);
    expect(Array.from(t.se)).toEqual([0.004, 0.004, 1]);
    expect(Array.from(t.p)).toEqual([0.0027, 0.45, 1]);
    expect(Array.from(t.freq)).toEqual([0.25, 0.4, 0]);
    expect(Array.from(t.n)).toEqual([10000, 9876.5, 10000]);
    expect(t.chrom).toBeNull();
    expect(t.pos).toBeNull();
    expect(t.duplicates).toEqual([]);
  });

  it('is the same gzipped, with a BOM and CRLF, tab-separated, with extra columns in any order', async () => {
    // The rows, not how the file was split (tab vs whitespace).
    const read = async (path: string): Promise<Omit<SumstatsTable, 'split'>> => {
      const { split: _, ...rest } = await readSumstats(path);
      return rest;
    };
    const plain = await read(file(MA));
    expect(await read(file(gzipSync(MA), 'ma.gz'))).toEqual(plain);
    expect(await read(file(`\ufeff${MA.replaceAll('\n', '\r\n')}`))).toEqual(plain);
    expect(await read(file(MA.replaceAll(' ', '\t')))).toEqual(plain);
    const shuffled = MA.split('\n')
      .map((l) => {
        const f = l.split(' ');
        return l ? [f[7], f[0], f[6], 'x', f[1], f[2], f[5], f[4], f[3]].join('  ') : l;
      })
      .join('\n');
    expect(await read(file(shuffled))).toEqual(plain);
  });

  it('keeps the first of consistent duplicates and lists their lines', async () => {
    const text = `${MA}rs1 A G 0.25 0.012 0.004 0.0027 10000\nrs4 T C 0.5 0.1 0.1 0.3 100\nrs1 a g 2.5e-1 1.2e-2 0.004 0.0027 1e4\n`;
    const t = await readSumstats(file(text));
    expect(t.snp).toEqual(['rs1', 'rs2', 'rs3', 'rs4']);
    expect(t.duplicates).toEqual([{ snp: 'rs1', lines: [2, 5, 7] }]);
  });
});

describe('GWAS-SSF', () => {
  const HEADER = 'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value';
  it('reads rsid and n when present; a row with NA frequency or n is set aside as missing_value', async () => {
    const text = [
      `${HEADER}\trsid\tn`,
      '22\t16050075\ta\tg\t0.01\t0.004\t0.2\t1e-3\trs587697622\t5000',
      'chr22\t16050115\tG\tA\t-0.02\t0.005\t0.3\t0.5\tNA\t5100',
      '22\t16050213\tC\tT\t-0.02\t0.005\tNA\t0.5\trs3\t5000',
      '22\t16050319\tC\tT\t-0.02\t0.005\t0.4\t0.5\trs4\tNA',
      ...Array.from({ length: 200 }, (_, i) => `22\t${17000000 + i}\tC\tT\t0.01\t0.005\t0.4\t0.5\trsx${i}\t5000`),
      '',
    ].join('\n');
    const t = await readSumstats(file(gzipSync(text), 'tsv.gz'));
    expect(t.dialect).toBe('gwas-ssf');
    expect(t.snp.slice(0, 2)).toEqual(['rs587697622', '22:16050115:A:G']);
    expect(t.a1.slice(0, 2)).toEqual(['A', 'G']);
    expect(t.a2.slice(0, 2)).toEqual(['G', 'A']);
    expect(t.chrom!.slice(0, 2)).toEqual(['22', '22']);
    expect(Array.from(t.pos!.slice(0, 2))).toEqual([16050075, 16050115]);
    expect(Array.from(t.line.slice(0, 3))).toEqual([2, 3, 6]);
    expect(t.freq[0]).toBe(0.2);
    expect(t.n[1]).toBe(5100);
    expect(t.rejected).toEqual([
      { line: 4, snp: 'rs3', rule: 'missing_value', detail: "column 'effect_allele_frequency' is missing ('NA')" },
      { line: 5, snp: 'rs4', rule: 'missing_value', detail: "column 'n' is missing ('NA')" },
    ]);
    expect(t.dataRows).toBe(204);
  });

  it('without rsid uses chrom:pos:other:effect ids; without N it needs --n', async () => {
    const path = file(`${HEADER}\n1\t100\tT\tC\t0.1\t0.2\t0.3\t0.4\n`, 'tsv');
    await expect(readSumstats(path)).rejects.toThrow(/no sample-size column.*--n N/);
    const t = await readSumstats(path, { n: 12000 });
    expect(t.snp).toEqual(['1:100:C:T']);
    expect(t.n[0]).toBe(12000);
    expect(t.derived).toContain('N = 12000 for every variant (--n)');
  });
});

describe('speed', () => {
  // Timed twice: in this process (vitest's module runner turns every cross-module call into a
  // getter lookup, which slows hot loops several-fold) and in a plain Node process with tsx, as
  // the worker runs it. Printed, not asserted: timings on shared CI machines are noise.
  it('reads a 1,000,000-row .ma (time printed, not asserted)', async () => {
    const bases = ['A', 'C', 'G', 'T'];
    const parts = ['SNP A1 A2 freq b se p N\n'];
    for (let i = 0; i < 1_000_000; i++) {
      const a = bases[i & 3]!;
      const o = bases[(i + 1) & 3]!;
      parts.push(`rs${i} ${a} ${o} ${((i % 97) + 1) / 100} ${((i % 201) - 100) / 1e4} 0.00${(i % 9) + 1} ${((i % 999) + 1) / 1000} ${10000 + (i % 7)}\n`);
    }
    const path = file(parts.join(''));
    const started = performance.now();
    const t = await readSumstats(path);
    const ms = performance.now() - started;
    expect(t.snp.length).toBe(1_000_000);
    expect(t.snp[999_999]).toBe('rs999999');

    const script = join(tmp.dir, 'time.mts');
    const reader = new URL('../../../core/formats/sumstats.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { readSumstats } from ${JSON.stringify(reader)};\n` +
        `const t0 = performance.now(); const t = await readSumstats(${JSON.stringify(path)});\n` +
        `console.log(JSON.stringify({ ms: performance.now() - t0, rows: t.snp.length }));\n`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    const plain = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; rows: number };
    expect(plain.rows).toBe(1_000_000);
    console.log(
      `readSumstats, 1,000,000-row .ma: ${(plain.ms / 1000).toFixed(2)} s in a plain Node process, ` +
        `${(ms / 1000).toFixed(2)} s inside vitest`,
    );
  });
});
