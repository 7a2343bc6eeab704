// `pgsflow impute` end to end on a hand-made panel: the imputed row equals the hand value,
// observed rows keep their text (re-oriented where swapped), mismatches are counted and
// dropped, a block without observed SNPs is flagged; CLI and activity adapters.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { makeImputeActivities } from '../../activities/impute.js';
import { imputeOnFiles, reportPath } from '../../core/impute/imputeFiles.js';
import { complementText, negateText } from '../../core/impute/observedText.js';
import { impliedVariance } from '../../core/impute/imputationScale.js';
import { median } from '../../core/numeric/stats/median.js';
import type { ImputeReport } from '../../core/impute/imputeSummary.js';
import { chiSquareUpperP } from '../../core/numeric/stats/distributions.js';
import { UsageError } from '../../client/command.js';
import { imputeCommand } from '../../client/commands/impute.js';
import { type PanelSnpSpec, writeCorrelationPanel } from '../helpers/ldPanel.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { ImputeSummary } from '../../contracts/impute.js';

const tmp = makeTmpDir('impute');
afterAll(() => tmp.cleanup());

// Block 1 is the hand-computed 3-SNP case of imputeMath.test.ts: T = {rs1, rs3}, z_T = (3, −1).
const HAND_R = Float64Array.of(1, 0.8, 0.5, 0.8, 1, 0.6, 0.5, 0.6, 1);
const HAND_Z = 1.48 / 0.96;
const HAND_QUALITY = 0.62 / 0.96;

const snp = (id: string, a1: string, a2: string, freq: number): PanelSnpSpec => ({ id, a1, a2, freq });
const BLOCKS = [
  { snps: [snp('rs1', 'A', 'G', 0.3), snp('rs2', 'C', 'T', 0.4), snp('rs3', 'G', 'A', 0.25)], r: HAND_R },
  { snps: [snp('rs4', 'A', 'C', 0.2), snp('rs5', 'T', 'G', 0.5)], r: Float64Array.of(1, 0.5, 0.5, 1) },
  { snps: [snp('rs6', 'C', 'G', 0.6), snp('rs7', 'A', 'T', 0.1)], r: Float64Array.of(1, 0.3, 0.3, 1) },
];

// rs3 swapped (panel G/A): b +0.01 → −0.01, freq 0.75 → 0.25, so z_T = (3, −1) after alignment.
// rs4 has other alleles than the panel (dropped: block 2 has no observed SNP); rs99 is not in
// the panel; rs1 appears twice with equal values (the reader keeps one).
const MA = [
  'SNP A1 A2 freq b se p N',
  'rs1 A G 0.31 0.0300 0.01 1.35e-3 10000',
  'rs1 A G 0.31 0.0300 0.01 1.35e-3 10000',
  'rs99 A C 0.5 0.1 0.01 1e-20 5000',
  'rs3 A G 0.75 0.0100 0.01 0.3173 12000',
  'rs4 C T 0.2 0.5 0.01 1e-100 7000',
  'rs6 C G 0.58 +2.0E-02 0.0125 0.1096 8000',
  'rs7 A T 0.1 -0 0.02 1 9000',
].join('\n');

interface Row {
  fields: string[];
  b: number;
  se: number;
  p: number;
  n: number;
  r2: number;
  info: number;
}

function readOut(path: string): Map<string, Row> {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('SNP A1 A2 freq b se p N r2 info');
  const rows = new Map<string, Row>();
  for (const l of lines.slice(1)) {
    const f = l.split(' ');
    rows.set(f[0]!, { fields: f, b: Number(f[4]), se: Number(f[5]), p: Number(f[6]), n: Number(f[7]), r2: Number(f[8]), info: Number(f[9]) });
  }
  return rows;
}

async function setup(name: string, ma = MA, cutoff = 1): Promise<{ ld: string; sumstats: string; out: string }> {
  const ld = join(tmp.dir, name, 'ld');
  await writeCorrelationPanel(ld, BLOCKS, cutoff);
  const sumstats = join(tmp.dir, name, 'in.ma');
  writeFileSync(sumstats, `${ma}\n`);
  return { ld, sumstats, out: join(tmp.dir, name, 'out', 'imputed.ma') };
}

