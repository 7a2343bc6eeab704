// Steps of a study, recorded in the store's `steps` table and reused on `study resume`. A step's
// key names the step, its scope, the code version and everything its output depends on (content
// hashes of inputs, dataset names that embed those hashes, parameters) — never the run id or a
// time — so the same key in an earlier run of the resume chain means the same output.
import type { StoreActivities } from '../contracts/activities.js';
import type { StepOutputFile } from '../contracts/runs.js';

export interface StepContext {
  runId: string;
  codeVersion: string;
  resumedFrom: string | undefined;
  store: StoreActivities;
  /** Incremented on every cache hit (reported in progress and the result). */
  hits: { count: number };
}

/** Deterministic JSON: object keys sorted, so equal parameters give equal keys. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const stepKey = (ctx: StepContext, step: string, scope: string, parts: unknown): string =>
  `${step}|${scope}|${ctx.codeVersion}|${canonicalJson(parts)}`;

/**
 * Run `compute` unless an earlier run of the resume chain recorded the same step whose output
 * files (`files`, named by fields of the output) are still there and unchanged; record it
 * either way.
 */
export async function cachedStep<T>(
  ctx: StepContext,
  step: string,
  scope: string,
  parts: unknown,
  compute: () => Promise<T>,
  files: StepOutputFile[] = [],
): Promise<T> {
  const key = stepKey(ctx, step, scope, parts);
  if (ctx.resumedFrom !== undefined) {
    const hit = await ctx.store.lookupStep({ runId: ctx.resumedFrom, stepKey: key, ...(files.length > 0 ? { files } : {}) });
    if (hit !== null) {
      ctx.hits.count++;
      await ctx.store.recordStep({ runId: ctx.runId, stepKey: key, step, scope, output: hit.output, cacheHit: true, reusedFrom: hit.runId });
      return hit.output as T;
    }
  }
  await ctx.store.startStep({ runId: ctx.runId, stepKey: key, step, scope });
  const output = await compute();
  await ctx.store.recordStep({ runId: ctx.runId, stepKey: key, step, scope, output });
  return output;
}

/** A step that is always computed (cheap, or depending on this run's own rows), timed and recorded. */
export async function recordedStep<T>(ctx: StepContext, step: string, scope: string, compute: () => Promise<T>, summarise: (out: T) => unknown = (out) => out): Promise<T> {
  const key = `${step}|${scope}`;
  await ctx.store.startStep({ runId: ctx.runId, stepKey: key, step, scope });
  const output = await compute();
  await ctx.store.recordStep({ runId: ctx.runId, stepKey: key, step, scope, output: summarise(output) });
  return output;
}
