// The activities each task queue serves, as the workflows call them. The adapters in
// `activities/` implement these interfaces (checked by their return types), so a change of
// signature on either side fails type-checking rather than a running workflow.
import type { ArtifactExchangeActivities } from './artifactExchange.js';
import type { ArchiveHistoriesInput, ArchiveHistoriesResult, AuditRequest, AuditResponse } from './audit.js';
import type { CombineAncestriesRequest, CombineAncestriesSummary, EvaluateFoldsRequest, MetricRow } from './evaluation.js';
import type { FitRequest, FitSummaryJson, RecordFitRequest, RecordFitSummary } from './fit.js';
import type { ExportGwasRequest, ExportGwasSummary, FoldGwasRequest, FoldGwasSummary } from './gwas.js';
import type { ImputeRequest, ImputeSummary } from './impute.js';
import type { SummaryMixingRequest, SummaryMixingResult, SummarySplitRequest, SummarySplitSummary } from './summaryWeighting.js';
import type { IngestInput, IngestReport } from './ingest.js';
import type { LdPanelRequest, LdPanelSummary } from './ld.js';
import type { InputFingerprint, InputGroup } from './provenance.js';
import type { QcRequest, QcSummary } from './qc.js';
import type { BeginRunInput, CachedStep, FinishRunInput, LookupStepInput, RecordStepInput, RunRecord, StartStepInput } from './runs.js';
import type { CohortScoreRequest, CohortScoreSummary, HeldOutScoreRequest, HeldOutScoreSummary } from './score.js';
import type { SimulateOptionsInput, SimulateResult } from './simulate.js';
import type { EvaluateNonlinearRequest, FitNonlinearRequest, FitNonlinearResult, NonlinearFeaturesRequest, NonlinearFeaturesSummary } from './nonlinear.js';

// ── store queue: the process that owns the DuckDB store ──

export interface RunActivities {
  beginRun(input: BeginRunInput): Promise<{ created: boolean }>;
  recordStep(input: RecordStepInput): Promise<void>;
  lookupStep(input: LookupStepInput): Promise<CachedStep | null>;
  finishRun(input: FinishRunInput): Promise<void>;
  readRun(runId: string): Promise<RunRecord | null>;
}

export interface StepStartActivities {
  startStep(input: StartStepInput): Promise<void>;
}

export interface AuditActivities {
  readAudit(req: AuditRequest): Promise<AuditResponse>;
  archiveHistories(input: ArchiveHistoriesInput): Promise<ArchiveHistoriesResult>;
}

export interface IngestActivities {
  ingest(inputs: IngestInput[]): Promise<IngestReport[]>;
}

export interface FoldGwasActivities {
  foldGwas(req: FoldGwasRequest): Promise<FoldGwasSummary>;
}

export interface QcActivities {
  qc(req: QcRequest): Promise<QcSummary>;
}

export interface ScoreActivities {
  scoreHeldOut(req: HeldOutScoreRequest): Promise<HeldOutScoreSummary>;
}

export interface RecordFitActivities {
  recordFit(req: RecordFitRequest): Promise<RecordFitSummary>;
}

export interface StudyStoreActivities {
  exportGwasSet(req: ExportGwasRequest): Promise<ExportGwasSummary>;
  scoreCohort(req: CohortScoreRequest): Promise<CohortScoreSummary>;
  evaluateFolds(req: EvaluateFoldsRequest): Promise<{ rows: MetricRow[] }>;
  combineAncestries(req: CombineAncestriesRequest): Promise<CombineAncestriesSummary>;
}

export interface NonlinearStoreActivities {
  nonlinearFeatures(req: NonlinearFeaturesRequest): Promise<NonlinearFeaturesSummary>;
  evaluateNonlinear(req: EvaluateNonlinearRequest): Promise<{ rows: MetricRow[] }>;
}

export type StoreActivities = RunActivities &
  StepStartActivities &
  AuditActivities &
  IngestActivities &
  FoldGwasActivities &
  QcActivities &
  ScoreActivities &
  RecordFitActivities &
  StudyStoreActivities &
  NonlinearStoreActivities &
  ArtifactExchangeActivities &
  /** Also served here: in S3 mode the input files are hashed on the store worker's host. */
  FingerprintActivities;

// ── compute queue: numerics on artifact files, no store ──

export interface FingerprintActivities {
  fingerprintText(text: string): Promise<string>;
  /** Hashes of a study's input files, grouped (a cohort's .bed/.bim/.fam, an LD folder, …). */
  fingerprintInputs(groups: InputGroup[]): Promise<InputFingerprint[]>;
}

export interface SimulateActivities {
  simulate(options: SimulateOptionsInput, outDir: string): Promise<SimulateResult>;
}

export interface LdEigenActivities {
  buildLdPanel(req: LdPanelRequest): Promise<LdPanelSummary>;
}

export interface ImputeActivities {
  impute(req: ImputeRequest): Promise<ImputeSummary>;
}

export interface FitActivities {
  /** Heartbeats `FitHeartbeat`; `stopAfter` is for the offline command's resume tests only. */
  fitSbayesrc(req: Omit<FitRequest, 'stopAfter'>): Promise<FitSummaryJson>;
}

/** SBayesRC-multi weights without a target tuning sample (contracts/summaryWeighting.ts). */
export interface SummaryWeightingActivities {
  splitSumstats(req: SummarySplitRequest): Promise<SummarySplitSummary>;
  summaryMixingWeights(req: SummaryMixingRequest): Promise<SummaryMixingResult>;
}

export type ComputeActivities = FingerprintActivities & SimulateActivities & LdEigenActivities & ImputeActivities & FitActivities & SummaryWeightingActivities;

// ── ML queue (`pgsflow-ml`): the Python worker (ml/pgsflow_ml), models on artifact files ──

export interface MlActivities {
  /** Heartbeats between models; non-retryable `BadInputError` for malformed feature files. */
  fitNonlinear(req: FitNonlinearRequest): Promise<FitNonlinearResult>;
}
