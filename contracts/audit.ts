// What `pgsflow audit` and `report` ask of the store worker while it owns the store (through the
// `auditRead` workflow), and the archiving of a run's histories.
import type { AuditListRow, AuditRun, VerifyResult } from './runRecords.js';

export type AuditRequest = (
  | { kind: 'list' }
  | { kind: 'run'; runId: string }
  | { kind: 'verify'; runId: string }
  | { kind: 'history'; runId: string; workflowId: string }
  | ({ kind: 'report' } & RunReportRequest)
) & {
  /** The store database the caller means (absolute path); a worker owning another store refuses. */
  store?: string;
};

export type AuditResponse =
  | { kind: 'list'; runs: AuditListRow[] }
  | { kind: 'run'; audit: AuditRun }
  | { kind: 'verify'; result: VerifyResult }
  | { kind: 'history'; json: string }
  | { kind: 'report'; files: WrittenFile[] }
  | { kind: 'notFound'; message: string }
  | { kind: 'wrongStore'; message: string };

export interface ArchiveHistoriesInput {
  /** The study run (= the parent workflow id). */
  runId: string;
  /** More workflows to archive besides the run and the children its history names. */
  workflowIds?: string[];
}

export interface ArchiveHistoriesResult {
  archived: { workflowId: string; events: number }[];
}

export interface RunReportRequest {
  runId: string;
  /** Absolute path of the HTML report, if wanted. */
  out?: string;
  /** Absolute folder for the exports, if wanted. */
  exportsDir?: string;
  trait?: string;
  genomeBuild?: string;
}

export interface WrittenFile {
  path: string;
  what: string;
}
