// The run log in the store: a run begun and finished, each step started and recorded under its
// cache key, a completed step found again for reuse (also through the runs a run resumed). Every
// write is idempotent, so a retried activity (or a replayed workflow after a crash) never
// duplicates a row.
import { parseStudy } from '../../config/study.js';
import type { BeginRunInput, CachedStep, FinishRunInput, LookupStepInput, RecordStepInput, RunRecord, StartStepInput } from '../../contracts/runs.js';
import { peakRssBytes, runHost } from '../provenance/runHost.js';
import { hashRunTable } from '../provenance/tableHash.js';
import type { Store } from '../store/store.js';
import { readRunHeader } from './runTables.js';
import { staleOutput } from './stepOutputs.js';

/**
 * Tables a step writes under its run id that the run's audit and report read back: a reused
 * step gets a copy under the reusing run, so every run shows every filter count and which
 * variant each filter removed.
 */
const STEP_ROWS: Record<string, readonly string[]> = { qc: ['qc_counts', 'qc_removed'] };

/** Resume chains are short; this bounds the walk if a cycle were ever recorded. */
const MAX_RESUME_DEPTH = 100;

/** The step's output in `runId` or the runs it was resumed from (newest first), naming the computing run. */
async function findStep(store: Store, runId: string, stepKey: string): Promise<CachedStep | null> {
  let run: string | null = runId;
  for (let depth = 0; run !== null && depth < MAX_RESUME_DEPTH; depth++) {
    const rows: { output_json: string | null; cache_hit: boolean }[] = await store.all(
      `SELECT output_json, cache_hit FROM steps WHERE run_id = $r AND step_key = $k`,
      { r: run, k: stepKey },
    );
    const row = rows[0];
    if (row && !row.cache_hit && row.output_json !== null) return { runId: run, output: JSON.parse(row.output_json) as unknown };
    if (row && row.cache_hit && row.output_json !== null) {
      // A hit recorded by an intermediate resume: keep walking to name the computing run.
      const from: { resumed_from: string | null }[] = await store.all(`SELECT resumed_from FROM runs WHERE run_id = $r`, { r: run });
      const origin = from[0]?.resumed_from ?? null;
      if (origin === null) return { runId: run, output: JSON.parse(row.output_json) as unknown };
      run = origin;
      continue;
    }
    const from: { resumed_from: string | null }[] = await store.all(`SELECT resumed_from FROM runs WHERE run_id = $r`, { r: run });
    run = from[0]?.resumed_from ?? null;
  }
  return null;
}

  export async function beginRun(store: Store, input: BeginRunInput): Promise<{ created: boolean }> {
    const where = runHost();
    const provenance = { ...where, resolvedStudy: resolvedStudy(input.studyJson) };
    return store.transaction(async (tx) => {
      const existing = await tx.all(`SELECT run_id FROM runs WHERE run_id = $id`, { id: input.runId });
      if (existing.length > 0) return { created: false };
      await tx.run(
        `INSERT INTO runs (run_id, name, design, status, study_json, study_sha256, code_version,
                           temporal_run_id, resumed_from, study_path, started_at,
                           host, package_version, git_commit, lockfile_sha256, provenance_json)
         VALUES ($id, $name, $design, 'running', $study, $sha, $code, $trun, $from, $path, now(),
                 $host, $pkg, $git, $lock, $prov)`,
        {
          id: input.runId,
          name: input.name,
          design: input.design,
          study: input.studyJson,
          sha: input.studySha256,
          code: input.codeVersion,
          trun: input.temporalRunId,
          from: input.resumedFrom ?? null,
          path: input.studyPath ?? null,
          host: input.host ?? where.host,
          pkg: input.packageVersion ?? where.code.version,
          git: input.gitCommit !== undefined ? input.gitCommit : where.code.gitCommit,
          lock: input.lockfileSha256 !== undefined ? input.lockfileSha256 : where.code.lockfileSha256,
          prov: JSON.stringify(provenance),
        },
      );
      return { created: true };
    });
  }

/**
 * Mark a step started, so `steps` holds real start/end times for the report's timeline. The
 * later `recordStep` keeps this start time and fills in the end, attempt and output; a step
 * started but never recorded has no output, which `lookupStep` never treats as reusable.
 */
