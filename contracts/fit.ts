// SBayesRC/SBayesR fits across the Temporal line: the request (also `pgsflow fit`'s), the JSON
// summary a fit writes and returns, its heartbeat, and recording a fit in the store.
import type { ExchangedFile } from './artifactExchange.js';
export interface FitRequest {
  sumstats: string;
  ld: string;
  annot?: string;
  out: string;
  iterations?: number;
  burnIn?: number;
  cutoff?: number;
  /** Choose the cut-off by pseudo-validation over this grid (overrides `cutoff`). */
  tune?: readonly number[];
  seed?: number;
  checkpointEvery?: number;
  /** Threads sweeping blocks (default 1); results are identical for any value. */
  threads?: number;
  /** Independent chains on derived seeds, pooled, with R-hat/ESS diagnostics (default 1). */
  chains?: number;
  /** Stop (with the checkpoint written) after this many sweeps over all chains: tests of resume. */
  stopAfter?: number;
  /** Q in memory, streamed from PREFIX.q, or chosen by free memory (default 'auto'); numbers are identical. */
  ldMemory?: LdMemoryRequest;
  /**
   * Output prefix of the same fit in an earlier, interrupted run (`study resume`): a chain with
   * no checkpoint of its own continues from that run's checkpoint when it matches this fit's
   * inputs and settings (copied here first, so a further resume finds it here).
   */
  resumeFrom?: string;
  /**
   * Leave the finished chains' checkpoints in place (the study's fit activity: `recordFit`
   * removes them once the fit is recorded), so a run interrupted between the two can be resumed
   * without fitting again. Otherwise a finished fit removes its checkpoints.
   */
  keepFinalCheckpoint?: boolean;
}

/** A checkpoint now on disk (what an activity heartbeats so a new attempt can be traced to it). */
export interface CheckpointWritten {
  chain: number;
  sweep: number;
  path: string;
  sha256: string;
}

export interface FitSummaryJson {
  method: 'SBayesR' | 'SBayesRC';
  snps: number;
  blocks: number;
  iterations: number;
  burnIn: number;
  seed: number;
  cutoff: number;
  /** Pseudo-validation scores and the decision, when the cut-off was tuned. */
  tuning: TuneResult | null;
  draws: number;
  /** h² = σ²g/Var(y) per draw, bounded to [0, 1] (core/sbayesrc/variance.ts). */
  h2: { mean: number; sd: number };
  /** Smallest and largest kept h² draw (chain 0's trace, all chains' when pooled); absent in older summaries. */
  h2Range?: { min: number; max: number };
  nnz: { mean: number; sd: number };
  pi: number[];
  annotations: string[];
  /**
   * Per annotation column (intercept first): posterior mean per-SNP heritability enrichment —
   * binary: mean β² of annotated SNPs / mean β² of all; continuous: 1 + change per SD of the annotation.
   */
  enrichment: number[];
  /** Per annotation column: P(δ = k), k = 0..4, of a SNP with the intercept and that annotation only (continuous: +1 SD). */
  jointProbabilities: number[][];
  componentCount: number[];
  componentVarianceShare: number[];
  sigma2e: number[];
  /** α[level][annotation], posterior mean. */
  alpha: number[][];
  removedSnps: string[];
  /** Across-chain R-hat / ESS (null for one chain). */
  convergence: ChainDiagnostics | null;
  /** Sweeps (over all chains) already done when this run started from a checkpoint. */
  resumedFromSweep: number | null;
  seconds: number;
  sweepsPerSecond: number;
  /**
   * Problems with the fit's data the numbers cannot show, e.g. a GWAS N below the eigen-pairs kept
   * (core/sbayesrc/dataSize.ts); empty or absent (older summaries) when there are none.
   */
  warnings?: string[];
  /** The sweep kernel the chain ran on: 'native' (native/sbayes.c) or 'wasm' (the fallback). */
  sweepKernel?: 'native' | 'wasm';
  /** Where the blocks' Q lived: in memory ('resident') or read per sweep from PREFIX.q ('stream'); 4·Σ m_b k_b bytes. */
  /** How Q was held; `availableBytes` is the memory `auto` judged by (free, capped by a cgroup limit). */
  ldMemory?: { requested: 'auto' | 'resident' | 'stream'; mode: 'resident' | 'stream'; qBytes: number; availableBytes?: number };
}

export interface TuneResult extends CutoffChoice {
  scores: CutoffScore[];
}

export interface ChainDiagnostics {
  chains: number;
  rhat: { h2: number; nnz: number; sigma2e: number };
  ess: { h2: number; nnz: number; sigma2e: number };
  warning: string | null;
}

export interface FitHeartbeat {
  chain: number;
  sweep: number;
  iterations: number;
  h2: number;
  nnz: number;
  checkpoint: CheckpointWritten | null;
  /**
   * S3 mode: each chain's newest checkpoint as uploaded to the artifact store (the store host's
   * path), so the next attempt, on whatever host, fetches it and resumes there.
   */
  exchanged?: ExchangedFile[];
}

export interface RecordFitRequest {
  runId: string;
  /** fold-3, EUR, … (as in `steps.scope`). */
  scope: string;
  /** The fit's output prefix (PREFIX.txt, PREFIX.json). */
  prefix: string;
}

export interface RecordFitSummary {
  runId: string;
  scope: string;
  method: string;
  h2: number;
  effects: number;
}

/** `auto`: resident when all Q takes below half the free memory (capped by a cgroup limit), else stream. */
export type LdMemoryRequest = 'auto' | 'resident' | 'stream';

export const LD_MEMORY_REQUESTS: readonly LdMemoryRequest[] = ['auto', 'resident', 'stream'];

export interface CutoffScore {
  cutoff: number;
  r: number;
}

export interface CutoffChoice {
  cutoff: number;
  /** 'baseline', 'better', 'fallback: …' or 'extend' (the caller should score lower cut-offs and ask again). */
  decision: 'baseline' | 'better' | 'fallback' | 'extend';
  reason: string;
}
