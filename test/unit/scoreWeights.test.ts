// Weight files: SBayesRC, GCTB, PLINK-style multi-column and PGS Catalog layouts, score names,
// and malformed input reported with file, line and column.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { readFrequencyFile } from '../../core/score/frequencyFile.js';
import { readWeightFile, readWeights, scoreNames, stem } from '../../core/score/weights.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('score-weights');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string | Uint8Array, name = `w${counter++}.txt`): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
};

async function badInput(p: Promise<unknown>): Promise<BadInputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError');
}

describe('weight file layouts', () => {
  it('SBayesRC .txt: BETA is the one score, other columns ignored, alleles upper-cased', async () => {
    const w = await readWeightFile(file('SNP\tA1\tBETA\tSE\tPIP\tBETAlast\nrs1\ta\t0.01\t0.002\t0.9\t0.011\nrs2\tG\t-2e-3\t0.001\t0.1\t0\n'));
    expect(w.format).toBe('sbayesrc');
    expect(w.columns).toEqual(['BETA']);
    expect(w.ignoredColumns).toEqual(['SE', 'PIP', 'BETAlast']);
    expect(w.id).toEqual(['rs1', 'rs2']);
    expect(w.effectAllele).toEqual(['A', 'G']);
    expect(w.otherAllele).toBeNull();
    expect(Array.from(w.weights)).toEqual([0.01, -0.002]);
    expect(Array.from(w.line)).toEqual([2, 3]);
  });

  it('PLINK-style: every numeric column after the alleles is a score; text columns are ignored', async () => {
    const w = await readWeightFile(file('CHR SNP A1 A2 fold1 fold2 note fold3\n1 rs1 A G 1 2 x 3\n1 rs2 C T -1 0 y 0.5\n'));
    expect(w.format).toBe('table');
    expect(w.columns).toEqual(['fold1', 'fold2', 'fold3']);
    expect(w.ignoredColumns).toEqual(['CHR', 'note']);
    expect(w.otherAllele).toEqual(['G', 'T']);
    expect(Array.from(w.weights)).toEqual([1, 2, 3, -1, 0, 0.5]);
  });

  it('GCTB .snpRes: A1Effect', async () => {
    const w = await readWeightFile(file('Id Name Chrom Position A1 A2 A1Frq A1Effect SE PIP\n1 rs1 1 100 A G 0.2 0.5 0.1 1\n'));
    expect(w.format).toBe('gctb');
    expect(w.columns).toEqual(['A1Effect']);
    expect(Array.from(w.weights)).toEqual([0.5]);
  });

  it('PGS Catalog: metadata lines, the PGS ID as the score name, hm_rsID preferred, gzip', async () => {
    const text = [
      '###PGS CATALOG SCORING FILE - see https://www.pgscatalog.org/downloads/#dl_ftp_scoring for additional information',
      '#format_version=2.0',
      '##POLYGENIC SCORE (PGS) INFORMATION',
      '#pgs_id=PGS000123',
      '#genome_build=GRCh37',
      'rsID\tchr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\tallelefrequency_effect\thm_rsID\tis_dominant',
      'rs1\t1\t100\tA\tG\t0.1\t0.3\trs1\tFALSE',
      'rs2x\t1\t200\tc\t\t-0.2\t0.4\trs2\tFALSE',
      '',
    ].join('\n');
    const w = await readWeightFile(file(gzipSync(text), 'PGS000123.txt.gz'));
    expect(w.format).toBe('pgs-catalog');
    expect(w.columns).toEqual(['PGS000123']);
    expect(w.id).toEqual(['rs1', 'rs2']);
    expect(w.effectAllele).toEqual(['A', 'C']);
    expect(w.otherAllele).toEqual(['G', '']);
    expect(Array.from(w.weights)).toEqual([0.1, -0.2]);
    expect(Array.from(w.line)).toEqual([7, 8]);
  });

  it('names scores uniquely across files: column names, else file stems', async () => {
    expect(stem('/a/b/fold3.txt.gz')).toBe('fold3');
    expect(scoreNames([{ path: 'a.txt', columns: ['BETA'] }, { path: 'b.txt', columns: ['BETA'] }])).toEqual(['a', 'b']);
    expect(scoreNames([{ path: 'a.txt', columns: ['X', 'Y'] }, { path: 'b.txt', columns: ['Y'] }])).toEqual(['X', 'a_Y', 'b']);
    const one = file('SNP A1 BETA SE\nrs1 A 1 1\n', 'fold1.txt');
    const two = file('SNP A1 BETA SE\nrs1 A 2 1\n', 'fold2.txt');
    const s = await readWeights([one, two]);
    expect(s.names).toEqual(['fold1', 'fold2']);
    expect(s.firstColumn).toEqual([0, 1]);
    expect(() => scoreNames([{ path: 'd/a.txt', columns: ['W'] }, { path: 'e/a.txt', columns: ['W'] }])).toThrow(/score name 'a'/);
  });
});

