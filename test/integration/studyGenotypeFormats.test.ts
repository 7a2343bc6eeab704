// Studies from cohorts in PLINK 2 pgen, VCF and BGEN (issue 19), on the real dev server: the
// simulator's hard calls converted by Debian's plink2, so each study must give the numbers of the
// same study from the .bed — folds, fold GWAS, fits, held-out scores and metrics, bit for bit.
// VCF and BGEN carry no family IDs: their samples have FID '0' (as in PLINK 2), and the study
// reads '#IID' phenotype and covariate files, matched on IID.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyFileInput } from '../../config/study.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { crossAncestryStudy } from '../../workflows/crossAncestryStudy.js';
import { crossValidationStudy } from '../../workflows/crossValidationStudy.js';
import type { StudyResult } from '../../contracts/study.js';
import { plink2 } from '../helpers/plink2.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { withStudyWorkers } from '../helpers/studyWorkers.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';

const STORE_QUEUE = 'formats-store';
const COMPUTE_QUEUE = 'formats-compute';
const SMALL_FIT = { iterations: 120, burnIn: 40, checkpointEvery: 40 };

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let tmp: { dir: string; cleanup: () => void };
let simDir: string;

/** `plink2 --bfile geno/A` converted to each format under `fmt/`. */
function convert(ancestry: string): void {
  const bfile = `${simDir}/geno/${ancestry}`;
  const out = `${simDir}/fmt/${ancestry}`;
  plink2(['--bfile', bfile, '--make-pgen', '--out', out]);
  // Sample IDs are the IIDs alone (the simulator's FID equals the IID).
  plink2(['--bfile', bfile, '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', out]);
  plink2(['--bfile', bfile, '--export', 'bgen-1.2', 'ref-first', 'id-paste=iid', '--out', out]);
}

/** `file` without its FID column, under a '#IID' header. */
function iidOnly(file: string, out: string): void {
  const lines = readFileSync(`${simDir}/${file}`, 'utf8').trimEnd().split('\n');
  const rows = lines.map((l, i) => {
    const f = l.split('\t').slice(1);
    return i === 0 ? `#${f.join('\t')}` : f.join('\t');
  });
  writeFileSync(`${simDir}/${out}`, `${rows.join('\n')}\n`);
}

beforeAll(async () => {
  tmp = makeTmpDir('formats');
  simDir = `${tmp.dir}/sim`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [1500, 900], refSamples: 300, snps: 600, blockSnps: 100, seed: 11 }), simDir);
  mkdirSync(`${simDir}/fmt`);
  for (const a of ['EUR', 'EAS']) convert(a);
  iidOnly('pheno.tsv', 'pheno_iid.tsv');
  iidOnly('covar.tsv', 'covar_iid.tsv');
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
}, 180_000);

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

const withWorkers = <T>(fn: () => Promise<T>): Promise<T> => withStudyWorkers(env, store, { store: STORE_QUEUE, compute: COMPUTE_QUEUE }, fn);

/** 'bgen' reads the BGEN's own sample IDs (IIDs only); 'bgen+sample' plink2's .sample (FID and IID). */
type Format = 'bed' | 'pgen' | 'vcf' | 'bgen' | 'bgen+sample';

function cohortOf(ancestry: string, format: Format): StudyFileInput['inputs']['cohorts'][number] {
  switch (format) {
    case 'bed':
      return { ancestry, bfile: [`geno/${ancestry}`] };
    case 'pgen':
      return { ancestry, genotypes: { format, path: `fmt/${ancestry}` } };
    case 'vcf':
      return { ancestry, genotypes: { format, path: `fmt/${ancestry}.vcf.gz` } };
    case 'bgen':
      return { ancestry, genotypes: { format, path: `fmt/${ancestry}.bgen`, refFirst: true } };
    case 'bgen+sample':
      return { ancestry, genotypes: { format: 'bgen', path: `fmt/${ancestry}.bgen`, sample: `fmt/${ancestry}.sample`, refFirst: true } };
  }
}

