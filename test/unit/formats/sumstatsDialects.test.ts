// One small file per dialect, written in that tool's published column layout from the same
// variants (our own rows), must read to the rows of the COJO .ma they were made from: same IDs,
// effect alleles, frequencies, b, se, p and N (derived values to their rounding).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSumstats } from '../../../core/formats/sumstats.js';
import type { SumstatsTable } from '../../../core/formats/types.js';
import { normalTwoSidedP } from '../../../core/numeric/stats/distributions.js';
import { completeFromPanel } from '../../../core/qc/panelCompletion.js';
import { variantsFromSumstats } from '../../../core/qc/variants.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('dialects');
afterAll(() => tmp.cleanup());
let k = 0;
const file = (text: string, name = 'gwas.txt'): string => {
  const p = join(tmp.dir, `${k++}-${name}`);
  writeFileSync(p, text);
  return p;
};

interface Variant {
  id: string;
  chrom: string;
  pos: number;
  ea: string;
  oa: string;
  /** The genome's reference allele (PLINK 2's REF): the effect allele for some rows, not others. */
  ref: string;
  f: number;
  b: number;
  se: number;
  n: number;
}

// se chosen as 1/√(2f(1−f)(N + z²)) so a Z-only file (LDSC) puts the same b and se back.
const V: Variant[] = [
  { id: 'rs101', chrom: '1', pos: 1000, ea: 'A', oa: 'G', ref: 'G', f: 0.3, z: 2.5, n: 10000 },
  { id: 'rs102', chrom: '1', pos: 2000, ea: 'C', oa: 'T', ref: 'C', f: 0.12, z: -1.2, n: 10000 },
  { id: 'rs103', chrom: '2', pos: 3000, ea: 'G', oa: 'A', ref: 'A', f: 0.55, z: 0.4, n: 10000 },
  { id: 'rs104', chrom: '3', pos: 4000, ea: 'T', oa: 'C', ref: 'T', f: 0.81, z: -3.1, n: 10000 },
  { id: 'rs105', chrom: '22', pos: 5000, ea: 'A', oa: 'C', ref: 'C', f: 0.05, z: 5.2, n: 10000 },
].map(({ z, ...v }) => {
  const se = 1 / Math.sqrt(2 * v.f * (1 - v.f) * (v.n + z * z));
  return { ...v, b: z * se, se };
});
const p = (v: Variant): number => normalTwoSidedP(v.b / v.se);
const g = (x: number): string => x.toPrecision(12);
const lines = (header: string, row: (v: Variant) => (string | number)[], sep = '\t'): string =>
  `${[header.split(' ').join(sep), ...V.map((v) => row(v).map(String).join(sep))].join('\n')}\n`;

const MA = lines('SNP A1 A2 freq b se p N', (v) => [v.id, v.ea, v.oa, v.f, g(v.b), g(v.se), g(p(v)), v.n], ' ');

function expectSameRows(t: SumstatsTable, ref: SumstatsTable, digits = 9): void {
  expect(t.snp).toEqual(ref.snp);
  expect(t.a1).toEqual(ref.a1);
  expect(t.a2).toEqual(ref.a2);
  expect(t.rejected).toEqual([]);
  for (const col of ['freq', 'b', 'se', 'p', 'n'] as const) {
    t[col].forEach((x, i) => expect(x, `${col}[${i}]`).toBeCloseTo(ref[col][i]!, digits));
  }
}

