import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readSumstats } from '../../../core/formats/sumstats.js';
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
    expect(t.format).toBe('cojo');
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
    const plain = await readSumstats(file(MA));
    expect(await readSumstats(file(gzipSync(MA), 'ma.gz'))).toEqual(plain);
    expect(await readSumstats(file(`\ufeff${MA.replaceAll('\n', '\r\n')}`))).toEqual(plain);
    expect(await readSumstats(file(MA.replaceAll(' ', '\t')))).toEqual(plain);
    const shuffled = MA.split('\n')
      .map((l) => {
        const f = l.split(' ');
        return l ? [f[7], f[0], f[6], 'x', f[1], f[2], f[5], f[4], f[3]].join('  ') : l;
      })
      .join('\n');
    expect(await readSumstats(file(shuffled))).toEqual(plain);
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
  it('reads rsid and n when present, NA frequency and NA n as NaN', async () => {
    const text = [
      `${HEADER}\trsid\tn`,
      '22\t16050075\ta\tg\t0.01\t0.004\t0.2\t1e-3\trs587697622\t5000',
      'chr22\t16050115\tG\tA\t-0.02\t0.005\tNA\t0.5\tNA\tNA',
      '',
    ].join('\n');
    const t = await readSumstats(file(gzipSync(text), 'tsv.gz'));
    expect(t.format).toBe('gwas-ssf');
    expect(t.snp).toEqual(['rs587697622', '22:16050115:A:G']);
    expect(t.a1).toEqual(['A', 'G']);
    expect(t.a2).toEqual(['G', 'A']);
    expect(t.chrom).toEqual(['22', '22']);
    expect(Array.from(t.pos ?? [])).toEqual([16050075, 16050115]);
    expect(t.freq[0]).toBe(0.2);
    expect(t.freq[1]).toBeNaN();
    expect(t.n[0]).toBe(5000);
    expect(t.n[1]).toBeNaN();
  });

  it('without rsid uses chrom:pos:other:effect ids, and n is NaN when absent', async () => {
    const t = await readSumstats(file(`${HEADER}\n1\t100\tT\tC\t0.1\t0.2\t0.3\t0.4\n`, 'tsv'));
    expect(t.snp).toEqual(['1:100:C:T']);
    expect(t.n[0]).toBeNaN();
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
