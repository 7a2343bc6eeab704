// The contract between the study workflows, the CLI and the workers: inputs, the progress query,
// results. Types only (plus names), so both the workflow bundle and Node code import it freely.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Study } from '../config/study.js';
import type { MetricRow } from './evaluation.js';
import type { ArtifactExchangeMode } from './artifactExchange.js';

export const STUDY_WORKFLOW_TYPES = ['crossValidationStudy', 'crossAncestryStudy'] as const;
export type StudyWorkflowType = (typeof STUDY_WORKFLOW_TYPES)[number];

export const workflowTypeOfDesign = (design: Study['design']['type']): StudyWorkflowType =>
  design === 'cross-validation' ? 'crossValidationStudy' : 'crossAncestryStudy';

export interface StudyInput {
  /** Parsed study with every path made absolute (against the study file's folder). */
  study: Study;
  /** The study file verbatim, and its sha256 (provenance). */
  studyText: string;
  studySha256: string;
  /** Absolute path of the study file (`study resume` re-reads it). */
  studyPath: string;
  codeVersion: string;
  computeTaskQueue: string;
  /** The Python worker's queue for the nonlinear models (default `pgsflow-ml`). */
  mlTaskQueue?: string;
  /** Absolute artifact folder shared by all workers (`<store>/artifacts`). */
  artifactsDir: string;
  /** Run id whose completed steps may be reused (cache hits), for `study resume`. */
  resumedFrom?: string;
  /** How long a silent activity is given before it is retried elsewhere (default 1 minute). */
  heartbeatTimeout?: string;
  /**
   * How compute workers reach the store's files (default `file`: the same folder on every host);
   * `s3`: through the artifact store (`study run --artifacts s3://…`, contracts/artifactExchange.ts).
   */
  artifactExchange?: ArtifactExchangeMode;
}

/** One unit of a study: a fold of a cross-validation, or a training ancestry. */
export interface UnitProgress {
  scope: string;
  /** Child workflow id (the CLI describes it for the live MCMC sweep). */
  workflowId: string;
  step: string;
  state: 'pending' | 'running' | 'completed' | 'failed';
  /** Steps finished of `steps` in this unit. */
  done: number;
  steps: number;
}

export interface StudyProgress {
  runId: string;
  design: Study['design']['type'];
  /** Current top-level step (ingest, ld, gwas, folds, score, evaluate, record, done). */
  step: string;
  units: UnitProgress[];
  /** Steps reused from `resumedFrom`. */
  cacheHits: number;
}

export const studyProgressQuery = defineQuery<StudyProgress>('progress');

/** A child pipeline reports its step to the parent (a handful per child: history stays small). */
export const unitStepSignal = defineSignal<[UnitPipelineProgress]>('unitStep');

export interface StudyResult {
  runId: string;
  name: string;
  design: Study['design']['type'];
  status: 'completed';
  resumedFrom: string | null;
  metrics: MetricRow[];
  cacheHits: number;
}

/** Per-unit pipeline progress (foldPipeline / ancestryFit children). */
export interface UnitPipelineProgress {
  scope: string;
  step: string;
  done: number;
  steps: number;
}

export const unitProgressQuery = defineQuery<UnitPipelineProgress>('unitProgress');

/** The parsed study file (its schema lives in config/). */
export type { Study } from '../config/study.js';
