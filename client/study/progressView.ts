// Progress of a waiting `study run`: one line per unit (scope, state, bar, step, done/steps and
// the live MCMC sweep read from the fit activity's heartbeat). On a TTY the block is redrawn
// in place with ANSI cursor moves; otherwise only lines that changed are printed.
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { StudyProgress, UnitProgress } from '../../contracts/study.js';

/** What the `fitSbayesrc` activity heartbeats (activities/fitSbayesrc.ts). */
export interface LiveFit {
  chain: number;
  sweep: number;
  iterations: number;
  h2: number | null;
  nnz: number;
}

type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

/** The latest heartbeat of a pending `fitSbayesrc` activity, if any. */
export function liveFitFromPending(pending: readonly PendingActivity[] | null | undefined): LiveFit | undefined {
  for (const a of pending ?? []) {
    if (a.activityType?.name !== 'fitSbayesrc') continue;
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    try {
      const d = defaultPayloadConverter.fromPayload<Partial<LiveFit>>(payload);
      if (d && typeof d.sweep === 'number' && typeof d.iterations === 'number') {
        return {
          chain: typeof d.chain === 'number' ? d.chain : 0,
          sweep: d.sweep,
          iterations: d.iterations,
          h2: typeof d.h2 === 'number' && Number.isFinite(d.h2) ? d.h2 : null,
          nnz: typeof d.nnz === 'number' ? d.nnz : 0,
        };
      }
    } catch {
      // not ours to decode (e.g. an encrypted payload): show no sweep
    }
  }
  return undefined;
}

export function progressBar(done: number, steps: number, width = 20): string {
  const f = steps > 0 ? Math.min(1, Math.max(0, done / steps)) : 0;
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

export function formatLiveFit(live: LiveFit): string {
  return `${live.chain > 0 ? `chain ${live.chain + 1} ` : ''}sweep ${live.sweep}/${live.iterations}${live.h2 !== null ? ` h2 ${live.h2.toFixed(2)}` : ''} nnz ${live.nnz}`;
}

export interface LineOptions {
  /** Draw a bar (TTY) or not (plain lines). */
  bar: boolean;
  scopeWidth: number;
}

export function renderUnitLine(unit: UnitProgress, live: LiveFit | undefined, opts: LineOptions): string {
  const parts = [unit.scope.padEnd(opts.scopeWidth)];
  if (opts.bar) parts.push(progressBar(unit.done, unit.steps));
  parts.push(`${unit.done}/${unit.steps}`, unit.state === 'running' ? unit.step : `${unit.state}${unit.state === 'failed' ? ` at ${unit.step}` : ''}`);
  if (live && unit.state === 'running') parts.push(formatLiveFit(live));
  return parts.join('  ');
}

export function renderHeader(p: StudyProgress): string {
  const done = p.units.filter((u) => u.state === 'completed').length;
  return `${p.runId}: ${p.step}${p.units.length > 0 ? `, units ${done}/${p.units.length} done` : ''}${p.cacheHits > 0 ? `, ${p.cacheHits} cached steps` : ''}`;
}

/** The whole block: a header, then one line per unit. */
export function renderProgress(p: StudyProgress, live: ReadonlyMap<string, LiveFit>, bar: boolean): string[] {
  const scopeWidth = Math.max(0, ...p.units.map((u) => u.scope.length));
  return [renderHeader(p), ...p.units.map((u) => `  ${renderUnitLine(u, live.get(u.workflowId), { bar, scopeWidth })}`)];
}

/** Plain mode prints a sweep only every tenth of the chain, so a log is not flooded. */
export function coarseLiveFit(live: LiveFit): LiveFit {
  const step = Math.max(1, Math.floor(live.iterations / 10));
  return { ...live, sweep: Math.floor(live.sweep / step) * step, h2: live.h2 === null ? null : Math.round(live.h2 * 100) / 100 };
}

export class ProgressView {
  private drawn = 0;
  private readonly printed = new Map<string, string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly columns: () => number | undefined = () => undefined,
  ) {}

  update(p: StudyProgress, live: ReadonlyMap<string, LiveFit>): void {
    if (this.tty) {
      const cols = this.columns();
      const lines = renderProgress(p, live, true).map((l) => (cols && l.length >= cols ? l.slice(0, cols - 1) : l));
      let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
      for (const l of lines) out += `\x1b[2K${l}\n`;
      for (let k = lines.length; k < this.drawn; k++) out += '\x1b[2K\n';
      const extra = Math.max(0, this.drawn - lines.length);
      if (extra > 0) out += `\x1b[${extra}A`;
      this.drawn = lines.length;
      this.write(out);
      return;
    }
    const coarse = new Map([...live].map(([k, v]) => [k, coarseLiveFit(v)]));
    const lines = renderProgress(p, coarse, false);
    const keyed: [string, string][] = [['', lines[0]!], ...p.units.map((u, k): [string, string] => [u.workflowId || u.scope, lines[k + 1]!.trim()])];
    let out = '';
    for (const [key, line] of keyed) {
      if (this.printed.get(key) === line) continue;
      this.printed.set(key, line);
      out += `${line}\n`;
    }
    if (out) this.write(out);
  }
}
