// `npm run bench -- --scale [--quick]`: a cohort-size study end to end through the workflows on
// this machine — `pgsflow simulate` (20,000 people × 100,000 SNPs, 96 annotations), then the
// simulator's ten-fold cross-validation study (ingest → LD panel → fold GWAS → 10 × QC / impute /
// SBayesRC with SBayesR alongside → score → metrics) on an embedded dev server with the worker in
// this process. Reports wall time, a per-activity timeline from the Temporal histories, peak RSS of
// the worker process (this one), of the dev server and of the simulate process, the store's size
// on disk, and the share of wall time in which no activity ran (goal ≤ 5 %). Not run by CI.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession } from '../client/session.js';
import { buildStudyInput, loadStudyFile } from '../client/study/studyInput.js';
import { formatMetricsSummary } from '../client/study/metricsSummary.js';
import { makeRunId } from '../client/study/runId.js';
import { loadEnv } from '../config/env.js';
import { type StudyResult, workflowTypeOfDesign } from '../contracts/study.js';
import { codeVersionString } from '../core/provenance/codeVersion.js';
import { activityTypeRows, studyTimeline } from './activityTimeline.js';
import { type BenchRow, peakRss } from './timing.js';

interface CohortShape {
  samples: number;
  snps: number;
  blockSnps: number;
  refSamples: number;
  annotations: number;
  /** Sampler settings for `--quick` (the full run keeps the study defaults). */
  sbayesrc?: { iterations: number; burnIn: number };
}
const FULL: CohortShape = { samples: 20_000, snps: 100_000, blockSnps: 1000, refSamples: 5000, annotations: 96 };
const QUICK: CohortShape = { samples: 3000, snps: 5000, blockSnps: 500, refSamples: 1000, annotations: 96, sbayesrc: { iterations: 300, burnIn: 100 } };

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PEAK_HOOK = join(ROOT, 'bench', 'reportPeakRss.mjs');

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