describe('imputeOnFiles on a hand-made panel', () => {
  it('imputes the hand value, keeps observed text, flags the block without observed SNPs', async () => {
    const paths = await setup('hand');
    const summary = await imputeOnFiles({ ...paths, cutoff: 1 });
    const rows = readOut(paths.out);
    expect([...rows.keys()]).toEqual(['rs1', 'rs2', 'rs3', 'rs4', 'rs5', 'rs6', 'rs7']);

    // Observed: numbers as written; rs3 turned to the panel's A1.
    expect(rows.get('rs1')!.fields.join(' ')).toBe('rs1 A G 0.31 0.0300 0.01 1.35e-3 10000 1 1');
    expect(rows.get('rs3')!.fields.join(' ')).toBe('rs3 G A 0.25 -0.0100 0.01 0.3173 12000 1 1');
    expect(rows.get('rs6')!.fields.join(' ')).toBe('rs6 C G 0.58 +2.0E-02 0.0125 0.1096 8000 1 1');
    expect(rows.get('rs7')!.fields.join(' ')).toBe('rs7 A T 0.1 -0 0.02 1 9000 1 1');

    // Scale over the four rows in use (rs1, rs3, rs6, rs7), in the input's orientation.
    const nMed = median(Float64Array.of(10000, 12000, 8000, 9000));
    expect(nMed).toBe(9500);
    const vP = median(
      Float64Array.of(
        impliedVariance(0.31, 10000, 0.03, 0.01),
        impliedVariance(0.75, 12000, 0.01, 0.01),
        impliedVariance(0.58, 8000, 0.02, 0.0125),
        impliedVariance(0.1, 9000, 0, 0.02),
      ),
    );
    expect(summary.scale.nMed).toBe(nMed);
    expect(summary.scale.vP).toBeCloseTo(vP, 14);

    const rs2 = rows.get('rs2')!;
    const se = Math.sqrt(vP / (2 * 0.4 * 0.6 * (nMed + HAND_Z ** 2)));
    expect(rs2.fields.slice(1, 4)).toEqual(['C', 'T', '0.4']);
    expect(rs2.se).toBeCloseTo(se, 8);
    expect(rs2.b / rs2.se).toBeCloseTo(HAND_Z, 5);
    expect(rs2.p).toBeCloseTo(chiSquareUpperP(HAND_Z ** 2, 1), 5);
    expect(rs2.n).toBe(nMed);
    expect(rs2.r2).toBe(0);
    expect(rs2.info).toBeCloseTo(HAND_QUALITY, 5);

    for (const id of ['rs4', 'rs5']) {
      const r = rows.get(id)!;
      expect([r.b, r.se, r.p, r.n, r.r2, r.info]).toEqual([0, 1, 1, nMed, -1, 0]);
    }
    expect(rows.get('rs4')!.fields.slice(1, 4)).toEqual(['A', 'C', '0.2']); // the panel's, not the input's

    expect(summary.input).toEqual({ rows: 6, matched: 3, swapped: 1, notInPanel: 1, alleleMismatch: 1, missingValues: 0, duplicatesMerged: 1, setAside: 0 });
    expect(summary.totals).toEqual({ panelSnps: 7, observed: 4, imputed: 1, notImputable: 2, blocksWithoutObserved: 1, monomorphic: 0 });

    const report = JSON.parse(readFileSync(reportPath(paths.out), 'utf8')) as ImputeReport;
    expect(report.blocks.map((b) => [b.block, b.snps, b.observed, b.imputed, b.notImputable, b.k])).toEqual([
      [1, 3, 2, 1, 0, 3],
      [2, 2, 0, 0, 2, 0],
      [3, 2, 2, 0, 0, 0],
    ]);
    expect(report.blocks[0]!.workspaceBytes).toBeGreaterThan(0);
    expect(report.sumstats).toBe(paths.sumstats);
  });

  it('reads gzipped input to the same output', async () => {
    const plain = await setup('plain');
    await imputeOnFiles(plain);
    const gz = await setup('gz');
    writeFileSync(`${gz.sumstats}.gz`, gzipSync(`${MA}\n`));
    await imputeOnFiles({ ...gz, sumstats: `${gz.sumstats}.gz` });
    expect(readFileSync(gz.out, 'utf8')).toBe(readFileSync(plain.out, 'utf8'));
  });

  it('reads GWAS-SSF and carries its numbers through', async () => {
    const ssf = [
      'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\trsid\tn',
      '1\t1000\tA\tG\t0.0300\t0.01\t0.31\t1.35e-3\trs1\t10000',
      '1\t1200\tA\tG\t0.0100\t0.01\t0.75\t0.3173\trs3\t12000',
      '3\t1500\tC\tG\t0.02\t0.0125\tNA\t0.1096\trs6\t8000',
    ].join('\n');
    const paths = await setup('ssf', ssf);
    // One row of three has no frequency: set aside by the reader (more than 1 % of a real file would be refused).
    const summary = await imputeOnFiles({ ...paths, read: { maxBadRows: 0.5 } });
    const rows = readOut(paths.out);
    expect(rows.get('rs1')!.fields.join(' ')).toBe('rs1 A G 0.31 0.0300 0.01 1.35e-3 10000 1 1');
    expect(rows.get('rs3')!.fields.join(' ')).toBe('rs3 G A 0.25 -0.0100 0.01 0.3173 12000 1 1');
    expect(rows.get('rs2')!.b / rows.get('rs2')!.se).toBeCloseTo(HAND_Z, 5);
    expect(summary.input.setAside).toBe(1); // rs6 without a frequency
    expect(summary.input.missingValues).toBe(0);
    expect(rows.get('rs6')!.r2).toBe(-1); // dropped, and block 3 has no other observed SNP
  });

  it('refuses a cut-off above the panel’s, and input without any usable SNP', async () => {
    const paths = await setup('bad', MA, 0.9);
    await expect(imputeOnFiles(paths)).rejects.toThrow(/cut-off 0.995 is above the stored 0\.8999/);
    const none = await setup('none', 'SNP A1 A2 freq b se p N\nrs99 A C 0.5 0.1 0.01 1e-20 5000');
    await expect(imputeOnFiles(none)).rejects.toBeInstanceOf(BadInputError);
    await expect(imputeOnFiles({ ...none, cutoff: 1.5 })).rejects.toThrow(/cut-off must be in/);
    await expect(imputeOnFiles({ ...none, out: none.sumstats })).rejects.toThrow(/would replace the summary statistics/);
  });
});

