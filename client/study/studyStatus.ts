// `pgsflow study status RUN`: a running run with its progress (or why none came), a closed one
// with its metrics or failure message.
import type { StudyResult } from '../../contracts/study.js';
import { EXIT_FAILURE, EXIT_OK } from '../command.js';
import { formatMetricsTable } from './metricsTable.js';
import { renderProgress } from './progressView.js';
import { type Settled, outcomeReport } from './runStudy.js';
import { type StudyStatusJson, isoSeconds, statusJson, studyStatusOf, temporalStatusWord } from './statusView.js';
import { QUERY_TIMEOUT_MS, type StudyCommandContext, describeStudy, liveFits, queryProgress, storeFlag } from './studyCommandContext.js';

/** Exit 0 whenever the run exists, whatever its state. */
export async function studyStatus(sc: StudyCommandContext, runId: string): Promise<number> {
  const found = await describeStudy(sc, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  const name = desc.status.name;
  const st = studyStatusOf(name);
  let report: StudyStatusJson;
  if (st === 'running') {
    if (sc.embedded) {
      report = {
        runId, status: st, progress: null, metrics: [], temporalStatus: name, workflowType: desc.type,
        message: `interrupted: the embedded Temporal server stopped with the command that ran it; continue with \`pgsflow study resume ${runId}${storeFlag(sc)}\``,
      };
    } else {
      const p = await queryProgress(sc, handle);
      report = {
        runId, status: st, progress: p ?? null, metrics: [], temporalStatus: name, workflowType: desc.type,
        ...(p ? {} : { message: `no answer to the progress query within ${QUERY_TIMEOUT_MS / 1000} s: the worker is busy (a long step blocks it), or none serves task queue ${desc.taskQueue} (\`pgsflow worker\`)` }),
      };
      if (p && !sc.json) {
        sc.ctx.stdout(`run ${runId} (${desc.type}): running since ${isoSeconds(desc.startTime)}\n${renderProgress(p, await liveFits(sc, p), false).slice(1).join('\n')}\n`);
        return EXIT_OK;
      }
    }
  } else {
    const outcome: Settled = await sc.call(() => handle.result()).then(
      (value) => ({ ok: true as const, value: value as StudyResult }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    report = outcomeReport(runId, name, outcome, null, desc.type);
  }
  if (sc.json) sc.ctx.stdout(statusJson(report));
  else {
    const closed = desc.closeTime ? `, closed ${isoSeconds(desc.closeTime)}` : '';
    sc.ctx.stdout(`run ${runId} (${desc.type}): ${report.status === 'failed' && name !== 'FAILED' ? `failed (${temporalStatusWord(name)})` : report.status}, started ${isoSeconds(desc.startTime)}${closed}\n`);
    if (report.message) sc.ctx.stdout(`  ${report.message}\n`);
    if (report.status === 'completed') sc.ctx.stdout(formatMetricsTable(report.metrics));
  }
  return EXIT_OK;
}
