// Issue 21's science checks of the three-ancestry combination on the real dev server, simulated
// truth: EUR GWAS 20,000, EAS 4,000 and AFR 3,000 (each target's cohort split in two: one half
// trains its GWAS, the other is the target sample, tuning and test halves), rg 0.8, 20 % private
// causal variants, shorter LD in AFR. Per target the combined score must beat the best single
// score on test samples, with weights from a tuning sample and from summary statistics alone
// (the summary run records the tuning-sample combination beside its own on the same test
// samples), and the summary weights must reach 90 % of the tuning weights' gain. A second
// study adds an ancestry whose GWAS has no signal (pure-noise summary statistics): its weight
// must be near 0 both ways, and with rg = 1 and equal GWAS sizes the EUR and EAS summary weights
// must agree within their block-jackknife interval.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { normalTwoSidedP } from '../../core/numeric/stats/distributions.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import type { StudyFileInput } from '../../config/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { withStudyWorkers } from '../helpers/studyWorkers.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = makeTmpDir('weighting');
  await simulateStudy(
    parseSimulateOptions({
      ancestries: ['EUR', 'EAS', 'AFR'],
      samples: [20000, 8000, 6000],
      refSamples: 1000,
      snps: 8000,
      causalFraction: 0.1,
      rg: 0.8,
      privateCausal: 0.2,
      ldRho: [0.95, 0.95, 0.9],
      seed: 7,
    }),
    `${tmp.dir}/three`,
  );
  await simulateStudy(
    parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [4000, 8000], refSamples: 1000, snps: 5000, causalFraction: 0.1, rg: 1, ldRho: [0.95, 0.95], seed: 9 }),
    `${tmp.dir}/equal`,
  );
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
}, 600_000);

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  // PGSFLOW_KEEP_TMP=1 keeps the simulation and store for a look at the weights files.
  if (process.env.PGSFLOW_KEEP_TMP === undefined) tmp?.cleanup();
  else console.log(`kept ${tmp?.dir}`);
});

function input(simDir: string, base: string, name: string, patch: (s: StudyFileInput) => StudyFileInput): StudyInput {
  const path = writeStudyVariant(simDir, base, name);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as StudyFileInput;
  writeFileSync(path, JSON.stringify(patch({ ...raw, sbayesrc: { ...raw.sbayesrc, iterations: 1000, burnIn: 300 } }), null, 2));
  return studyInputFor(path, { computeTaskQueue: 'weighting-compute', artifactsDir: store.paths.artifacts });
}

const run = (study: StudyInput, id: string): Promise<StudyResult> =>
  withStudyWorkers(env, store, { store: 'weighting-store', compute: 'weighting-compute' }, () => env.client.workflow.execute('crossAncestryStudy', { workflowId: id, taskQueue: 'weighting-store', args: [study] }));

const metric = (r: StudyResult, scope: string, method: string, name: string): { value: number; se: number | null } => {
  const m = r.metrics.find((x) => x.scope === scope && x.method === method && x.metric === name);
  if (m?.value == null) throw new Error(`no ${name} for ${scope}/${method}`);
  return { value: m.value, se: m.se };
};

/** Pure-noise summary statistics (N 4,000) on the EUR reference's SNPs of `dir`: b ~ N(0, se²), as `dir/noise.ma`. */
function writeNoiseSumstats(dir: string): void {
  execFileSync('plink2', ['--bfile', `${dir}/ref/EUR`, '--freq', '--out', `${tmp.dir}/eur`], { stdio: 'ignore' });
  const rng = Rng.stream(3, 1, 0);
  const lines = ['SNP A1 A2 freq b se p N'];
  for (const l of readFileSync(`${tmp.dir}/eur.afreq`, 'utf8').trim().split('\n').slice(1)) {
    const [, id, ref, alt, af] = l.split('\t');
    const f = Number(af);
    if (!(f > 0 && f < 1)) continue;
    const se = 1 / Math.sqrt(2 * f * (1 - f) * 4000);
    const z = rng.normal();
    lines.push(`${id} ${alt} ${ref} ${f} ${z * se} ${se} ${normalTwoSidedP(z)} 4000`);
  }
  writeFileSync(`${dir}/noise.ma`, `${lines.join('\n')}\n`);
}

