// `pgsflow study`: the pure parts — study paths made absolute, run ids, the metrics table,
// status mapping, the JSON shape, progress lines and the fit heartbeat decoding.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, WorkflowFailedError, defaultPayloadConverter } from '@temporalio/client';
import { RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseStudy } from '../../config/study.js';
import { parseStudyArgs, planSession } from '../../client/commands/study.js';
import { UsageError } from '../../client/command.js';
import { closedStatusOf } from '../../client/study/cancelStudy.js';
import { formatRunList, runRow } from '../../client/study/listStudies.js';
import { formatMetricValue, formatMetricsTable } from '../../client/study/metricsTable.js';
import { ProgressView, coarseLiveFit, liveFitFromPending, progressBar, renderProgress, renderUnitLine } from '../../client/study/progressView.js';
import { RUN_ID_PATTERN, makeRunId, utcStamp } from '../../client/study/runId.js';
import { outcomeReport } from '../../client/study/runStudy.js';
import { failureChain, failureMessage, statusJson, studyStatusOf } from '../../client/study/statusView.js';
import { buildStudyInput, chooseStoreDir, loadStudyFile, resolveStudyPaths } from '../../client/study/studyInput.js';
import type { StudyProgress } from '../../contracts/study.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import { sha256Text } from '../../core/provenance/fileHash.js';