describe('text of re-oriented numbers', () => {
  it('negates by toggling the sign, complements at 15 significant digits', () => {
    expect(['0.5', '-0.5', '+1e-3', '0', '-0', '1.20E-02'].map(negateText)).toEqual(['-0.5', '0.5', '-1e-3', '0', '0', '-1.20E-02']);
    expect(['0.1234', '0.75', '1', '0', '1e-3'].map(complementText)).toEqual(['0.8766', '0.25', '0', '1', '0.999']);
  });
});

describe('adapters', () => {
  it('CLI: runs, prints the totals, checks its options', async () => {
    const paths = await setup('cli');
    let out = '';
    const ctx = { stdout: (t: string) => void (out += t), stderr: () => undefined, onInterrupt: () => () => true };
    const values = { sumstats: paths.sumstats, ld: paths.ld, out: paths.out, cutoff: '1' };
    expect(await imputeCommand.run({ values, positionals: [] }, ctx)).toBe(0);
    expect(out).toMatch(/7 panel SNPs: 4 observed, 1 imputed, 2 not imputable/);
    expect(out).toMatch(/1 re-oriented.*1 not in the panel, 1 allele mismatches/);
    await expect(imputeCommand.run({ values: { ...values, cutoff: '2' }, positionals: [] }, ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(imputeCommand.run({ values: { ld: paths.ld, out: paths.out }, positionals: [] }, ctx)).rejects.toBeInstanceOf(UsageError);
  });

  it('activity: heartbeats once per block, bad input is non-retryable', async () => {
    const paths = await setup('activity');
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { impute } = makeImputeActivities();
    const summary = (await env.run(impute, { ...paths, cutoff: 1 })) as ImputeSummary;
    expect(summary.totals.imputed).toBe(1);
    expect(beats).toEqual([{ block: 0 }, { block: 1, blocks: 3, imputed: 1 }, { block: 2, blocks: 3, imputed: 0 }, { block: 3, blocks: 3, imputed: 0 }]);
    await expect(env.run(impute, { ...paths, cutoff: 2 })).rejects.toMatchObject({ type: 'BadInputError', nonRetryable: true });
  });
});