export async function startStep(store: Store, input: StartStepInput): Promise<void> {
  await store.transaction((tx) =>
    tx.run(
      `INSERT INTO steps (run_id, step_key, step, scope, attempt, cache_hit, started_at, finished_at, output_json)
       VALUES ($run, $key, $step, $scope, 0, false, now(), NULL, NULL)
       ON CONFLICT (run_id, step_key) DO UPDATE SET started_at = now(), finished_at = NULL, output_json = NULL`,
      { run: input.runId, key: input.stepKey, step: input.step, scope: input.scope },
    ),
  );
}

  export async function recordStep(store: Store, input: RecordStepInput, attempt: number): Promise<void> {
    // The recording worker process's peak RSS so far (process-wide, not this step's own peak).
    const rss = peakRssBytes();
    const adopt = input.cacheHit && input.reusedFrom !== undefined ? (STEP_ROWS[input.step] ?? []) : [];
    await store.transaction(async (tx) => {
      for (const table of adopt) {
        const run = input.runId;
        const scope = input.scope ?? '';
        await tx.run(`DELETE FROM ${table} WHERE run_id = $run AND scope = $scope`, { run, scope });
        await tx.run(`INSERT INTO ${table} SELECT * REPLACE ($run AS run_id) FROM ${table} WHERE run_id = $from AND scope = $scope`, { run, scope, from: input.reusedFrom! });
      }
      await tx.run(
        `INSERT INTO steps (run_id, step_key, step, scope, attempt, cache_hit, started_at, finished_at, output_json, peak_rss_bytes)
         VALUES ($run, $key, $step, $scope, $attempt, $hit, coalesce(make_timestamptz($start * 1000), now()), now(), $out, $rss)
         ON CONFLICT (run_id, step_key) DO UPDATE SET attempt = excluded.attempt, cache_hit = excluded.cache_hit,
           finished_at = excluded.finished_at, output_json = excluded.output_json, peak_rss_bytes = excluded.peak_rss_bytes`,
        {
          rss,
          run: input.runId,
          key: input.stepKey,
          step: input.step,
          scope: input.scope ?? '',
          attempt,
          start: input.startedAtMs ?? null,
          hit: input.cacheHit ?? false,
          out: JSON.stringify(input.output),
        },
      );
    });
  }

  /**
   * The output of step `stepKey` in `runId` or the runs it was resumed from (newest first), or
   * null. Keys hash the step's inputs and parameters, so a hit is safe to reuse — provided the
   * files it names (`files`) are still there and unchanged; otherwise null (computed again).
   */
  export async function lookupStep(store: Store, input: LookupStepInput, warn: (message: string) => void): Promise<CachedStep | null> {
    const hit = await findStep(store, input.runId, input.stepKey);
    if (hit === null || !input.files?.length) return hit;
    const stale = await staleOutput(hit.output, input.files);
    if (stale === null) return hit;
    warn(`step ${input.stepKey} of run ${hit.runId} is not reused: ${stale}`);
    return null;
  }

  export async function finishRun(store: Store, input: FinishRunInput): Promise<void> {
    // Canonical hashes of the run's scores and metrics (`audit verify` recomputes them).
    const tables = [
      ['table:scores', await hashRunTable(store, 'scores', input.runId, '')],
      ['table:metrics', await hashRunTable(store, 'metrics', input.runId, '')],
    ] as const;
    await store.transaction(async (tx) => {
      await tx.run(
        `UPDATE runs SET status = $status, finished_at = coalesce(finished_at, now()), summary_json = $summary
         WHERE run_id = $id`,
        { id: input.runId, status: input.status, summary: JSON.stringify(input.summary) },
      );
      for (const [kind, h] of tables) {
        await tx.run(
          `INSERT INTO run_outputs VALUES ($id, '', $kind, NULL, $sha, NULL, $rows, now())
           ON CONFLICT (run_id, scope, kind) DO UPDATE SET sha256 = excluded.sha256, rows = excluded.rows, recorded_at = excluded.recorded_at`,
          { id: input.runId, kind, sha: h.sha256, rows: h.rows },
        );
      }
    });
  }

  export async function readRun(store: Store, runId: string): Promise<RunRecord | null> {
    const run = await readRunHeader(store, runId);
    if (!run) return null;
    const steps = await store.all<{ step_key: string; step: string; scope: string; attempt: number; output_json: string | null }>(
      `SELECT step_key, step, scope, attempt, output_json FROM steps WHERE run_id = $id ORDER BY started_at, step_key`,
      { id: runId },
    );
    return {
      ...run,
      steps: steps.map((s) => ({
        stepKey: s.step_key,
        step: s.step,
        scope: s.scope,
        attempt: s.attempt,
        output: s.output_json ? (JSON.parse(s.output_json) as unknown) : null,
      })),
    };
  }

/** The study with every default filled in (recorded with the run), or null if it does not parse. */
function resolvedStudy(studyJson: string): unknown {
  try {
    return parseStudy(JSON.parse(studyJson));
  } catch {
    return null;
  }
}