export async function cohortBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const shape = quick ? QUICK : FULL;
  const studyDir = join(dir, 'cohort');
  const storeDir = join(dir, 'cohort-store');
  console.log(
    `cohort study: ${shape.samples} people × ${shape.snps} SNPs (${shape.snps / shape.blockSnps} blocks of ${shape.blockSnps}), ` +
      `${shape.annotations} annotations, ${shape.refSamples} LD reference samples; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );

  // 1. Simulate, in its own process so its peak RSS is its own.
  const sim = await runCli(
    ['simulate', '--out', studyDir, '--samples', String(shape.samples), '--snps', String(shape.snps), '--block-snps', String(shape.blockSnps)]
      .concat(['--ref-samples', String(shape.refSamples), '--annotations', String(shape.annotations), '--seed', '1']),
    join(dir, 'simulate.peak'),
  );
  console.log(`simulate: ${sim.seconds.toFixed(1)} s, peak RSS ${gb(sim.peakBytes)}`);
  const studyPath = join(studyDir, 'study.json');
  if (shape.sbayesrc) {
    const study = JSON.parse(readFileSync(studyPath, 'utf8')) as { sbayesrc?: Record<string, unknown> };
    study.sbayesrc = { ...study.sbayesrc, ...shape.sbayesrc };
    writeFileSync(studyPath, `${JSON.stringify(study, null, 2)}\n`);
  }

  // 2. The study on an embedded dev server, the worker in this process.
  const env = { ...loadEnv({ ...process.env, TEMPORAL_ADDRESS: undefined }) };
  const session = await openSession({ env, storeDir, withWorker: true, log: (line) => console.log(`  ${line}`) });
  let result: StudyResult;
  let serverPeak = NaN;
  const rssBefore = peakRss();
  let timeline;
  const t0 = performance.now();
  try {
    const file = await loadStudyFile(studyPath);
    const input = buildStudyInput(file, { codeVersion: codeVersionString(), computeTaskQueue: env.computeTaskQueue, storeDir });
    const runId = makeRunId(file.study.name);
    const handle = await session.call(() =>
      session.client.workflow.start(workflowTypeOfDesign(file.study.design.type), { workflowId: runId, taskQueue: env.storeTaskQueue, args: [input] }),
    );
    result = (await session.call(() => handle.result())) as StudyResult;
    timeline = await session.call(() => studyTimeline(session.client, runId));
    if (session.server) serverPeak = processGroupPeak(session.server.pid);
  } finally {
    await session.shutdown();
  }
  const wall = (performance.now() - t0) / 1000;
  const workerPeak = peakRss();

  const studyS = (timeline.endMs - timeline.startMs) / 1000;
  const idleShare = 1 - timeline.coveredMs / (timeline.endMs - timeline.startMs);
  console.log(`\nstudy ${result.runId}: ${studyS.toFixed(0)} s in the workflow (${wall.toFixed(0)} s with server start and history reads)`);
  console.log('\n| activity | count | sum of durations (s) | first start (s) | last end (s) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of activityTypeRows(timeline)) console.log(`| ${r.type} | ${r.count} | ${r.seconds.toFixed(1)} | ${r.firstS.toFixed(1)} | ${r.lastS.toFixed(1)} |`);
  console.log(`\nno activity running: ${(idleShare * 100).toFixed(2)} % of the study's wall time (goal ≤ 5 %)`);
  console.log(`peak RSS: worker process ${gb(workerPeak)} (${gb(rssBefore)} before the study), dev server ${gb(serverPeak)}, simulate ${gb(sim.peakBytes)}`);
  const sizes = storeSizes(storeDir);
  console.log(`store on disk: ${gb(sizes.total)} (DuckDB ${gb(sizes.duckdb)}, artifacts ${gb(sizes.artifacts)}, Temporal SQLite ${gb(sizes.temporal)}, other ${gb(sizes.total - sizes.duckdb - sizes.artifacts - sizes.temporal)})`);
  console.log(`\n${formatMetricsSummary(result.metrics)}`);

  const label = `${shape.samples / 1000}k × ${shape.snps / 1000}k × ${shape.annotations} annot, 10-fold CV`;
  return [
    { name: `cohort study ${label}: wall`, ours: studyS, peer: null, peerName: '—', goal: 'reported' },
    { name: `cohort study ${label}: no-activity share`, ours: idleShare * 100, peer: 5, peerName: 'goal: 5 %', goal: '≤ 1.0' },
    { name: `simulate ${shape.samples / 1000}k × ${shape.snps / 1000}k`, ours: sim.seconds, peer: null, peerName: '—', goal: 'reported' },
  ];
}

/** Run the CLI in a child process; its peak RSS comes from a preloaded exit hook. */
function runCli(args: string[], peakFile: string): Promise<{ seconds: number; peakBytes: number }> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', PEAK_HOOK, join(ROOT, 'bin', 'pgsflow.js'), ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PGSFLOW_BENCH_PEAK_FILE: peakFile },
    });
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`pgsflow ${args.join(' ')} exited ${code}`));
      res({ seconds: (performance.now() - t0) / 1000, peakBytes: Number(readFileSync(peakFile, 'utf8')) });
    });
  });
}

/** Largest VmHWM (bytes) among the processes of a process group (the dev server runs under a watchdog shell). */
function processGroupPeak(pgid: number): number {
  let peak = NaN;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // state ppid pgrp …
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      if (m) peak = Math.max(Number.isNaN(peak) ? 0 : peak, 1024 * Number(m[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return peak;
}

function storeSizes(storeDir: string): { total: number; duckdb: number; artifacts: number; temporal: number } {
  const sizeOf = (path: string): number => {
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  };
  let duckdb = 0;
  let artifacts = 0;
  let temporal = 0;
  let total = 0;
  for (const name of readdirSync(storeDir)) {
    const size = sizeOf(join(storeDir, name));
    total += size;
    if (name.startsWith('temporal.sqlite')) temporal += size;
    else if (name === 'artifacts') artifacts += size;
    else if (name.includes('.duckdb')) duckdb += size;
  }
  return { total, duckdb, artifacts, temporal };
}
