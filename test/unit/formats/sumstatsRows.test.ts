// Row problems real summary statistics always hold are QC removals, not errors: a dirty file with
// one or more rows per rule is read, every problem row set aside under its rule, and QC counts
// them (exact counts per rule). Too many rows with unusable values is still structural.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { readSumstats } from '../../../core/formats/sumstats.js';
import { qcReport } from '../../../core/qc/qcSummary.js';
import { runQc } from '../../../core/qc/runQc.js';
import { variantsFromSumstats } from '../../../core/qc/variants.js';
import { resolveQcThresholds } from '../../../config/qcThresholds.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('sumstats-rows');
afterAll(() => tmp.cleanup());
let k = 0;
const file = (text: string): string => {
  const p = join(tmp.dir, `${k++}.tsv`);
  writeFileSync(p, text);
  return p;
};

const HEADER = ['SNP', 'CHR', 'POS', 'EA', 'NEA', 'EAF', 'BETA', 'SE', 'P', 'N'].join('\t');
const BASES = ['A', 'C', 'G', 'T'];
/** Good row i: rs<i> on chromosome 1 + i % 22 at a distinct position, alleles from BASES. */
function good(i: number): string[] {
  const a = BASES[i % 4]!;
  const o = BASES[(i + 1) % 4]!;
  return [`rs${i}`, String(1 + (i % 22)), String(10_000 + i * 100), a, o, '0.3', '0.01', '0.005', '0.045', '10000'];
}
const row = (f: string[]): string => f.join('\t');
const edit = (i: number, changes: Record<number, string>): string => {
  const f = good(i);
  for (const [c, v] of Object.entries(changes)) f[Number(c)] = v;
  return row(f);
};

// 1,000 good rows, then one or more rows per problem (7 with unusable values: 0.7 % of 1,020).
const GOOD = Array.from({ length: 1000 }, (_, i) => row(good(i)));
const DIRTY = [
  edit(2001, { 1: 'X' }), // non_autosomal
  edit(2002, { 1: 'chrY' }), // non_autosomal
  edit(2003, { 1: 'MT' }), // non_autosomal
  edit(2004, { 3: 'TAA' }), // allele_not_snv: indel
  edit(2005, { 4: '<DEL>' }), // allele_not_snv: symbolic
  edit(2006, { 3: 'N' }), // allele_not_snv: not ACGT
  edit(2007, { 3: 'G', 4: 'g' }), // same_alleles (case-insensitive)
  edit(2008, { 1: '5', 2: '77777', 3: 'A', 4: 'G' }), // multi_allelic: two pairs at 5:77777
  edit(2009, { 1: '5', 2: '77777', 3: 'A', 4: 'T' }), // multi_allelic
  edit(2010, { 6: 'NA' }), // missing_value
  edit(2011, { 7: '' }), // missing_value (blank TSV cell)
  edit(2012, { 8: '1.5' }), // invalid_value: p > 1
  edit(2013, { 5: '-0.1' }), // invalid_value: freq < 0
  edit(2014, { 9: '0' }), // invalid_value: N = 0
  edit(2015, { 9: '12,000' }), // invalid_value: thousands separator
  edit(2016, { 7: '0' }), // se_not_positive
  edit(5, { 6: '0.02' }), // duplicate_variant: rs5 again with another b
  edit(3000, { 1: '7', 2: String(10_000 + 5 * 100) }), // rs5's position on another chromosome: kept
  edit(3001, { 1: String(1 + (7 % 22)), 2: String(10_000 + 7 * 100), 3: BASES[7 % 4]!, 4: BASES[8 % 4]! }), // duplicate_variant: rs7's site under another ID
  row(good(9)), // identical duplicate of rs9: folded, QC's duplicate_id
  edit(3002, { 1: 'chr12', 3: 'c', 4: 't' }), // kept: chr prefix stripped, alleles upper-cased
];
const TEXT = `${[HEADER, ...GOOD, ...DIRTY].join('\n')}\n`;

