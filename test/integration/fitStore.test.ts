// Fit outputs into the store: a tiny SBayesRC fit on files (2 blocks × 100 SNPs, 200 sweeps) →
// recordFit → `fits` / `effects` rows equal to PREFIX.json / PREFIX.txt; a second run (and the
// activity) replaces rows instead of duplicating them; another scope is left alone.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { makeRecordFitActivities } from '../../activities/recordFit.js';
import { fitOnFiles } from '../../core/sbayesrc/fitFiles.js';
import { type FitsTableRow, recordFit } from '../../core/sbayesrc/fitStore.js';
import { Store } from '../../core/store/store.js';
import { writeCorrelationPanel, type PanelSnpSpec } from '../helpers/ldPanel.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { FitSummaryJson } from '../../contracts/fit.js';

const tmp = makeTmpDir('fitstore');
const BLOCKS = 2;
const M = 100;
const N = 20_000;
let store: Store;
let prefix: string;

beforeAll(async () => {
  const rng = Rng.stream(99, 0);
  const blocks: { snps: PanelSnpSpec[]; r: Float64Array }[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const r = new Float64Array(M * M);
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) r[i * M + j] = 0.6 ** Math.abs(i - j);
    blocks.push({ snps: Array.from({ length: M }, (_, j) => ({ id: `rs${b * M + j}`, a1: 'A', a2: 'G', freq: 0.1 + 0.4 * rng.uniform() })), r });
  }
  await writeCorrelationPanel(join(tmp.dir, 'ld'), blocks, 0.995);
  const ma = ['SNP A1 A2 freq b se p N'];
  const annot = ['SNP\tIntercept\tenriched\tcont'];
  for (const [b, blk] of blocks.entries()) {
    const beta = Float64Array.from({ length: M }, () => (rng.uniform() < 0.05 ? 0.05 * rng.normal() : 0));
    for (let i = 0; i < M; i++) {
      let rb = 0;
      for (let j = 0; j < M; j++) rb += blk.r[i * M + j]! * beta[j]!;
      const bhat = rb + rng.normal() / Math.sqrt(N);
      const s = blk.snps[i]!;
      const sdx = Math.sqrt(2 * s.freq * (1 - s.freq));
      ma.push(`${s.id} A G ${s.freq} ${bhat / sdx} ${Math.sqrt((1 - bhat * bhat) / N) / sdx} 0.5 ${N}`);
      annot.push(`${s.id}\t1\t${beta[i] !== 0 || rng.uniform() < 0.1 ? 1 : 0}\t${rng.normal().toFixed(4)}`);
    }
    void b;
  }
  await writeFile(join(tmp.dir, 'gwas.ma'), `${ma.join('\n')}\n`);
  await writeFile(join(tmp.dir, 'annot.txt'), `${annot.join('\n')}\n`);
  prefix = join(tmp.dir, 'fit');
  await fitOnFiles({ sumstats: join(tmp.dir, 'gwas.ma'), ld: join(tmp.dir, 'ld'), annot: join(tmp.dir, 'annot.txt'), out: prefix, iterations: 200, burnIn: 100, seed: 3, checkpointEvery: 0 });
  store = await Store.open(join(tmp.dir, 'store'));
}, 120_000);

afterAll(() => {
  store?.close();
  tmp.cleanup();
});

type FitRow = FitsTableRow;

const count = async (table: string, runId: string, scope: string): Promise<number> =>
  Number((await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table} WHERE run_id = $r AND scope = $s`, { r: runId, s: scope }))[0]!.n);

describe('recordFit', () => {
  it('writes one fits row and every effect, equal to the files', async () => {
    const res = await recordFit(store, { runId: 'run-1', scope: 'EUR', prefix });
    expect(res).toMatchObject({ runId: 'run-1', scope: 'EUR', method: 'SBayesRC', effects: BLOCKS * M });
    const text = await readFile(`${prefix}.json`, 'utf8');
    const s = JSON.parse(text) as FitSummaryJson;
    const fits = await store.all<FitRow & Record<string, unknown>>(`SELECT * FROM fits WHERE run_id = 'run-1'`);
    expect(fits).toHaveLength(1);
    const f = fits[0]!;
    expect(f).toMatchObject({ scope: 'EUR', method: 'SBayesRC', h2: s.h2.mean, h2_sd: s.h2.sd, nnz: s.nnz.mean, cutoff: s.cutoff, cutoff_reason: 'given', summary_json: text });
    expect(f.sigma2e).toBeCloseTo(s.sigma2e.reduce((a, b) => a + b, 0) / s.sigma2e.length, 12);
    expect(JSON.parse(f.pi_json)).toEqual(s.pi);
    expect(JSON.parse(f.enrichment_json)).toEqual(Object.fromEntries(s.annotations.map((n, t) => [n, s.enrichment[t]])));
    expect(Object.keys(JSON.parse(f.enrichment_json) as object)).toEqual(['Intercept', 'enriched', 'cont']);

    const lines = (await readFile(`${prefix}.txt`, 'utf8')).trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    const rows = await store.all<{ snp: string; a1: string; beta: number; se: number; pip: number }>(
      `SELECT snp, a1, beta, se, pip FROM effects WHERE run_id = 'run-1' AND scope = 'EUR' ORDER BY CAST(substr(snp, 3) AS INTEGER)`,
    );
    expect(rows).toHaveLength(BLOCKS * M);
    expect(rows.map((r) => [r.snp, r.a1, r.beta, r.se, r.pip])).toEqual(lines.map((l) => [l[0], l[1], Number(l[2]), Number(l[3]), Number(l[4])]));
    expect(rows.some((r) => r.beta !== 0)).toBe(true);
  });

  it('re-running replaces rows instead of duplicating them, and leaves other scopes alone', async () => {
    await recordFit(store, { runId: 'run-1', scope: 'fold-1', prefix });
    await recordFit(store, { runId: 'run-1', scope: 'EUR', prefix });
    await recordFit(store, { runId: 'run-1', scope: 'EUR', prefix });
    expect(await count('fits', 'run-1', 'EUR')).toBe(1);
    expect(await count('effects', 'run-1', 'EUR')).toBe(BLOCKS * M);
    expect(await count('fits', 'run-1', 'fold-1')).toBe(1);
    expect(await count('effects', 'run-1', 'fold-1')).toBe(BLOCKS * M);
  });

  it('runs as a store activity, idempotently', async () => {
    const acts = makeRecordFitActivities(store);
    const env = new MockActivityEnvironment();
    const a = await env.run(acts.recordFit, { runId: 'run-2', scope: 'EUR', prefix });
    const b = await env.run(acts.recordFit, { runId: 'run-2', scope: 'EUR', prefix });
    expect(b).toEqual(a);
    expect(await count('fits', 'run-2', 'EUR')).toBe(1);
    expect(await count('effects', 'run-2', 'EUR')).toBe(BLOCKS * M);
  });

  it('rejects a prefix with no fit', async () => {
    await expect(recordFit(store, { runId: 'run-3', scope: 'EUR', prefix: join(tmp.dir, 'nofit') })).rejects.toThrow();
    expect(await count('fits', 'run-3', 'EUR')).toBe(0);
  });
});