const inputs = {
  cohorts: [
    { ancestry: 'EUR', bfile: ['geno/EUR', '/data/geno/EUR_chr2'] },
    { ancestry: 'EAS', bfile: ['geno/EAS'] },
  ],
  phenotype: { file: 'pheno.tsv', column: 'trait' },
  covariates: { file: '../shared/covar.tsv', columns: ['age'] },
  annotations: 'annot.tsv',
  ld: { type: 'build', blocks: 'blocks.tsv', reference: { EUR: ['ref/EUR'], EAS: ['ref/EAS1', 'ref/EAS2'] } },
  sumstats: { EAS: 'gwas/eas.ma' },
};
const raw = { name: 'height_multi', store: 'store', inputs, design: { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS' } };

describe('study paths', () => {
  it('makes every input path absolute against the study folder, leaving absolute ones', () => {
    const study = parseStudy(raw);
    const r = resolveStudyPaths(study, '/studies/h');
    expect(r.inputs.cohorts).toEqual([
      { ancestry: 'EUR', bfile: ['/studies/h/geno/EUR', '/data/geno/EUR_chr2'] },
      { ancestry: 'EAS', bfile: ['/studies/h/geno/EAS'] },
    ]);
    expect(r.inputs.phenotype).toMatchObject({ file: '/studies/h/pheno.tsv', column: 'trait' });
    expect(r.inputs.covariates).toEqual({ file: '/studies/shared/covar.tsv', columns: ['age'] });
    expect(r.inputs.annotations).toBe('/studies/h/annot.tsv');
    expect(r.inputs.ld).toEqual({ type: 'build', blocks: '/studies/h/blocks.tsv', reference: { EUR: ['/studies/h/ref/EUR'], EAS: ['/studies/h/ref/EAS1', '/studies/h/ref/EAS2'] }, cutoff: 0.995 });
    expect(r.inputs.sumstats).toEqual({ EAS: '/studies/h/gwas/eas.ma' });
    expect(r.store).toBe('/studies/h/store');
    // Pure: the parsed study is unchanged, settings carried over.
    expect(study.inputs.phenotype.file).toBe('pheno.tsv');
    expect(r.design).toEqual(study.design);
    expect(r.sbayesrc).toEqual(study.sbayesrc);
  });

  it('resolves LD folders and leaves absent optional inputs absent', () => {
    const study = parseStudy({ name: 'x', inputs: { cohorts: [{ ancestry: 'EUR', bfile: ['g'] }], phenotype: { file: 'p', column: 'y' }, ld: { type: 'folders', folders: { EUR: 'ld/EUR' } } }, design: { type: 'cross-validation', ancestry: 'EUR' } });
    const r = resolveStudyPaths(study, '/s');
    expect(r.inputs.ld).toEqual({ type: 'folders', folders: { EUR: '/s/ld/EUR' } });
    expect(r.inputs).not.toHaveProperty('covariates');
    expect(r.inputs).not.toHaveProperty('annotations');
    expect(r.inputs).not.toHaveProperty('sumstats');
    expect(r).not.toHaveProperty('store');
  });

  it('reads a study file verbatim with its sha256 and builds the workflow input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsflow-studycli-'));
    try {
      const text = `${JSON.stringify(raw, null, 1)}\n`;
      writeFileSync(join(dir, 'study.json'), text);
      const f = await loadStudyFile(join(dir, 'study.json'));
      expect(f).toMatchObject({ path: join(dir, 'study.json'), text, sha256: sha256Text(text) });
      expect(f.study.inputs.phenotype.file).toBe(join(dir, 'pheno.tsv'));
      const input = buildStudyInput(f, { codeVersion: 'v1', computeTaskQueue: 'cq', storeDir: 'rel/store', resumedFrom: 'a-1' });
      expect(input).toEqual({
        study: f.study, studyText: text, studySha256: sha256Text(text), studyPath: join(dir, 'study.json'),
        codeVersion: 'v1', computeTaskQueue: 'cq', artifactsDir: join(process.cwd(), 'rel/store/artifacts'), resumedFrom: 'a-1',
      });
      expect(buildStudyInput(f, { codeVersion: 'v1', computeTaskQueue: 'cq', storeDir: '/st' })).not.toHaveProperty('resumedFrom');
      writeFileSync(join(dir, 'bad.json'), '{ "name": ');
      await expect(loadStudyFile(join(dir, 'bad.json'))).rejects.toThrow(ConfigError);
      writeFileSync(join(dir, 'bad2.json'), JSON.stringify({ ...raw, seed: 'x' }));
      await expect(loadStudyFile(join(dir, 'bad2.json'))).rejects.toThrow(/seed/);
      await expect(loadStudyFile(join(dir, 'missing.json'))).rejects.toThrow(/study file not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chooses the store: --store, else the study file, else the environment', () => {
    expect(chooseStoreDir('/cli', '/study', './env')).toBe('/cli');
    expect(chooseStoreDir(undefined, '/study', './env')).toBe('/study');
    expect(chooseStoreDir(undefined, undefined, './env')).toBe(join(process.cwd(), 'env'));
  });
});

describe('run ids', () => {
  it('are <name>-<UTC stamp>-<4 hex>', () => {
    const d = new Date(Date.UTC(2026, 10, 2, 3, 4, 5, 678));
    expect(utcStamp(d)).toBe('20261102T030405Z');
    expect(makeRunId('height_cv', d, 'a0f3')).toBe('height_cv-20261102T030405Z-a0f3');
    const id = makeRunId('sim.EUR-cv');
    expect(id).toMatch(RUN_ID_PATTERN);
    expect(RUN_ID_PATTERN.exec(id)?.[1]).toBe('sim.EUR-cv');
    const ids = new Set(Array.from({ length: 20 }, () => makeRunId('x', d)));
    expect(ids.size).toBeGreaterThan(1);
  });
});

describe('metrics table', () => {
  const rows: MetricRow[] = [
    { scope: 'fold-1', method: 'SBayesRC', metric: 'r2_incremental', value: 0.123456, se: null, n: 100 },
    { scope: 'mean', method: 'SBayesRC', metric: 'r2_incremental', value: 0.1, se: 0.0123, n: 300 },
    { scope: 'mean', method: 'SBayesR', metric: 'auc', value: null, se: null, n: 3 },
  ];

  it('aligns columns, right-aligning numbers, NA for missing', () => {
    expect(formatMetricsTable(rows)).toBe(
      [
        'scope   method    metric           value      se    n',
        'fold-1  SBayesRC  r2_incremental  0.1235      NA  100',
        'mean    SBayesRC  r2_incremental  0.1000  0.0123  300',
        'mean    SBayesR   auc                 NA      NA    3',
        '',
      ].join('\n'),
    );
    expect(formatMetricsTable([])).toBe('(no metrics)\n');
  });

  it('formats values', () => {
    expect(formatMetricValue(null)).toBe('NA');
    expect(formatMetricValue(Number.NaN)).toBe('NA');
    expect(formatMetricValue(3)).toBe('3');
    expect(formatMetricValue(0)).toBe('0');
    expect(formatMetricValue(-0.5)).toBe('-0.5000');
    expect(formatMetricValue(1.5e-5)).toBe('1.500e-5');
    expect(formatMetricValue(2.5e7)).toBe('2.500e+7');
  });
});

describe('status', () => {
  it('maps Temporal statuses to running | completed | failed | cancelled', () => {
    expect(studyStatusOf('RUNNING')).toBe('running');
    expect(studyStatusOf('PAUSED')).toBe('running');
    expect(studyStatusOf('CONTINUED_AS_NEW')).toBe('running');
    expect(studyStatusOf('COMPLETED')).toBe('completed');
    expect(studyStatusOf('CANCELLED')).toBe('cancelled');
    expect(studyStatusOf('FAILED')).toBe('failed');
    expect(studyStatusOf('TERMINATED')).toBe('failed');
    expect(studyStatusOf('TIMED_OUT')).toBe('failed');
  });

  it('puts the root cause of a failure first', () => {
    const root = ApplicationFailure.nonRetryable('pheno.tsv:3:2: column trait: expected a number', 'BadInputError');
    const act = new ActivityFailure('Activity task failed', 'ingest', '1', undefined, undefined, root);
    const wf = new WorkflowFailedError('Workflow execution failed', act, undefined);
    expect(failureChain(wf)).toEqual(['Workflow execution failed', 'Activity task failed', 'pheno.tsv:3:2: column trait: expected a number']);
    expect(failureMessage(wf)).toBe('pheno.tsv:3:2: column trait: expected a number\n  via: Activity task failed\n  via: Workflow execution failed');
    expect(failureMessage(new Error('boom'))).toBe('boom');
    expect(failureMessage(undefined)).toBe('unknown failure');
  });

  it('reports a closed run: metrics when completed, the root cause otherwise', () => {
    const metrics: MetricRow[] = [{ scope: 'folds', method: 'SBayesRC', metric: 'r2', value: 0.1, se: 0.01, n: 3 }];
    const value = { runId: 'r', name: 'n', design: 'cross-validation' as const, status: 'completed' as const, resumedFrom: 'q', metrics, cacheHits: 4 };
    expect(outcomeReport('r', 'COMPLETED', { ok: true, value }, null, 'crossValidationStudy')).toEqual({
      runId: 'r', status: 'completed', progress: null, metrics, temporalStatus: 'COMPLETED', workflowType: 'crossValidationStudy', resumedFrom: 'q', cacheHits: 4,
    });
    const root = ApplicationFailure.nonRetryable('bad phenotype', 'BadInputError');
    const failed = new WorkflowFailedError('Workflow execution failed', new ActivityFailure('Activity task failed', 'ingest', '1', undefined, undefined, root), undefined);
    expect(outcomeReport('r', 'FAILED', { ok: false, error: failed }, null)).toEqual({ runId: 'r', status: 'failed', progress: null, metrics: [], temporalStatus: 'FAILED', message: 'bad phenotype\n  via: Activity task failed' });
    const terminated = new WorkflowFailedError('Workflow execution terminated', new TerminatedFailure('superseded'), undefined);
    expect(outcomeReport('r', 'TERMINATED', { ok: false, error: terminated }, null)).toMatchObject({ status: 'failed', message: 'superseded' });
    const cancelled = new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('Workflow canceled'), undefined);
    expect(outcomeReport('r', 'CANCELLED', { ok: false, error: cancelled }, null)).toMatchObject({ status: 'cancelled', metrics: [], message: 'Workflow canceled' });
  });

  it('prints one JSON object with runId, status, progress, metrics first', () => {
    const j = JSON.parse(statusJson({ runId: 'r', status: 'failed', progress: null, metrics: [], message: 'm', temporalStatus: 'TERMINATED' })) as Record<string, unknown>;
    expect(Object.keys(j).slice(0, 4)).toEqual(['runId', 'status', 'progress', 'metrics']);
    expect(j).toEqual({ runId: 'r', status: 'failed', progress: null, metrics: [], message: 'm', temporalStatus: 'TERMINATED' });
  });

  it('lists runs in aligned columns', () => {
    const row = runRow({
      workflowId: 'a-20260101T000000Z-0000', type: 'crossValidationStudy', status: { code: 2, name: 'COMPLETED' },
      startTime: new Date('2026-01-01T00:00:00.250Z'), closeTime: new Date('2026-01-01T00:10:00Z'),
    });
    expect(row).toEqual({ runId: 'a-20260101T000000Z-0000', type: 'crossValidationStudy', status: 'completed', temporalStatus: 'COMPLETED', startTime: '2026-01-01T00:00:00Z', closeTime: '2026-01-01T00:10:00Z' });
    expect(formatRunList([row]).split('\n')[0]).toMatch(/^run id\s+type\s+status\s+started\s+closed$/);
    expect(formatRunList([])).toBe('(no study runs)\n');
  });
});