/** The study patched to add ancestry NUL (the noise summary statistics, EUR's LD reference) with `design`. */
const withNoiseAncestry =
  (design: StudyFileInput['design']) =>
  (s: StudyFileInput): StudyFileInput => {
    const ld = s.inputs.ld as { type: 'build'; blocks: string; reference: Record<string, string[]> };
    return { ...s, inputs: { ...s.inputs, sumstats: { NUL: 'noise.ma' }, ld: { ...ld, reference: { ...ld.reference, NUL: ld.reference.EUR! } } }, design };
  };

const summaryWeighting = (s: StudyFileInput): StudyFileInput => ({ ...s, design: { ...s.design, weighting: 'summary' } as StudyFileInput['design'] });

describe('cross-ancestry weighting (simulated truth)', () => {
  it('EAS and AFR targets: the combination beats the best single score, summary weights reach 90 % of the tuning gain', async () => {
    const table: string[] = [];
    for (const [target, base] of [
      ['EAS', 'study-cross-ancestry.json'],
      ['AFR', 'study-cross-ancestry-AFR.json'],
    ] as const) {
      const r = await run(input(`${tmp.dir}/three`, base, `weighting_${target}`, summaryWeighting), `weighting-${target}`);
      const single = ['EUR', 'EAS', 'AFR'].map((a) => metric(r, a, 'SBayesRC', 'r2').value);
      const best = Math.max(...single);
      const summary = metric(r, 'combined', 'SBayesRC-multi', 'r2').value;
      const tuning = metric(r, 'combined', 'SBayesRC-multi-tuning', 'r2').value;
      const weights = ['EUR', 'EAS', 'AFR'].map((a) => {
        const s = metric(r, 'combined', 'SBayesRC-multi', `weight:${a}`);
        const t = metric(r, 'combined', 'SBayesRC-multi-tuning', `weight:${a}`);
        return `${a} ${s.value.toFixed(3)}±${s.se!.toFixed(3)} / ${t.value.toFixed(3)}±${t.se!.toFixed(3)}`;
      });
      table.push(
        `${target}: single EUR ${single[0]!.toFixed(4)} EAS ${single[1]!.toFixed(4)} AFR ${single[2]!.toFixed(4)}; tuning-weighted ${tuning.toFixed(4)} (${((tuning / best - 1) * 100).toFixed(1)} %); ` +
          `summary-weighted ${summary.toFixed(4)} (${((summary / best - 1) * 100).toFixed(1)} %); summary/tuning gain ${((summary - best) / (tuning - best)).toFixed(2)}; weights summary/tuning ${weights.join(', ')}`,
      );
      console.log(table[table.length - 1]);
      expect(tuning).toBeGreaterThan(best);
      expect(summary).toBeGreaterThan(best);
      expect(summary - best).toBeGreaterThanOrEqual(0.9 * (tuning - best));
      // The target's own score carries the largest weight either way.
      const own = metric(r, 'combined', 'SBayesRC-multi', `weight:${target}`).value;
      for (const a of ['EUR', 'EAS', 'AFR']) expect(own).toBeGreaterThanOrEqual(metric(r, 'combined', 'SBayesRC-multi', `weight:${a}`).value);
    }
    console.log(`cross-ancestry weighting, test-sample R²:\n${table.join('\n')}`);
  }, 1_800_000);

  it('rg = 1, equal GWAS sizes and a no-signal ancestry: the noise weight is near 0 both ways, EUR and EAS summary weights agree within their interval', async () => {
    const dir = `${tmp.dir}/equal`;
    writeNoiseSumstats(dir);
    const r = await run(
      input(dir, 'study-cross-ancestry.json', 'weighting_noise', withNoiseAncestry({ type: 'cross-ancestry', train: ['EUR', 'EAS', 'NUL'], target: 'EAS', weighting: 'summary' })),
      'weighting-noise',
    );
    const lines2: string[] = [];
    for (const method of ['SBayesRC-multi', 'SBayesRC-multi-tuning']) {
      const w = Object.fromEntries(['EUR', 'EAS', 'NUL'].map((a) => [a, metric(r, 'combined', method, `weight:${a}`)]));
      lines2.push(`${method}: ${Object.entries(w).map(([a, x]) => `${a} ${x.value.toFixed(3)} (95 % ${(x.value - 1.96 * x.se!).toFixed(3)} to ${(x.value + 1.96 * x.se!).toFixed(3)})`).join(', ')}`);
      expect(Math.abs(w.NUL!.value)).toBeLessThan(1.96 * w.NUL!.se!);
      expect(Math.abs(w.NUL!.value)).toBeLessThan(0.1 * w.EAS!.value);
    }
    // The jackknife covariance of the summary weights, from the step's weights file.
    const file = `${store.paths.artifacts}/runs/weighting-noise/EAS.pseudo/summary-weights.json`;
    const sw = JSON.parse(readFileSync(file, 'utf8')) as { standardisedWeights: number[]; standardisedWeightCov: number[] };
    const [eur, eas] = [sw.standardisedWeights[0]!, sw.standardisedWeights[1]!];
    const cov = sw.standardisedWeightCov;
    const seDiff = Math.sqrt(cov[0]! + cov[4]! - 2 * cov[1]!);
    lines2.push(`summary EUR − EAS on the target LD: ${(eur - eas).toFixed(3)} ± ${(1.96 * seDiff).toFixed(3)}`);
    console.log(`rg = 1, equal GWAS sizes, one no-signal ancestry (target EAS):\n${lines2.join('\n')}`);
    expect(Math.abs(eur - eas)).toBeLessThan(1.96 * seDiff);
  }, 1_200_000);

  it('fixed weights are applied as given: EAS alone reproduces the EAS score test metrics, recorded as fixed', async () => {
    const r = await run(
      input(`${tmp.dir}/equal`, 'study-cross-ancestry.json', 'weighting_fixed', (s) => ({ ...s, design: { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS', weighting: 'fixed', weights: { EUR: 0, EAS: 1 } } })),
      'weighting-fixed',
    );
    expect(metric(r, 'combined', 'SBayesRC-multi', 'r2').value).toBeCloseTo(metric(r, 'EAS', 'SBayesRC', 'r2').value, 12);
    expect(metric(r, 'combined', 'SBayesRC-multi', 'weight:EAS').value).toBe(1);
    expect(metric(r, 'combined', 'SBayesRC-multi', 'weight:EUR').value).toBe(0);
    // The tuning-sample combination is evaluated beside it on the same test samples.
    expect(metric(r, 'combined', 'SBayesRC-multi-tuning', 'r2').value).toBeGreaterThan(0);
    const step = await store.all<{ output_json: string }>(`SELECT output_json FROM steps WHERE run_id = 'weighting-fixed' AND step = 'combineAncestries'`);
    expect((JSON.parse(step[0]!.output_json) as { model: { weighting: string } }).model.weighting).toBe('fixed');
  }, 600_000);

  it('a target that does not train: its whole cohort is tuned and tested on, EUR and a summary-only ancestry combined', async () => {
    const dir = `${tmp.dir}/equal`;
    writeNoiseSumstats(dir);
    const r = await run(
      input(dir, 'study-cross-ancestry.json', 'weighting_untrained', withNoiseAncestry({ type: 'cross-ancestry', train: ['EUR', 'NUL'], target: 'EAS' })),
      'weighting-untrained',
    );
    // All 8,000 EAS samples are target samples: 4,000 tune, 4,000 test.
    expect(r.metrics.find((m) => m.scope === 'combined' && m.metric === 'r2')!.n).toBe(4000);
    const eur = metric(r, 'EUR', 'SBayesRC', 'r2').value;
    const combined = metric(r, 'combined', 'SBayesRC-multi', 'r2').value;
    expect(eur).toBeGreaterThan(0.2);
    // The noise score adds nothing beyond what 4,000 tuning samples' noise costs.
    expect(combined).toBeGreaterThan(eur - 0.005);
    expect(Math.abs(metric(r, 'combined', 'SBayesRC-multi', 'weight:NUL').value)).toBeLessThan(0.1 * metric(r, 'combined', 'SBayesRC-multi', 'weight:EUR').value);
  }, 600_000);
});
