// Building an SBayesRC LD eigen panel from reference genotypes: request, progress, summary.
import type { DosageGenotypes } from './ingest.js';

/**
 * Reference genotypes as dosages: PLINK 2 prefixes, VCF/BCF or BGEN files (one, or one per
 * chromosome with the same samples). PLINK 1 filesets go in `bfiles` instead.
 */
export type LdDosageReference = DosageGenotypes;

/** Exactly one of `bfiles` and `genotypes`. */
export interface LdPanelRequest {
  /** PLINK 1 prefixes (one, or one per chromosome with the same .fam). */
  bfiles?: string[];
  genotypes?: LdDosageReference;
  /** PLINK keep list (FID IID, or IID alone). */
  keep?: string;
  /** LD blocks: SBayesRC .pos or BED. */
  blocks: string;
  /** The LD folder to create (replaced if it is already a panel). */
  outDir: string;
  cutoff?: number;
  maxBlockSnps?: number;
  /** Eigen backend; 'auto' (default) uses the native addon when it loads. */
  backend?: 'auto' | EigenBackend;
}

export interface LdPanelProgress {
  /** 1-based panel block just written, of `of`. */
  block: number;
  of: number;
  snps: number;
  k: number;
}

export interface LdBlockSummary {
  block: number;
  /** Name in the blocks file; part p of parts when it was split. */
  source: string;
  part: number;
  parts: number;
  chrom: string;
  firstBp: number;
  lastBp: number;
  snps: number;
  k: number;
  sumLambda: number;
  /** dsyevd / dsyevr (native) or ql (TypeScript). */
  eigen: string;
}

export interface LdPanelSummary {
  outDir: string;
  /** `bfiles` is empty for a dosage reference, which `genotypes` then describes. */
  inputs: { bfiles: string[]; keep: string | null; blocks: string; genotypes?: LdDosageReference };
  samples: { inFam: number; kept: number; keepNotFound: number };
  /** Dosage references: variants read as dosages, those of them all hard calls, records the reader set aside. */
  dosages?: { variants: number; hardCallVariants: number; skipped: { reason: string; count: number; examples: string[] }[] };
  cutoff: number;
  maxBlockSnps: number | null;
  backend: string;
  blocks: number;
  snps: number;
  /** Blocks of the blocks file with no SNP in the panel. */
  emptyBlocks: number;
  largestBlock: number;
  /** 8 · m² bytes of the largest block's dense correlation matrix. */
  largestDenseBytes: number;
  splits: BlockSplit[];
  dropped: Record<DropReason, number>;
  droppedExamples: Record<DropReason, string[]>;
  perBlock: LdBlockSummary[];
  seconds: { stats: number; read: number; correlation: number; eigen: number; write: number; total: number };
}

export type EigenBackend = 'native' | 'typescript';

export const DROP_REASONS = ['outsideBlocks', 'noCalls', 'monomorphic', 'duplicateId'] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export interface SplitCut {
  /** Position of the last SNP before the cut and of the first after it. */
  leftBp: number;
  rightBp: number;
}

export interface BlockSplit {
  block: string;
  chrom: string;
  snps: number;
  /** SNPs per part, in position order. */
  parts: number[];
  cuts: SplitCut[];
}