describe('study arguments', () => {
  const p = (positionals: string[], values: Record<string, string | boolean> = {}) => parseStudyArgs({ positionals, values });
  it('checks the subcommand, its argument and options', () => {
    expect(p(['run', 's.json'], { detach: true, json: true })).toEqual({ sub: 'run', arg: 's.json' });
    expect(p(['list'])).toEqual({ sub: 'list', arg: undefined });
    expect(() => p([])).toThrow(UsageError);
    expect(() => p(['frob'])).toThrow(/unknown subcommand/);
    expect(() => p(['status'])).toThrow(/expected RUN/);
    expect(() => p(['list', 'x'])).toThrow(/unexpected argument/);
    expect(() => p(['status', 'r'], { detach: true })).toThrow(/--detach does not apply/);
  });

  it('plans the session: --detach needs a cluster; run waits with a worker', () => {
    expect(() => planSession('run', { embedded: true, detach: true, noWorker: false })).toThrow(/TEMPORAL_ADDRESS/);
    expect(planSession('run', { embedded: true, detach: false, noWorker: false })).toEqual({ withWorker: true });
    expect(planSession('run', { embedded: false, detach: true, noWorker: false })).toEqual({ withWorker: false });
    expect(planSession('resume', { embedded: false, detach: false, noWorker: true })).toEqual({ withWorker: false });
    expect(planSession('status', { embedded: true, detach: false, noWorker: false })).toEqual({ withWorker: false });
    expect(planSession('cancel', { embedded: true, detach: false, noWorker: false })).toEqual({ withWorker: 'unless-attached' });
    expect(planSession('cancel', { embedded: false, detach: false, noWorker: false })).toEqual({ withWorker: false });
  });
});