describe('a dirty file', () => {
  it('sets every problem row aside under its rule, with the line and why', async () => {
    const t = await readSumstats(file(TEXT));
    expect(t.dialect).toBe('generic');
    expect(t.dataRows).toBe(1021);
    const byRule: Record<string, number[]> = {};
    for (const r of t.rejected) (byRule[r.rule] ??= []).push(r.line);
    const line = (j: number): number => 1000 + 2 + j; // DIRTY[j]'s line
    expect(byRule).toEqual({
      non_autosomal: [line(0), line(1), line(2)],
      allele_not_snv: [line(3), line(4), line(5)],
      same_alleles: [line(6)],
      multi_allelic: [line(7), line(8)],
      missing_value: [line(9), line(10)],
      invalid_value: [line(11), line(12), line(13), line(14)],
      se_not_positive: [line(15)],
      duplicate_variant: [line(16), line(18)],
    });
    const detail = (l: number): string => t.rejected.find((r) => r.line === l)!.detail;
    expect(detail(line(0))).toBe("chromosome 'X' is not an autosome");
    expect(detail(line(3))).toBe("a1 'TAA': indel or multi-base allele");
    expect(detail(line(4))).toBe("a2 '<DEL>': symbolic or non-ACGT allele");
    expect(detail(line(7))).toBe('position 5:77777 has allele pairs A/G, A/T');
    expect(detail(line(10))).toBe("column 'SE' is missing (empty)");
    expect(detail(line(14))).toBe("column 'N': expected a number, got '12,000' (a thousands separator)");
    expect(detail(line(16))).toBe('same SNP ID as line 7 with different values (first kept)');
    expect(detail(line(18))).toBe("same chromosome, position and alleles as line 9 ('rs7', first kept)");
    expect(t.duplicates).toEqual([{ snp: 'rs9', lines: [11, line(19)] }]);
    const last = t.snp.indexOf('rs3002');
    expect([t.chrom![last], t.a1[last], t.a2[last]]).toEqual(['12', 'C', 'T']);
    expect(t.snp).toContain('rs3000');
    expect(t.snp.length).toBe(1002);
  });

  it('QC counts them per rule, in the funnel, with every data line a row', async () => {
    const t = await readSumstats(file(TEXT));
    const v = variantsFromSumstats('dirty.tsv', t);
    expect(v.snp.length).toBe(1021);
    // A panel holding every variant that was kept, with its alleles and frequency.
    const panel = { id: t.snp, a1: t.a1, a2: t.a2, a1Freq: Float64Array.from(t.freq) };
    const report = qcReport(runQc(v, panel, resolveQcThresholds({ ambiguous: 'keep' })));
    const removed = Object.fromEntries(report.rules.map((r) => [r.rule, r.removed]));
    expect(removed).toMatchObject({
      non_autosomal: 3,
      allele_not_snv: 3,
      same_alleles: 1,
      multi_allelic: 2,
      missing_value: 2,
      duplicate_variant: 2,
      invalid_value: 4,
      se_not_positive: 1,
      duplicate_id: 1,
      not_in_panel: 0,
    });
    expect(report.inputRows).toBe(1021);
    expect(report.rules[0]!.remaining).toBe(1021 - 3);
    expect(report.remaining).toBe(1002);
  });
});

describe('--max-bad-rows', () => {
  const withBad = (bad: number): string => {
    const rows = Array.from({ length: 1000 }, (_, i) => (i % Math.floor(1000 / Math.max(bad, 1)) === 1 && i / Math.floor(1000 / Math.max(bad, 1)) < bad ? edit(i, { 6: 'abc' }) : row(good(i))));
    return `${[HEADER, ...rows].join('\n')}\n`;
  };

  it('accepts 0.5 % of rows with unusable values, refuses 2 % naming the commonest problem and its first line', async () => {
    const ok = await readSumstats(file(withBad(5)));
    expect(ok.rejected.length).toBe(5);
    const err = await readSumstats(file(withBad(20))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadInputError);
    const e = err as BadInputError;
    expect(e.message).toMatch(/20 of 1000 rows \(2\.0 %\) have unusable values, more than --max-bad-rows 1\.0 %; the commonest problem \(20 rows, invalid_value: column 'BETA'\) first appears here: column 'BETA': expected a number, got 'abc'/);
    expect([e.line, e.column]).toEqual([3, 7]);
    // A larger allowance lets it through.
    expect((await readSumstats(file(withBad(20)), { maxBadRows: 0.05 })).rejected.length).toBe(20);
  });

  it('does not count indels, X rows and other variant kinds as bad rows', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => (i < 30 ? edit(i, { 3: 'AT' }) : i < 50 ? edit(i, { 1: 'X' }) : row(good(i))));
    const t = await readSumstats(file(`${[HEADER, ...rows].join('\n')}\n`));
    expect(t.rejected.length).toBe(50);
    expect(t.snp.length).toBe(50);
  });
});