describe('dialects read to the rows of the .ma they were made from', async () => {
  const ref = await readSumstats(file(MA, 'gwas.ma'));
  it('the reference .ma is COJO', () => {
    expect(ref.dialect).toBe('cojo');
    expect(ref.snp).toEqual(V.map((v) => v.id));
  });

  const cases: [name: string, dialect: string, text: string, opts?: Parameters<typeof readSumstats>[1], digits?: number][] = [
    [
      'GWAS-SSF',
      'gwas-ssf',
      lines('chromosome base_pair_location effect_allele other_allele beta standard_error effect_allele_frequency p_value rsid n', (v) => [v.chrom, v.pos, v.ea, v.oa, g(v.b), g(v.se), v.f, g(p(v)), v.id, v.n]),
    ],
    [
      'PLINK 2 --glm linear (A1 is REF for some rows, ALT for others; covariate rows skipped)',
      'plink2',
      `${['#CHROM POS ID REF ALT A1 A1_FREQ TEST OBS_CT BETA SE T_STAT P'.split(' ').join('\t'), ...V.flatMap((v) => [
        [v.chrom, v.pos, v.id, v.ref, v.ref === v.ea ? v.oa : v.ea, v.ea, v.f, 'ADD', v.n, g(v.b), g(v.se), g(v.b / v.se), g(p(v))].join('\t'),
        [v.chrom, v.pos, v.id, v.ref, v.ref === v.ea ? v.oa : v.ea, v.ea, v.f, 'AGE', v.n, '0.5', '0.1', '5', '1e-6'].join('\t'),
      ])].join('\n')}\n`,
    ],
    [
      'PLINK 2 --glm logistic (OR, LOG(OR)_SE, OMITTED)',
      'plink2',
      lines('#CHROM POS ID REF ALT A1 OMITTED A1_FREQ TEST OBS_CT OR LOG(OR)_SE Z_STAT P', (v) => [v.chrom, v.pos, v.id, v.ref, v.ref === v.ea ? v.oa : v.ea, v.ea, v.oa, v.f, 'ADD', v.n, g(Math.exp(v.b)), g(v.se), g(v.b / v.se), g(p(v))]),
    ],
    [
      'REGENIE step 2 (p from LOG10P)',
      'regenie',
      lines('CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ INFO N TEST BETA SE CHISQ LOG10P EXTRA', (v) => [v.chrom, v.pos, v.id, v.oa, v.ea, v.f, 0.98, v.n, 'ADD', g(v.b), g(v.se), g((v.b / v.se) ** 2), g(-Math.log10(p(v))), 'NA'], ' '),
    ],
    [
      'SAIGE (the effect allele is Allele2)',
      'saige',
      lines('CHR POS MarkerID Allele1 Allele2 AC_Allele2 AF_Allele2 imputationInfo N BETA SE Tstat p.value', (v) => [v.chrom, v.pos, v.id, v.oa, v.ea, Math.round(2 * v.n * v.f), v.f, 1, v.n, g(v.b), g(v.se), g(v.b / v.se ** 2), g(p(v))], ' '),
    ],
    [
      'BOLT-LMM (no N: --n; BP, not GENPOS)',
      'bolt-lmm',
      lines('SNP CHR BP GENPOS ALLELE1 ALLELE0 A1FREQ F_MISS BETA SE P_BOLT_LMM_INF P_BOLT_LMM', (v) => [v.id, v.chrom, v.pos, 0.01 * v.pos, v.ea, v.oa, v.f, 0.001, g(v.b), g(v.se), '0.5', g(p(v))]),
      { n: 10000 },
    ],
    [
      'METAL (lower-case alleles; no N: --n)',
      'metal',
      lines('MarkerName Allele1 Allele2 Freq1 FreqSE Effect StdErr P-value Direction', (v) => [v.id, v.ea.toLowerCase(), v.oa.toLowerCase(), v.f, 0.01, g(v.b), g(v.se), g(p(v)), '++']),
      { n: 10000 },
    ],
    [
      'GCTA fastGWA',
      'fastgwa',
      lines('CHR SNP POS A1 A2 N AF1 BETA SE P', (v) => [v.chrom, v.id, v.pos, v.ea, v.oa, v.n, v.f, g(v.b), g(v.se), g(p(v))]),
    ],
    [
      'a harmonisation tool (SNPID CHR POS EA NEA EAF BETA SE CHISQ Z OR OR_95L OR_95U P MLOG10P N N_CONTROL N_CASE; effective N)',
      'generic',
      lines('SNPID CHR POS EA NEA EAF BETA SE CHISQ Z OR OR_95L OR_95U P MLOG10P N N_CONTROL N_CASE', (v) => [v.id, v.chrom, v.pos, v.ea, v.oa, v.f, g(v.b), g(v.se), g((v.b / v.se) ** 2), g(v.b / v.se), g(Math.exp(v.b)), g(Math.exp(v.b - 1.96 * v.se)), g(Math.exp(v.b + 1.96 * v.se)), g(p(v)), g(-Math.log10(p(v))), 18000, 15000, 3000]),
    ],
    [
      'odds ratios with a 95 % CI only (se from the CI)',
      'generic',
      lines('rsid chr pos effect_allele other_allele eaf OR ci_lower ci_upper P N', (v) => [v.id, v.chrom, v.pos, v.ea, v.oa, v.f, g(Math.exp(v.b)), g(Math.exp(v.b - 1.959963984540054 * v.se)), g(Math.exp(v.b + 1.959963984540054 * v.se)), g(p(v)), v.n]),
    ],
    [
      'odds ratios and P only (se from P)',
      'generic',
      lines('SNP CHR BP A1 A2 FRQ OR P N', (v) => [v.id, v.chrom, v.pos, v.ea, v.oa, v.f, g(Math.exp(v.b)), g(p(v)), v.n], ' '),
      undefined,
      7,
    ],
    [
      "a .ma as R's data.table::fwrite(quote = TRUE) writes it: quoted header and strings",
      'cojo',
      lines('"SNP" "A1" "A2" "freq" "b" "se" "p" "N"', (v) => [`"${v.id}"`, `"${v.ea}"`, `"${v.oa}"`, v.f, g(v.b), g(v.se), g(p(v)), v.n], ' '),
    ],
    [
      'column overrides (--columns) for names no dialect knows',
      'generic',
      lines('variant tested other af effect stderr pvalue samples', (v) => [v.id, v.ea, v.oa, v.f, g(v.b), g(v.se), g(p(v)), v.n]),
      { columns: { snp: 'variant', a1: 'tested', a2: 'other', freq: 'af', b: 'effect', se: 'stderr', n: 'samples' } },
    ],
  ];

  it.each(cases)('%s', async (_name, dialect, text, opts, digits) => {
    const t = await readSumstats(file(text), opts);
    expect(t.dialect).toBe(dialect);
    expectSameRows(t, ref, digits);
  });

  it('records what it derived', async () => {
    const harmonised = await readSumstats(file(cases[8]![2]));
    expect(harmonised.derived).toEqual(['N = 4 / (1/N_CASE + 1/N_CONTROL) (effective N of a case/control study)']);
    expect(harmonised.columns).toMatchObject({ snp: 'SNPID', a1: 'EA', a2: 'NEA', b: 'BETA', se: 'SE', p: 'P', nCase: 'N_CASE', nControl: 'N_CONTROL' });
    const plink = await readSumstats(file(cases[2]![2]));
    expect(plink.derived).toEqual(['b = ln(OR), se from LOG(OR)_SE (log-odds scale)', 'only rows with TEST = ADD (covariate rows skipped)']);
    const regenie = await readSumstats(file(cases[3]![2]));
    expect(regenie.derived).toEqual(['p = 10^−LOG10P', 'only rows with TEST = ADD (covariate rows skipped)']);
  });

  it('LDSC munged (SNP A1 A2 Z N): Z is put on the per-allele scale with the panel frequency', async () => {
    const t = await readSumstats(file(lines('SNP A1 A2 Z N', (v) => [v.id, v.ea, v.oa, g(v.b / v.se), v.n], ' ')));
    expect(t.dialect).toBe('ldsc');
    expect(t.zOnly).toBe(true);
    expect(t.freqFromPanel).toBe(true);
    const v = variantsFromSumstats('ldsc', t);
    // The panel's A1 is the other allele for half the rows: the frequency is turned to the row's a1.
    const panel = {
      id: V.map((x) => x.id),
      a1: V.map((x, i) => (i % 2 ? x.oa : x.ea)),
      a2: V.map((x, i) => (i % 2 ? x.ea : x.oa)),
      a1Freq: Float64Array.from(V, (x, i) => (i % 2 ? 1 - x.f : x.f)),
    };
    expect(completeFromPanel(v, panel, true)).toEqual({ frequencies: 5, fromZ: 5 });
    V.forEach((x, i) => {
      expect(v.freq[i]).toBeCloseTo(x.f, 12);
      expect(v.b[i]).toBeCloseTo(x.b, 9);
      expect(v.se[i]).toBeCloseTo(x.se, 9);
      expect(v.p[i]).toBeCloseTo(p(x), 9);
    });
  });

  it('refuses an ambiguous header, naming both columns', async () => {
    await expect(readSumstats(file('SNP SNPID A1 A2 freq b se p N\nrs1 rs1 A G 0.1 0.1 0.1 0.3 100\n'))).rejects.toThrow(/ambiguous header: columns 'SNP' and 'SNPID' could both be snp/);
  });
});
