// `pgsflow qc` end to end: the command on hand-made files (outputs exactly as expected, a guard
// failing with its reason and no cleaned file), the store path agreeing with the file path,
// and a simulated GWAS perturbed in known ways with exact counts per rule.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { alleleFrequencies } from '../../core/genotypes/alleleFrequencies.js';
import { gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { writeLdFolder } from '../../core/formats/ldFolder.js';
import { readBim, readFam } from '../../core/formats/plink.js';
import type { EigenBlock, LdSnpTable } from '../../core/formats/types.js';
import { makeQcActivities } from '../../activities/qc.js';
import { qcJsonPath, removedTsvPath } from '../../core/qc/qcFiles.js';
import { qcInStore } from '../../core/qc/qcStore.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { qcMigration } from '../../core/store/migrations/qcMigration.js';
import { Store } from '../../core/store/store.js';
import { type CommandContext, UsageError, parseCommandArgs } from '../../client/command.js';
import { qcCommand } from '../../client/commands/qc.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { QcRequest, QcSummary, QcReport } from '../../contracts/qc.js';
import { QC_RULES, type QcRule } from '../../contracts/qc.js';

const tmp = makeTmpDir('qc');
afterAll(() => tmp.cleanup());

/** QC reads only snp.info; eigen files just have to be valid: identity, unit eigenvalues. */
function identityEigen(m: number): EigenBlock {
  const vectors = new Float32Array(m * m);
  for (let i = 0; i < m; i++) vectors[i * m + i] = 1;
  return { m, k: m, sumLambda: m, cutoff: 1, values: new Float32Array(m).fill(1), vectors };
}

async function writePanel(dir: string, snps: LdSnpTable): Promise<void> {
  const sizes = new Map<number, number>();
  for (const b of snps.block) sizes.set(b, (sizes.get(b) ?? 0) + 1);
  await writeLdFolder(dir, snps, [...sizes.values()].map(identityEigen));
}

async function runQcCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CommandContext = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), onInterrupt: () => () => {} };
  const code = await qcCommand.run(parseCommandArgs(qcCommand, argv), ctx);
  return { code, stdout, stderr };
}

const readJson = (path: string): QcReport & { inputs: Record<string, string> } => JSON.parse(readFileSync(path, 'utf8')) as QcReport & { inputs: Record<string, string> };
const removedByRule = (r: { rules: { rule: QcRule; removed: number }[] }): Record<QcRule, number> =>
  Object.fromEntries(r.rules.map((x) => [x.rule, x.removed])) as Record<QcRule, number>;
const allRules = (nonZero: Partial<Record<QcRule, number>>): Record<QcRule, number> =>
  Object.fromEntries(QC_RULES.map((r) => [r, nonZero[r] ?? 0])) as Record<QcRule, number>;

