// Imputation validation (issue 5 §3): a GWAS of a simulated cohort with dense LD, 20 % of its
// SNPs hidden, imputed from a panel of separate reference samples of the same ancestry; the
// imputed z must track the GWAS z of hidden SNPs, reported per bin of the best r² between the
// hidden SNP and an observed one in the panel.
//
// The simulator's LD is a Gaussian copula: SNPs with latent correlation ρ have dosage
// correlation at most (2/π)·arcsin ρ (≈ 0.80 at ρ = 0.95, so r² ≤ 0.64, less when the two
// frequencies differ). At the default ld-rho 0.95 no pair reaches r² 0.8, so the r² ≥ 0.8
// criterion is checked at ld-rho 0.995, and the 0.95 run is held to the same 0.8 on the
// hidden SNPs tagged at r² ≥ 0.5.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImputeActivities } from '../../activities/impute.js';
import { gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { imputeOnFiles } from '../../core/impute/imputeFiles.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { type BedPanel, ldPanelFromBed } from '../helpers/ldPanel.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { pearson as correlation } from '../helpers/pearson.js';
import type { ImputeSummary } from '../../contracts/impute.js';

const BLOCK_SNPS = 300;
const OBSERVED_BLOCKS = 4;
const HIDE_FRACTION = 0.2;
const R2_BINS = [0.95, 0.9, 0.8, 0.5, 0] as const;

interface Scenario {
  panel: BedPanel;
  hidden: Set<string>;
  /** Input rows (verbatim lines) by SNP. */
  input: Map<string, string>;
  /** GWAS z of every SNP, hidden or not. */
  truth: Map<string, number>;
  out: Map<string, string[]>;
  summary: ImputeSummary;
}

interface Bin {
  lo: number;
  imputed: number[];
  truth: number[];
  info: number[];
}

const tmp = makeTmpDir('impute-sim');
afterAll(() => tmp.cleanup());

function firstField(line: string): string {
  return line.slice(0, line.indexOf(' '));
}


/** Simulate, GWAS, build the panel from the reference samples, hide SNPs, impute. */
async function runScenario(name: string, ldRho: number): Promise<Scenario> {
  const dir = join(tmp.dir, name);
  const sim = join(dir, 'sim');
  await simulateStudy(
    parseSimulateOptions({
      samples: [20_000],
      refSamples: 2_000,
      snps: (OBSERVED_BLOCKS + 1) * BLOCK_SNPS, // the last block is hidden entirely
      blockSnps: BLOCK_SNPS,
      ldRho,
      h2: 0.5,
      causalFraction: 0.05,
      annotations: 0,
      seed: 5,
    }),
    sim,
  );
  await gwasOnFiles({
    bfiles: [join(sim, 'geno', 'EUR')],
    pheno: join(sim, 'pheno.tsv'),
    phenoName: 'trait',
    covar: join(sim, 'covar.tsv'),
    model: 'linear',
    outDir: join(dir, 'gwas'),
  });
  const panel = await ldPanelFromBed(join(sim, 'ref', 'EUR'), join(dir, 'ld'), BLOCK_SNPS);
  const lines = readFileSync(join(dir, 'gwas', 'gwas.ma'), 'utf8').trimEnd().split('\n');
  expect(lines.length - 1).toBe(panel.snps.id.length);

  const lastBlock = new Set(panel.snps.id.slice(OBSERVED_BLOCKS * BLOCK_SNPS));
  const rng = Rng.stream(5, 99);
  const hidden = new Set<string>();
  const truth = new Map<string, number>();
  for (const l of lines.slice(1)) {
    const f = l.split(' ');
    truth.set(f[0]!, Number(f[4]) / Number(f[5]));
    if (rng.uniform() < HIDE_FRACTION || lastBlock.has(f[0]!)) hidden.add(f[0]!);
  }
  const kept = lines.slice(1).filter((l) => !hidden.has(firstField(l)));
  writeFileSync(join(dir, 'observed.ma'), `${[lines[0]!, ...kept].join('\n')}\n`);
  const summary = await imputeOnFiles({ sumstats: join(dir, 'observed.ma'), ld: join(dir, 'ld'), out: join(dir, 'imputed.ma') });
  const out = new Map<string, string[]>();
  for (const l of readFileSync(join(dir, 'imputed.ma'), 'utf8').trimEnd().split('\n').slice(1)) out.set(firstField(l), l.split(' '));
  return { panel, hidden, input: new Map(kept.map((l) => [firstField(l), l])), truth, out, summary };
}

/** Hidden SNPs of the observed blocks by their best r² with an observed SNP of the block. */
function binByTagR2(s: Scenario): Bin[] {
  const bins: Bin[] = R2_BINS.map((lo) => ({ lo, imputed: [], truth: [], info: [] }));
  for (let b = 0; b < OBSERVED_BLOCKS; b++) {
    const first = s.panel.blockStart[b]!;
    const r = s.panel.correlations[b]!;
    const m = BLOCK_SNPS;
    const ids = s.panel.snps.id.slice(first, first + m);
    ids.forEach((id, i) => {
      if (!s.hidden.has(id)) return;
      let best = 0;
      ids.forEach((other, j) => {
        if (!s.hidden.has(other)) best = Math.max(best, r[i * m + j]! ** 2);
      });
      const row = s.out.get(id)!;
      const bin = bins.find((x) => best >= x.lo)!;
      bin.imputed.push(Number(row[4]) / Number(row[5]));
      bin.truth.push(s.truth.get(id)!);
      bin.info.push(Number(row[9]));
    });
  }
  return bins;
}

/** Pooled SNPs of the bins with lower bound ≥ lo. */
function pooled(bins: readonly Bin[], lo: number): { imputed: number[]; truth: number[] } {
  const sel = bins.filter((b) => b.lo >= lo);
  return { imputed: sel.flatMap((b) => b.imputed), truth: sel.flatMap((b) => b.truth) };
}

function printBins(title: string, s: Scenario, bins: readonly Bin[]): void {
  const rows = bins.map((x, i) => {
    const hi = i === 0 ? '1.00]' : `${R2_BINS[i - 1]!.toFixed(2)})`;
    const c = x.imputed.length >= 3 ? correlation(x.imputed, x.truth).toFixed(3) : '  —  ';
    const info = x.info.length > 0 ? (x.info.reduce((a, v) => a + v, 0) / x.info.length).toFixed(3) : '  —  ';
    return `  r² [${x.lo.toFixed(2)}, ${hi}  ${String(x.imputed.length).padStart(4)} SNPs  cor ${c}  mean info ${info}`;
  });
  const all = pooled(bins, 0);
  console.log(
    `${title}: ${s.summary.totals.observed} observed, ${s.summary.totals.imputed} imputed, ${s.summary.totals.notImputable} not imputable ` +
      `(impute ${s.summary.seconds.impute.toFixed(2)} s)\n  best r² between a hidden SNP and an observed one in the panel:\n` +
      `${rows.join('\n')}\n  all hidden: ${all.imputed.length} SNPs, cor ${correlation(all.imputed, all.truth).toFixed(3)}`,
  );
}

function checkCoverage(s: Scenario): void {
  expect([...s.out.keys()]).toEqual(s.panel.snps.id);
  for (const [id, line] of s.input) expect(s.out.get(id)!.join(' ')).toBe(`${line} 1 1`);
  expect(s.summary.totals.observed).toBe(s.input.size);
  expect(s.summary.input.swapped + s.summary.input.alleleMismatch + s.summary.input.notInPanel).toBe(0);
  for (const id of s.panel.snps.id.slice(OBSERVED_BLOCKS * BLOCK_SNPS)) {
    const f = s.out.get(id)!;
    expect([f[4], f[5], f[6], f[8]]).toEqual(['0', '1', '1', '-1']);
  }
  expect(s.summary.totals.blocksWithoutObserved).toBe(1);
  for (const id of s.hidden) if (s.out.get(id)![8] !== '-1') expect(s.out.get(id)![8]).toBe('0');
}

describe('imputation of hidden GWAS SNPs, ld-rho 0.95 (neighbouring r² ≈ 0.5–0.64)', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await runScenario('rho095', 0.95);
  }, 120_000);

  it('covers every panel SNP in order; observed rows verbatim; the hidden block flagged r2 = −1', () => checkCoverage(s));

  it('imputed z correlates ≥ 0.8 with the GWAS z (r² ≥ 0.8 where such tags exist, else r² ≥ 0.5)', () => {
    const bins = binByTagR2(s);
    printBins('ld-rho 0.95', s, bins);
    const strong = pooled(bins, 0.8);
    if (strong.imputed.length >= 3) expect(correlation(strong.imputed, strong.truth)).toBeGreaterThanOrEqual(0.8);
    const tagged = pooled(bins, 0.5);
    expect(tagged.imputed.length).toBeGreaterThanOrEqual(50);
    expect(correlation(tagged.imputed, tagged.truth)).toBeGreaterThanOrEqual(0.8);
  });
});

