// The one read model of recorded runs: what audit and report read from the store (run list,
// one run's provenance, steps, QC counts, fits, metrics, outputs; verify's checks). Plain JSON.
import type { MetricRow } from './evaluation.js';
import type { FileHash } from './provenance.js';

export interface AuditListRow {
  runId: string;
  name: string;
  design: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  /** Mean r² over folds (SBayesRC, else SBayesR) or the combined cross-ancestry test r². */
  headline: { label: string; value: number | null; se: number | null } | null;
}

/** One recorded step of a run (a row of `steps`). */
export interface StepRecord {
  stepKey: string;
  step: string;
  scope: string;
  /** Which input an `ingest` step loaded (from its key), else null. */
  detail: string | null;
  attempt: number;
  cacheHit: boolean;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  /** Peak RSS of the worker process that recorded the step (cumulative since it started). */
  peakRssBytes: number | null;
}

export interface AuditInput {
  key: string;
  sha256: string;
  files: FileHash[];
}

/** One QC rule's count for one GWAS set of a run (a row of `qc_counts`). */
export interface QcCountRow {
  scope: string;
  gwasSet: string;
  rule: string;
  removed: number;
  remaining: number;
  position: number;
}

export interface AuditFit {
  scope: string;
  method: string;
  h2: number;
  h2Sd: number;
  nnz: number;
  sigma2e: number;
  pi: number[];
  cutoff: number;
  cutoffReason: string;
  tuning: unknown;
  removedSnps: string[];
  convergence: unknown;
  enrichment: Record<string, number | null>;
  iterations: number | null;
  burnIn: number | null;
  seed: number | null;
  snps: number | null;
  seconds: number | null;
}

export interface AuditOutput {
  scope: string;
  kind: string;
  path: string | null;
  sha256: string;
  bytes: number | null;
  rows: number | null;
}

/** A row of `runs`: what every view of a run starts from. */
export interface RunHeader {
  runId: string;
  name: string;
  design: string;
  status: string;
  temporalRunId: string | null;
  resumedFrom: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  studyPath: string | null;
  studySha256: string | null;
  /** The study file verbatim. */
  studyJson: string | null;
  codeVersion: string | null;
  /** The study's result summary (metrics, cache hits) once it finished. */
  summary: unknown;
}

/** A dataset the run ingested, with how it was read (summary statistics: dialect, columns, derivations). */
export interface AuditDataset {
  dataset: string;
  kind: string;
  rows: number;
  details: Record<string, unknown> | null;
}

export interface AuditRun {
  run: RunHeader;
  code: { codeVersion: string | null; packageVersion: string | null; gitCommit: string | null; lockfileSha256: string | null };
  /** Host, platform, Node.js, CPUs, worker pid (null for runs recorded before provenance existed). */
  host: Record<string, unknown> | null;
  /** The study with every default resolved, as the worker parsed it. */
  resolvedStudy: unknown;
  inputs: AuditInput[];
  /** Datasets the run's ingest steps loaded (older runs: empty). */
  datasets: AuditDataset[];
  steps: StepRecord[];
  qc: QcCountRow[];
  fits: AuditFit[];
  metrics: MetricRow[];
  outputs: AuditOutput[];
  histories: { workflowId: string; temporalRunId: string | null; events: number; bytes: number; archivedAt: string }[];
}

export interface VerifyCheck {
  /** input | study | file | table */
  kind: string;
  /** What was checked: a file path, or `effects fold-1/SBayesRC`. */
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
  /** For an effects mismatch: the rows that differ from the fit's PREFIX.txt (at most 20). */
  details?: string[];
}

export interface VerifyResult {
  runId: string;
  checks: VerifyCheck[];
  mismatches: VerifyCheck[];
}
