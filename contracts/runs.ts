// The run and step records the study workflows keep through the store worker: a run begun and
// finished, each step recorded under its cache key, a completed step looked up for reuse.
import type { RunHeader } from './runRecords.js';

/** A file named by a step's output: `output[field] + suffix`, with its sha256 in `output[sha256Field]` when recorded. */
export interface StepOutputFile {
  field: string;
  suffix?: string;
  sha256Field?: string;
}

export interface BeginRunInput {
  runId: string;
  name: string;
  design: string;
  studyJson: string;
  studySha256: string;
  codeVersion: string;
  temporalRunId: string;
  /** The run whose steps this one may reuse (`study resume`). */
  resumedFrom?: string;
  /** Absolute path of the study file. */
  studyPath?: string;
  /**
   * Provenance, filled by the activity itself (the worker reads its host, package version, git
   * commit and lockfile hash) when left out; given values win (tests, other recorders).
   */
  host?: string;
  packageVersion?: string;
  gitCommit?: string | null;
  lockfileSha256?: string | null;
}

export interface RecordStepInput {
  runId: string;
  stepKey: string;
  step: string;
  scope?: string;
  /** When the step began (activity-side clock); defaults to now. */
  startedAtMs?: number;
  output: unknown;
  /** The output was reused from an earlier run (`study resume`), not computed. */
  cacheHit?: boolean;
  /** With cacheHit: the run that computed it, whose per-run rows of the step are copied (STEP_ROWS). */
  reusedFrom?: string;
}

export interface CachedStep {
  /** The run that computed the output (the first of the resume chain to record it). */
  runId: string;
  output: unknown;
}

/** A run with its recorded steps' outputs (what `demo` and `study status` read back). */
export interface RunRecord extends RunHeader {
  steps: { stepKey: string; step: string; scope: string; attempt: number; output: unknown }[];
}

export interface StartStepInput {
  runId: string;
  stepKey: string;
  step: string;
  scope: string;
}

export interface LookupStepInput {
  runId: string;
  stepKey: string;
  /** Output files the cached step named: a hit whose files are gone or changed is not reused. */
  files?: StepOutputFile[];
}

export interface FinishRunInput {
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  summary: unknown;
}
