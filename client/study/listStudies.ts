// `pgsflow study list`: the study runs (run id, type, status, start and close time), newest
// first, as an aligned table or a JSON array.
import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import { STUDY_WORKFLOW_TYPES } from '../../contracts/study.js';
import { EXIT_OK } from '../command.js';
import { type StudyStatus, isoSeconds, studyStatusOf } from './statusView.js';
import type { StudyCommandContext } from './studyCommandContext.js';

export interface StudyRunRow {
  runId: string;
  type: string;
  status: StudyStatus;
  temporalStatus: WorkflowExecutionStatusName;
  startTime: string;
  closeTime: string | null;
}

export function runRow(i: Pick<WorkflowExecutionInfo, 'workflowId' | 'type' | 'status' | 'startTime' | 'closeTime'>): StudyRunRow {
  return {
    runId: i.workflowId,
    type: i.type,
    status: studyStatusOf(i.status.name),
    temporalStatus: i.status.name,
    startTime: isoSeconds(i.startTime),
    closeTime: i.closeTime ? isoSeconds(i.closeTime) : null,
  };
}

export function formatRunList(rows: readonly StudyRunRow[]): string {
  if (rows.length === 0) return '(no study runs)\n';
  const header = ['run id', 'type', 'status', 'started', 'closed'];
  const body = rows.map((r) => [r.runId, r.type, r.status, r.startTime, r.closeTime ?? '-']);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  return `${[header, ...body].map((cells) => cells.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`;
}

export async function listStudies(sc: StudyCommandContext, limit: number): Promise<number> {
  const { session } = sc;
  const collect = async (query: string | undefined): Promise<StudyRunRow[]> => {
    const rows: StudyRunRow[] = [];
    await sc.call(async () => {
      for await (const info of session.client.workflow.list(query ? { query } : {})) {
        if (!(STUDY_WORKFLOW_TYPES as readonly string[]).includes(info.type)) continue;
        rows.push(runRow(info));
        if (rows.length >= limit) break;
      }
    });
    return rows;
  };
  let rows: StudyRunRow[];
  try {
    rows = await collect(`WorkflowType IN (${STUDY_WORKFLOW_TYPES.map((t) => `'${t}'`).join(', ')})`);
  } catch {
    rows = await collect(undefined); // a visibility store without that query: filter here
  }
  rows.sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
  sc.ctx.stdout(sc.json ? `${JSON.stringify(rows, null, 2)}\n` : formatRunList(rows));
  return EXIT_OK;
}