describe('imputation of hidden GWAS SNPs, ld-rho 0.995 (pairs at r² ≥ 0.8)', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await runScenario('rho0995', 0.995);
  }, 120_000);

  it('covers every panel SNP in order; observed rows verbatim; the hidden block flagged r2 = −1', () => checkCoverage(s));

  it('imputed z correlates ≥ 0.8 with the GWAS z over hidden SNPs with an observed SNP at r² ≥ 0.8', () => {
    const bins = binByTagR2(s);
    printBins('ld-rho 0.995', s, bins);
    const strong = pooled(bins, 0.8);
    expect(strong.imputed.length).toBeGreaterThanOrEqual(20);
    expect(correlation(strong.imputed, strong.truth)).toBeGreaterThanOrEqual(0.8);
  });

  it('activity: a cancellation ends it between blocks as CancelledFailure, leaving no output', async () => {
    const dir = join(tmp.dir, 'rho0995');
    const env = new MockActivityEnvironment();
    const blocks: number[] = [];
    env.on('heartbeat', (d: unknown) => {
      const p = d as { block: number };
      blocks.push(p.block);
      if (p.block === 1) env.cancel();
    });
    const out = join(dir, 'cancelled.ma');
    await expect(env.run(makeImputeActivities().impute, { sumstats: join(dir, 'observed.ma'), ld: join(dir, 'ld'), out })).rejects.toBeInstanceOf(CancelledFailure);
    expect(blocks).toEqual([0, 1]); // no block after the one that saw the cancellation
    expect(readdirSync(dir).filter((f) => f.startsWith('cancelled.ma'))).toEqual([]);
  });
});