/** The simulated study with its cohorts in `formats` (per ancestry), IID-only tables when a format has no FIDs. */
function studyIn(base: 'study.json' | 'study-cross-ancestry.json', name: string, formats: Record<string, Format>, design?: StudyFileInput['design']): string {
  const raw = JSON.parse(readFileSync(`${simDir}/${base}`, 'utf8')) as StudyFileInput;
  const noFid = Object.values(formats).some((f) => f === 'vcf' || f === 'bgen');
  const inputs = {
    ...raw.inputs,
    cohorts: raw.inputs.cohorts.filter((c) => formats[c.ancestry] !== undefined).map((c) => cohortOf(c.ancestry, formats[c.ancestry]!)),
    ...(noFid ? { phenotype: { ...raw.inputs.phenotype, file: 'pheno_iid.tsv' } } : {}),
    ...(noFid && raw.inputs.covariates ? { covariates: { ...raw.inputs.covariates, file: 'covar_iid.tsv' } } : {}),
  };
  return writeStudyVariant(simDir, base, name, { inputs, sbayesrc: { ...SMALL_FIT, baseline: true }, ...(design ? { design } : {}) });
}

async function run(workflow: typeof crossValidationStudy | typeof crossAncestryStudy, path: string, id: string): Promise<StudyResult> {
  const input = studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: store.paths.artifacts });
  const result = await withWorkers(() => env.client.workflow.execute(workflow, { workflowId: id, taskQueue: STORE_QUEUE, args: [input] }));
  expect(result.status).toBe('completed');
  return result;
}

/** Metrics without run-specific parts. */
const values = (r: StudyResult) => r.metrics.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);

/** Held-out scores of a run, by IID (FIDs differ between formats). */
async function scores(runId: string): Promise<[string, string, number][]> {
  const rows = await store.all<{ iid: string; score_name: string; score: number }>(`SELECT iid, score_name, score FROM scores WHERE run_id = $r ORDER BY iid, score_name`, { r: runId });
  return rows.map((r) => [r.iid, r.score_name, r.score]);
}

const CV = { type: 'cross-validation', folds: 3, ancestry: 'EUR' } as const;

describe('studies from pgen, VCF and BGEN cohorts', () => {
  let bedCv: StudyResult;

  it('a 3-fold cross-validation from the .bed (reference run)', async () => {
    bedCv = await run(crossValidationStudy, studyIn('study.json', 'cv_bed', { EUR: 'bed' }, CV), 'cv-bed');
    const r2 = bedCv.metrics.find((m) => m.scope === 'folds' && m.method === 'SBayesRC' && m.metric === 'r2');
    expect(r2?.value).toBeGreaterThan(0.2);
    expect(r2?.n).toBe(3);
  }, 600_000);

  for (const format of ['pgen', 'vcf', 'bgen+sample'] as const) {
    it(`the same cross-validation from ${format} gives the .bed's metrics and held-out scores bit for bit`, async () => {
      const tag = format.replace('+', '_');
      const result = await run(crossValidationStudy, studyIn('study.json', `cv_${tag}`, { EUR: format }, CV), `cv-${tag}`);
      expect(values(result)).toEqual(values(bedCv));
      const ours = await scores(`cv-${tag}`);
      expect(ours.length).toBe(2 * 1500); // SBayesRC and SBayesR, each sample in its held-out fold
      expect(ours).toEqual(await scores('cv-bed'));
      const cohorts = await store.all<{ genotype_kind: string; source_format: string }>(
        `SELECT genotype_kind, source_format FROM cohorts WHERE cohort = (SELECT cohort FROM scores WHERE run_id = $r LIMIT 1)`,
        { r: `cv-${tag}` },
      );
      expect(cohorts).toEqual([{ genotype_kind: 'dosage', source_format: format === 'bgen+sample' ? 'bgen' : format }]);
    }, 600_000);
  }

  it('a cross-ancestry study from a VCF (EUR) and a BGEN (EAS) cohort gives the .bed study\'s numbers', async () => {
    const bed = await run(crossAncestryStudy, studyIn('study-cross-ancestry.json', 'multi_bed', { EUR: 'bed', EAS: 'bed' }), 'multi-bed');
    const mixed = await run(crossAncestryStudy, studyIn('study-cross-ancestry.json', 'multi_mixed', { EUR: 'vcf', EAS: 'bgen' }), 'multi-mixed');
    expect(values(mixed)).toEqual(values(bed));
    expect(mixed.metrics.some((m) => m.method === 'SBayesRC-multi')).toBe(true);
  }, 900_000);
});