/** Store with the QC tables (the migration may not be registered yet). */
async function openQcStore(dir: string): Promise<Store> {
  const store = await Store.open(dir);
  const has = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'qc_counts'`);
  if (Number(has[0]?.n ?? 0) === 0) await store.transaction((tx) => tx.run(qcMigration.sql));
  return store;
}

// ---------------------------------------------------------------------------------------------
// Hand-made case: 12 panel SNPs rs1..rs12 (A/G, A1Freq 0.21..0.32) in two blocks.

function handPanel(): LdSnpTable {
  const n = 12;
  return {
    chrom: new Array<string>(n).fill('22'),
    id: Array.from({ length: n }, (_, j) => `rs${j + 1}`),
    index: Int32Array.from({ length: n }, (_, j) => j),
    genPos: new Float64Array(n),
    physPos: Int32Array.from({ length: n }, (_, j) => 16_000_000 + 1000 * j),
    a1: new Array<string>(n).fill('A'),
    a2: new Array<string>(n).fill('G'),
    a1Freq: Float64Array.from({ length: n }, (_, j) => Number((0.21 + 0.01 * j).toFixed(2))),
    n: new Float64Array(n).fill(500),
    block: Int32Array.from({ length: n }, (_, j) => (j < 6 ? 1 : 2)),
  };
}

/** A .ma line whose implied variance is ≈ 1 at N = 10,000 (no variance outlier). */
function maLine(snp: string, a1: string, a2: string, freq: number, b: number, info: number, pf = freq): string {
  const se = (1 / Math.sqrt(2 * pf * (1 - pf) * 10_000)).toPrecision(6);
  return `${snp} ${a1} ${a2} ${freq} ${b} ${se} 0.5 10000 ${info}`;
}

const HAND_MA = [
  'SNP A1 A2 freq b se p N INFO',
  maLine('rs1', 'A', 'G', 0.21, 0.01, 0.99),
  maLine('rs2', 'G', 'A', 0.78, 0.02, 0.99, 0.22), // swapped: → A G 0.22 −0.02
  maLine('rs3', 'T', 'C', 0.23, 0.03, 0.99), // other strand: → A G
  maLine('rs4', 'A', 'C', 0.24, 0.04, 0.99), // allele_mismatch
  maLine('rs5', 'A', 'G', 0.25, 0.05, 0.99),
  maLine('rs5', 'A', 'G', 0.25, 0.05, 0.99), // duplicate_id (identical line)
  maLine('rs99', 'A', 'G', 0.3, 0.01, 0.99), // not_in_panel
  maLine('rs6', 'A', 'G', 0.26, 0.06, 0.5), // info
  maLine('rs7', 'A', 'G', 0.9, 0.07, 0.99, 0.27), // freq_diff
  ...[8, 9, 10, 11, 12].map((j) => maLine(`rs${j}`, 'A', 'G', Number((0.2 + 0.01 * j).toFixed(2)), -0.01 * j, 0.95)),
];

describe('pgsflow qc on files', () => {
  let ld: string;
  let ma: string;
  beforeAll(async () => {
    ld = join(tmp.dir, 'hand-ld');
    await writePanel(ld, handPanel());
    ma = join(tmp.dir, 'hand.ma');
    writeFileSync(ma, `${HAND_MA.join('\n')}\n`);
  });

  it('writes the cleaned .ma on the panel alleles in panel order, the report and the removed list', async () => {
    const out = join(tmp.dir, 'hand-out', 'clean.ma');
    const r = await runQcCli(['--sumstats', ma, '--ld', ld, '--out', out, '--explain', 'rs2', 'rs4', 'rs13']);
    expect(r.code).toBe(0);
    const se = (pf: number): string => (1 / Math.sqrt(2 * pf * (1 - pf) * 10_000)).toPrecision(6).replace(/0+$/, '');
    expect(readFileSync(out, 'utf8')).toBe(
      [
        'SNP A1 A2 freq b se p N',
        `rs1 A G 0.21 0.01 ${se(0.21)} 0.5 10000`,
        `rs2 A G 0.22 -0.02 ${se(0.22)} 0.5 10000`,
        `rs3 A G 0.23 0.03 ${se(0.23)} 0.5 10000`,
        `rs5 A G 0.25 0.05 ${se(0.25)} 0.5 10000`,
        ...[8, 9, 10, 11, 12].map((j) => `rs${j} A G ${Number((0.2 + 0.01 * j).toFixed(2))} ${-0.01 * j} ${se(Number((0.2 + 0.01 * j).toFixed(2)))} 0.5 10000`),
        '',
      ].join('\n'),
    );
    const report = readJson(qcJsonPath(out));
    expect(report.status).toBe('passed');
    expect(report.inputRows).toBe(14);
    expect(report.remaining).toBe(9);
    expect(removedByRule(report)).toEqual(allRules({ duplicate_id: 1, not_in_panel: 1, allele_mismatch: 1, freq_diff: 1, info: 1 }));
    expect(report.reoriented).toEqual({ swapped: 1, strandFlipped: 1, flippedAndSwapped: 0 });
    expect(report.thresholds).toMatchObject({ freqDiff: 0.2, maf: 0.01, info: 0.9, nSd: 3, rate2pq: 0.5, ambiguous: 'auto', maxFreqDrop: 0.25, noImpute: false });
    expect(report.guards.map((g) => [g.guard, g.evaluated, g.passed])).toEqual([
      ['genome_build', false, true], // no positions in a .ma: matched by ID only
      ['odds_ratio', true, true],
      ['median_abs_z', true, true],
      ['freq_drop', true, true],
      ['panel_coverage', false, true],
      ['none_left', true, true],
    ]);
    expect(readFileSync(removedTsvPath(out), 'utf8')).toBe(
      [
        'SNP\trule\tdetail',
        'rs5\tduplicate_id\tsame SNP ID as line 6 (first kept)',
        'rs99\tnot_in_panel\tSNP ID not in the LD panel',
        'rs4\tallele_mismatch\talleles A/C, panel A/G: no match as given, swapped or on the other strand',
        'rs7\tfreq_diff\t|freq 0.9 − panel 0.27| = 0.63 > 0.2',
        'rs6\tinfo\tINFO 0.5 < 0.9',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toContain('rs2 (line 3, G/A, b 0.02, freq 0.78): kept as panel SNP 2 (A/G, A1Freq 0.22); A1/A2 swapped to the panel order');
    expect(r.stdout).toContain('rs4 (line 5, A/C, b 0.04, freq 0.24): removed by allele_mismatch: alleles A/C, panel A/G');
    expect(r.stdout).toContain('rs13: neither in the summary statistics nor in the LD panel');
    expect(r.stdout).toMatch(/freq_diff\s+removed\s+1\s+remaining\s+10/);
  });

  it('thresholds from flags; --json', async () => {
    const out = join(tmp.dir, 'hand-flags', 'clean.ma');
    const r = await runQcCli(['--sumstats', ma, '--ld', ld, '--out', out, '--info', '0.4', '--freq-diff', '0.7', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as QcReport & { files: string[] };
    expect(removedByRule(report)).toEqual(allRules({ duplicate_id: 1, not_in_panel: 1, allele_mismatch: 1 }));
    expect(report.thresholds).toMatchObject({ info: 0.4, freqDiff: 0.7 });
    expect(report.files).toEqual([out, qcJsonPath(out), removedTsvPath(out)]);
  });

  it('a failed guard: exit 1 with the cause, report and removed list written, no cleaned file', async () => {
    // The frequency column is the other allele's for every SNP but one.
    const lines = ['SNP A1 A2 freq b se p N', ...handPanel().id.map((id, j) => maLine(id, 'A', 'G', j === 0 ? 0.21 : Number((0.79 - 0.01 * j).toFixed(2)), 0.01, 1, 0.21 + 0.01 * j).replace(/ 1$/, ''))];
    const bad = join(tmp.dir, 'flipped-freq.ma');
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const out = join(tmp.dir, 'guard', 'clean.ma');
    await runQcCli(['--sumstats', ma, '--ld', ld, '--out', out]); // an earlier, good result
    expect(existsSync(out)).toBe(true);
    const r = await runQcCli(['--sumstats', bad, '--ld', ld, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("frequency column may be the other allele's, or the panel is another ancestry or build");
    expect(existsSync(out)).toBe(false);
    const report = readJson(qcJsonPath(out));
    expect(report.status).toBe('failed');
    expect(report.guards.find((g) => g.guard === 'freq_drop')).toMatchObject({ passed: false });
    expect(readFileSync(removedTsvPath(out), 'utf8').split('\n').filter((l) => l.includes('\tfreq_diff\t'))).toHaveLength(11);
    // The allowance is a flag.
    expect((await runQcCli(['--sumstats', bad, '--ld', ld, '--out', out, '--max-freq-drop', '0.95'])).code).toBe(0);
  });

  it('--no-impute turns the panel-coverage guard on', async () => {
    const part = join(tmp.dir, 'part.ma');
    writeFileSync(part, `${HAND_MA.slice(0, 8).join('\n')}\n`);
    const out = join(tmp.dir, 'part', 'clean.ma');
    expect((await runQcCli(['--sumstats', part, '--ld', ld, '--out', out])).code).toBe(0);
    const r = await runQcCli(['--sumstats', part, '--ld', ld, '--out', out, '--no-impute']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only 4 of the panel's 12 SNPs remain after QC \(33\.3% < 70\.0%\) and no imputation is planned/);
  });

  it('usage errors', async () => {
    const out = join(tmp.dir, 'usage.ma');
    await expect(runQcCli(['--sumstats', ma, '--out', out])).rejects.toThrow(/--ld is required/);
    await expect(runQcCli(['--sumstats', ma, '--ld', ld, '--out', out, '--ambiguous', 'maybe'])).rejects.toBeInstanceOf(UsageError);
    await expect(runQcCli(['--sumstats', ma, '--ld', ld, '--out', out, '--freq-diff', '-1'])).rejects.toThrow(/--freq-diff/);
    await expect(runQcCli(['--sumstats', ma, '--ld', ld, '--out', out, '--maf', 'x'])).rejects.toBeInstanceOf(UsageError);
  });

  it('GWAS-SSF input with an info column', async () => {
    const ssf = join(tmp.dir, 'hand.tsv');
    const rows = ['chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\trsid\tn\tinfo'];
    const panel = handPanel();
    for (let j = 0; j < 12; j++) {
      const f = panel.a1Freq[j]!;
      const se = (1 / Math.sqrt(2 * f * (1 - f) * 10_000)).toPrecision(6);
      rows.push(['22', String(panel.physPos[j]), 'A', 'G', '0.01', se, String(f), '0.5', `rs${j + 1}`, j === 3 ? 'NA' : '10000', j === 5 ? '0.3' : '0.98'].join('\t'));
    }
    writeFileSync(ssf, `${rows.join('\n')}\n`);
    const out = join(tmp.dir, 'ssf', 'clean.ma');
    // One row of 12 without N: more than the default 1 % allowance of unusable rows.
    await expect(runQcCli(['--sumstats', ssf, '--ld', ld, '--out', out])).rejects.toThrow(/1 of 12 rows \(8\.3 %\) have unusable values/);
    expect((await runQcCli(['--sumstats', ssf, '--ld', ld, '--out', out, '--max-bad-rows', '0.1'])).code).toBe(0);
    expect(removedByRule(readJson(qcJsonPath(out)))).toEqual(allRules({ missing_value: 1, info: 1 }));
  });
});

describe('qc on the store', () => {
  it('writes <set>/qc, qc_counts and qc_removed in one transaction, like the file path; retry-safe; guard leaves the store unchanged', async () => {
    const ld = join(tmp.dir, 'store-ld');
    await writePanel(ld, handPanel());
    const ma = join(tmp.dir, 'store.ma');
    writeFileSync(ma, `${HAND_MA.join('\n')}\n`);
    const out = join(tmp.dir, 'store-cli', 'clean.ma');
    expect((await runQcCli(['--sumstats', ma, '--ld', ld, '--out', out])).code).toBe(0);

    const store = await openQcStore(join(tmp.dir, 'store'));
    try {
      await ingestInputs(store, [
        { kind: 'sumstats', paths: [ma], name: 'gw' },
        { kind: 'ld', paths: [ld], name: 'panel' },
      ]);
      const req: QcRequest = { runId: 'run1', scope: 'fold-1', gwasSet: 'gw', panel: 'panel' };
      const summary = await qcInStore(store, req);
      expect(summary.outputSet).toBe('gw/qc');
      // Ingest already folded the identical duplicate line (and has no INFO column): the other
      // counts are the file path's.
      const fileReport = readJson(qcJsonPath(out));
      expect(removedByRule(summary)).toEqual({ ...removedByRule(fileReport), duplicate_id: 0, info: 0 });
      expect(summary.rules.find((x) => x.rule === 'info')).toMatchObject({ applied: false });

      const rows = await store.all<{ snp: string; a1: string; a2: string; freq: number; b: number; se: number; p: number; n: number; chrom: string; pos: number; source: string }>(
        `SELECT snp, a1, a2, freq, b, se, p, n, chrom, pos, source FROM gwas WHERE gwas_set = 'gw/qc' ORDER BY idx`,
      );
      const cleaned = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(' '));
      // rs6 (INFO 0.5) stays on the store path: no INFO there.
      const expected = cleaned.map((c) => c[0]).concat('rs6').sort((x, y) => Number(x!.slice(2)) - Number(y!.slice(2)));
      expect(rows.map((r) => r.snp)).toEqual(expected);
      for (const c of cleaned) {
        const r = rows.find((x) => x.snp === c[0])!;
        expect([r.a1, r.a2, r.freq, r.b, r.se, r.p, r.n, r.source, r.chrom]).toEqual([c[1], c[2], Number(c[3]), Number(c[4]), Number(c[5]), Number(c[6]), Number(c[7]), 'qc', '22']);
      }
      const counts = await store.all<{ rule: string; removed: number; remaining: number; position: number }>(
        `SELECT rule, removed, remaining, position FROM qc_counts WHERE run_id = 'run1' AND scope = 'fold-1' AND gwas_set = 'gw' ORDER BY position`,
      );
      expect(counts).toEqual(summary.rules.map((x) => ({ rule: x.rule, removed: x.removed, remaining: x.remaining, position: x.position })));
      const removed = await store.all<{ snp: string; rule: string; detail: string }>(`SELECT snp, rule, detail FROM qc_removed ORDER BY snp`);
      expect(removed.map((r) => [r.snp, r.rule])).toEqual([
        ['rs4', 'allele_mismatch'],
        ['rs7', 'freq_diff'],
        ['rs99', 'not_in_panel'],
      ]);

      // A retry replaces, never duplicates.
      await qcInStore(store, req);
      const total = async (table: string): Promise<number> => Number((await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
      const before = { gwas: await total('gwas'), counts: await total('qc_counts'), removed: await total('qc_removed') };
      expect(before).toEqual({ gwas: 13 + 10, counts: QC_RULES.length, removed: 3 });

      // A failed guard (through the activity adapter: non-retryable GuardError) writes nothing.
      const env = new MockActivityEnvironment();
      const { qc } = makeQcActivities(store);
      await expect(env.run(qc, { ...req, scope: 'fold-2', noImpute: true, minPanelCoverage: 0.95 })).rejects.toMatchObject({ type: 'GuardError', nonRetryable: true });
      expect({ gwas: await total('gwas'), counts: await total('qc_counts'), removed: await total('qc_removed') }).toEqual(before);
      const ok = (await env.run(qc, { ...req, scope: 'fold-2' })) as QcSummary;
      expect(ok.remaining).toBe(10);
      await expect(env.run(qc, { ...req, gwasSet: 'nope' })).rejects.toMatchObject({ type: 'BadInputError', nonRetryable: true });
      await expect(env.run(qc, { ...req, freqDiff: 2 })).rejects.toMatchObject({ type: 'ConfigError', nonRetryable: true });
    } finally {
      store.close();
    }
  });
});

describe('qc on the store: rows the reader set aside at ingest', () => {
  it('are stored with the ingest (gwas_rejected) and counted by the run\'s QC under their rules', async () => {
    const ld = join(tmp.dir, 'rej-ld');
    await writePanel(ld, handPanel());
    // The hand file in a harmonisation tool's layout, plus an X row, an indel and an NA beta.
    const rows = HAND_MA.slice(1).map((l) => {
      const [snp, a1, a2, freq, b, se, p, n] = l.split(' ');
      return [snp, '22', 16_000_000 + 1000 * (Number(snp!.slice(2)) - 1), a1, a2, freq, b, se, p, n].join('\t');
    });
    rows.push(['rsX', 'X', '5000', 'A', 'G', '0.2', '0.01', '0.004', '0.5', '10000'].join('\t'));
    rows.push(['rsI', '22', '17000000', 'AT', 'G', '0.2', '0.01', '0.004', '0.5', '10000'].join('\t'));
    rows.push(['rsN', '22', '17001000', 'A', 'G', '0.2', 'NA', '0.004', '0.5', '10000'].join('\t'));
    const file = join(tmp.dir, 'rej.tsv');
    writeFileSync(file, `${['SNPID', 'CHR', 'POS', 'EA', 'NEA', 'EAF', 'BETA', 'SE', 'P', 'N'].join('\t')}\n${rows.join('\n')}\n`);
    const store = await openQcStore(join(tmp.dir, 'rej-store'));
    try {
      const [report] = await ingestInputs(store, [{ kind: 'sumstats', paths: [file], name: 'rej', read: { maxBadRows: 0.1 } }]);
      expect(report!.notes).toContain('columns generic: snp=SNPID chrom=CHR pos=POS a1=EA a2=NEA freq=EAF b=BETA se=SE p=P n=N');
      expect(report!.notes).toContain('3 rows set aside (QC counts them): non_autosomal 1, allele_not_snv 1, missing_value 1');
      await ingestInputs(store, [{ kind: 'ld', paths: [ld], name: 'panel' }]);
      const summary = await qcInStore(store, { runId: 'run1', scope: 'EUR', gwasSet: 'rej', panel: 'panel' });
      expect(removedByRule(summary)).toMatchObject({ non_autosomal: 1, allele_not_snv: 1, missing_value: 1, allele_mismatch: 1, not_in_panel: 1 });
      expect(summary.inputRows).toBe(HAND_MA.length - 1 - 1 + 3); // the identical duplicate line is folded at ingest
      const removed = await store.all<{ snp: string; rule: string; detail: string }>(`SELECT snp, rule, detail FROM qc_removed WHERE gwas_set = 'rej' AND rule IN ('non_autosomal', 'allele_not_snv', 'missing_value') ORDER BY snp`);
      expect(removed).toEqual([
        { snp: 'rsI', rule: 'allele_not_snv', detail: "line 17: a1 'AT': indel or multi-base allele" },
        { snp: 'rsN', rule: 'missing_value', detail: "line 18: column 'BETA' is missing ('NA')" },
        { snp: 'rsX', rule: 'non_autosomal', detail: "line 16: chromosome 'X' is not an autosome" },
      ]);
    } finally {
      store.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A simulated GWAS, perturbed in known ways.

const SIM_BLOCK = 100;

describe('qc on a perturbed simulated GWAS', () => {
  const sim = join(tmp.dir, 'sim');
  const ld = join(tmp.dir, 'sim-ld');
  let maLines: string[];
  let panelFreq: Map<string, number>;

  beforeAll(async () => {
    await simulateStudy(parseSimulateOptions({ samples: [2000], refSamples: 1000, snps: 3000, blockSnps: SIM_BLOCK, seed: 11 }), sim);
    await gwasOnFiles({ bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', model: 'linear', outDir: join(sim, 'gwas') });
    // The panel: the simulated reference samples' SNPs and A1 frequencies.
    const bim = await readBim(join(sim, 'ref/EUR.bim'));
    const nRef = (await readFam(join(sim, 'ref/EUR.fam'))).iid.length;
    const m = bim.id.length;
    const freq = new Float64Array(m);
    const obs = new Int32Array(m);
    alleleFrequencies(readFileSync(join(sim, 'ref/EUR.bed')).subarray(3), 0, m, nRef, freq, obs, 0);
    await writePanel(ld, {
      chrom: bim.chrom,
      id: bim.id,
      index: Int32Array.from({ length: m }, (_, j) => j),
      genPos: bim.cm,
      physPos: bim.pos,
      a1: bim.a1,
      a2: bim.a2,
      a1Freq: freq,
      n: Float64Array.from(obs, (o) => o / 2),
      block: Int32Array.from({ length: m }, (_, j) => 1 + Math.floor(j / SIM_BLOCK)),
    });
    panelFreq = new Map(bim.id.map((id, j) => [id, freq[j]!]));
    maLines = readFileSync(join(sim, 'gwas/gwas.ma'), 'utf8').trimEnd().split('\n');
  });

  it('baseline: the unperturbed GWAS loses only ambiguous and rare SNPs', async () => {
    const out = join(tmp.dir, 'sim-base', 'clean.ma');
    expect((await runQcCli(['--sumstats', join(sim, 'gwas/gwas.ma'), '--ld', ld, '--out', out])).code).toBe(0);
    const r = readJson(qcJsonPath(out));
    expect(r.inputRows).toBe(3000);
    expect(removedByRule(r)).toEqual(allRules({ ambiguous_strand: 205, maf: 78 }));
    expect(r.remaining).toBe(2717);
  });

  it('swaps, strand flips, wrong frequencies, N outliers, dropped and duplicated lines: exact counts per rule', async () => {
    const base = join(tmp.dir, 'sim-base', 'clean.ma');
    const survivors = new Set(readFileSync(base, 'utf8').trim().split('\n').slice(1).map((l) => l.split(' ')[0]!));
    const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };
    const rows = maLines.slice(1).map((l) => l.split(' '));
    // Targets: SNPs that survive unperturbed, are not A/T or C/G, and are common (far from MAF 0.01).
    const candidates = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => survivors.has(r[0]!) && COMPLEMENT[r[1]!] !== r[2] && Math.min(Number(r[3]), 1 - Number(r[3])) > 0.05);
    // Frequency errors: 1 − freq must land far (> 0.3) from the panel frequency.
    const farFromHalf = candidates.filter(({ r }) => Math.abs(1 - Number(r[3]) - panelFreq.get(r[0]!)!) > 0.3);
    const taken = new Set<number>();
    const pick = (pool: typeof candidates, count: number, stride: number): number[] => {
      const out: number[] = [];
      for (let k = 0; out.length < count; k += stride) {
        const c = pool[k % pool.length]!;
        if (!taken.has(c.i)) {
          taken.add(c.i);
          out.push(c.i);
        }
      }
      return out;
    };
    const freqWrong = pick(farFromHalf, 20, 7);
    const swapped = pick(candidates, 50, 11);
    const flipped = pick(candidates, 30, 13);
    const bigN = pick(candidates, 15, 17);
    const dropped = new Set(pick(candidates, 40, 19));
    const duplicated = new Set(pick(candidates, 5, 23));

    const oneMinus = (s: string): string => String(Number((1 - Number(s)).toPrecision(10)));
    const negate = (s: string): string => (s.startsWith('-') ? s.slice(1) : `-${s}`);
    const medianN = 2000; // every SNP: no missing calls in the simulation
    for (const i of swapped) {
      const r = rows[i]!;
      [r[1], r[2], r[3], r[4]] = [r[2]!, r[1]!, oneMinus(r[3]!), negate(r[4]!)];
    }
    for (const i of flipped) {
      const r = rows[i]!;
      [r[1], r[2]] = [COMPLEMENT[r[1]!]!, COMPLEMENT[r[2]!]!];
    }
    for (const i of freqWrong) rows[i]![3] = oneMinus(rows[i]![3]!);
    for (const i of bigN) rows[i]![7] = String(10 * medianN);
    const lines = [maLines[0]!];
    rows.forEach((r, i) => {
      if (dropped.has(i)) return;
      lines.push(r.join(' '));
      if (duplicated.has(i)) lines.push(r.join(' '));
    });
    const perturbed = join(tmp.dir, 'perturbed.ma');
    writeFileSync(perturbed, `${lines.join('\n')}\n`);

    const out = join(tmp.dir, 'sim-perturbed', 'clean.ma');
    const cli = await runQcCli(['--sumstats', perturbed, '--ld', ld, '--out', out, '--explain', rows[swapped[0]!]![0]!]);
    expect(cli.code).toBe(0);
    const r = readJson(qcJsonPath(out));
    expect(r.inputRows).toBe(3000 - 40 + 5);
    expect(removedByRule(r)).toEqual(allRules({ duplicate_id: 5, ambiguous_strand: 205, freq_diff: 20, maf: 78, n_outlier: 15 }));
    expect(r.reoriented).toEqual({ swapped: 50, strandFlipped: 30, flippedAndSwapped: 0 });
    expect(r.remaining).toBe(2717 - 40 - 20 - 15);
    expect(cli.stdout).toContain('A1/A2 swapped to the panel order');

    // Re-oriented SNPs come out exactly as the unperturbed run wrote them.
    const cleanBase = new Map(readFileSync(base, 'utf8').trim().split('\n').slice(1).map((l) => [l.split(' ')[0]!, l]));
    const cleanNow = new Map(readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => [l.split(' ')[0]!, l]));
    for (const i of [...swapped, ...flipped]) {
      const id = rows[i]![0]!;
      const [snp, a1, a2, f, b, ...rest] = cleanNow.get(id)!.split(' ');
      const [, b1, b2, bf, bb, ...brest] = cleanBase.get(id)!.split(' ');
      expect([snp, a1, a2, b, rest]).toEqual([id, b1, b2, bb, brest]);
      expect(Number(f)).toBeCloseTo(Number(bf), 9);
    }
    const removed = readFileSync(removedTsvPath(out), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(new Set(removed.filter((x) => x[1] === 'freq_diff').map((x) => x[0]))).toEqual(new Set(freqWrong.map((i) => rows[i]![0])));
    expect(new Set(removed.filter((x) => x[1] === 'n_outlier').map((x) => x[0]))).toEqual(new Set(bigN.map((i) => rows[i]![0])));
    expect(new Set(removed.filter((x) => x[1] === 'duplicate_id').map((x) => x[0]))).toEqual(new Set([...duplicated].map((i) => rows[i]![0])));
  });

  it('non-A/C/G/T alleles and indels are QC removals (allele_not_snv), counted and explained per variant', async () => {
    const lines = [...maLines];
    for (const k of [10, 20, 30]) lines[k] = lines[k]!.replace(/^(\S+) \S+/, '$1 N');
    for (const k of [40, 50]) lines[k] = lines[k]!.replace(/^(\S+) \S+/, '$1 TAA');
    const bad = join(tmp.dir, 'allele-n.ma');
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const out = join(tmp.dir, 'allele-n', 'clean.ma');
    const r = await runQcCli(['--sumstats', bad, '--ld', ld, '--out', out, '--explain', lines[40]!.split(' ')[0]!]);
    expect(r.code).toBe(0);
    expect(removedByRule(readJson(qcJsonPath(out)))).toMatchObject({ allele_not_snv: 5 });
    const removed = readFileSync(removedTsvPath(out), 'utf8').trim().split('\n').filter((l) => l.includes('\tallele_not_snv\t'));
    expect(removed).toHaveLength(5);
    expect(r.stdout).toMatch(/allele_not_snv.*'TAA': indel or multi-base allele/);
  });

});