describe('progress', () => {
  const progress: StudyProgress = {
    runId: 'r1',
    design: 'cross-validation',
    step: 'folds',
    cacheHits: 2,
    units: [
      { scope: 'fold-1', workflowId: 'r1/fold-1', step: 'fit', state: 'running', done: 3, steps: 6 },
      { scope: 'fold-10', workflowId: 'r1/fold-10', step: 'gwas', state: 'pending', done: 0, steps: 6 },
      { scope: 'fold-2', workflowId: 'r1/fold-2', step: 'score', state: 'failed', done: 4, steps: 6 },
    ],
  };
  const live = { chain: 0, sweep: 1200, iterations: 3000, h2: 0.4123, nnz: 57 };

  it('decodes the fitSbayesrc heartbeat of a pending activity', () => {
    const payload = defaultPayloadConverter.toPayload({ ...live, checkpoint: null });
    const other = { activityType: { name: 'ingest' }, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload({ sweep: 1, iterations: 2 })] } };
    expect(liveFitFromPending([other, { activityType: { name: 'fitSbayesrc' }, heartbeatDetails: { payloads: [payload] } }])).toEqual(live);
    const nan = defaultPayloadConverter.toPayload({ chain: 1, sweep: 0, iterations: 60, h2: Number.NaN, nnz: 0, checkpoint: null });
    expect(liveFitFromPending([{ activityType: { name: 'fitSbayesrc' }, heartbeatDetails: { payloads: [nan] } }])).toEqual({ chain: 1, sweep: 0, iterations: 60, h2: null, nnz: 0 });
    expect(liveFitFromPending([other])).toBeUndefined();
    expect(liveFitFromPending(undefined)).toBeUndefined();
    expect(liveFitFromPending([{ activityType: { name: 'fitSbayesrc' } }])).toBeUndefined();
  });

  it('renders one line per unit with the live sweep of running ones', () => {
    expect(progressBar(3, 6, 10)).toBe('[#####-----]');
    expect(progressBar(0, 0, 4)).toBe('[----]');
    expect(renderUnitLine(progress.units[0]!, live, { bar: false, scopeWidth: 7 })).toBe('fold-1   3/6  fit  sweep 1200/3000 h2 0.41 nnz 57');
    expect(renderUnitLine(progress.units[1]!, live, { bar: false, scopeWidth: 7 })).toBe('fold-10  0/6  pending');
    expect(renderUnitLine(progress.units[2]!, undefined, { bar: true, scopeWidth: 6 })).toBe('fold-2  [#############-------]  4/6  failed at score');
    const lines = renderProgress(progress, new Map([['r1/fold-1', live]]), false);
    expect(lines[0]).toBe('r1: folds, units 0/3 done, 2 cached steps');
    expect(lines).toHaveLength(4);
    expect(coarseLiveFit({ ...live, sweep: 1234 })).toEqual({ ...live, sweep: 1200, h2: 0.41 });
  });

  it('prints only changed lines when not a TTY, redraws in place on a TTY', () => {
    const out: string[] = [];
    const plain = new ProgressView((t) => out.push(t), false);
    plain.update(progress, new Map());
    expect(out.join('').split('\n').filter(Boolean)).toHaveLength(4);
    out.length = 0;
    plain.update(progress, new Map());
    expect(out).toEqual([]);
    plain.update({ ...progress, units: [{ ...progress.units[0]!, done: 4, step: 'score' }, ...progress.units.slice(1)] }, new Map());
    expect(out.join('')).toBe('fold-1   4/6  score\n');

    const tty: string[] = [];
    const view = new ProgressView((t) => tty.push(t), true, () => 40);
    view.update(progress, new Map());
    view.update(progress, new Map());
    expect(tty[0]!.startsWith('\x1b[2K')).toBe(true);
    expect(tty[1]!.startsWith('\x1b[4A')).toBe(true);
    for (const line of tty[1]!.split('\n')) expect(line.replace(/\x1b\[\d*[A-Z]/g, '').length).toBeLessThan(40);
  });
});

describe('closedStatusOf', () => {
  it("names how a run closed from its result's failure (what study cancel reports)", () => {
    const failed = (cause: Error): WorkflowFailedError => new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);
    expect(closedStatusOf(failed(new CancelledFailure('cancelled')))).toBe('CANCELLED');
    expect(closedStatusOf(failed(new TerminatedFailure('terminated')))).toBe('TERMINATED');
    expect(closedStatusOf(failed(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)))).toBe('TIMED_OUT');
    expect(closedStatusOf(failed(ApplicationFailure.create({ message: 'bad input', type: 'BadInputError' })))).toBe('FAILED');
  });
});