describe('weight file errors name file, line and column', () => {
  const cases: [string, string, RegExp, number | undefined, number | undefined][] = [
    ['non-numeric weight', 'SNP A1 W\nrs1 A 0.1\nrs2 C abc\n', /column 'W': expected a number, got 'abc'/, 3, 3],
    ['NA weight', 'SNP A1 W\nrs1 A NA\n', /no weight column/, 1, undefined],
    ['a missing field', 'SNP A1 W1 W2\nrs1 A 1 2\nrs2 C 1\n', /expected 4 fields as in the header, found 3/, 3, 4],
    ['the same variant and allele twice', 'SNP A1 W\nrs1 A 1\nrs2 C 1\nrs1 a 2\n', /'rs1' with effect allele 'A' appears twice \(lines 2 and 4\)/, 4, 2],
    ['no weight column', 'SNP A1\nrs1 A\n', /no weight column/, 1, undefined],
    ['no allele column', 'SNP weight\nrs1 0.1\n', /missing column 'A1'/, 1, undefined],
    ['an empty file', '', /empty file/, undefined, undefined],
    ['a header only', 'SNP A1 W\n', /a header but no data rows/, 1, undefined],
    ['a non-additive PGS row', '#pgs_id=P\nrsID\teffect_allele\teffect_weight\tis_recessive\nrs1\tA\t1\tTRUE\n', /is_recessive.*only additive/, 3, 4],
    ['genotype-specific PGS weights', '#pgs_id=P\nrsID\teffect_allele\teffect_weight\tdosage_2_weight\nrs1\tA\t1\t2\n', /dosage_2_weight/, 2, 4],
    ['a position-only PGS file', '#pgs_id=P\nchr_name\tchr_position\teffect_allele\teffect_weight\n1\t5\tA\t1\n', /without an rsID/, 2, undefined],
  ];
  for (const [what, text, message, line, column] of cases) {
    it(what, async () => {
      const path = file(text);
      const e = await badInput(readWeightFile(path));
      expect(e.file).toBe(path);
      expect(e.message).toMatch(message);
      expect(e.line).toBe(line);
      expect(e.column).toBe(column);
    });
  }
});

describe('frequency files', () => {
  it('reads plink2 .afreq, plink .frq and SNP FREQ, validating the range', async () => {
    const afreq = await readFrequencyFile(file('#CHROM\tID\tREF\tALT\tALT_FREQS\tOBS_CT\n1\trs1\tG\tA\t0.25\t100\n'));
    expect(afreq).toMatchObject({ id: ['rs1'], allele: ['A'], other: ['G'] });
    expect(Array.from(afreq.freq)).toEqual([0.25]);
    const frq = await readFrequencyFile(file(' CHR  SNP   A1   A2     MAF  NCHROBS\n 1 rs1 A G 0.1 200\n'));
    expect(frq).toMatchObject({ allele: ['A'], other: ['G'] });
    const two = await readFrequencyFile(file('SNP FREQ\nrs1 0.75\n'));
    expect(two).toMatchObject({ id: ['rs1'], allele: null, other: null });
    const e = await badInput(readFrequencyFile(file('SNP FREQ\nrs1 1.5\n')));
    expect(e.message).toMatch(/outside \[0, 1\]/);
    expect([e.line, e.column]).toEqual([2, 2]);
  });
});
