// Simulating a study folder with known truth (the demo's first step).
export interface SimulationSummary {
  outDir: string;
  nSnps: number;
  nBlocks: number;
  cohorts: {
    ancestry: string;
    samples: number;
    referenceSamples: number;
    realisedH2: number;
    prevalence: number | null;
    /** With --gxe/--epistasis only: realised variance of each genetic part / var(g + e). */
    share?: { additive: number; epistatic: number; gxe: number; genetic: number };
  }[];
  pi: number[];
  /** With --rg/--private-causal only: causal counts per ancestry and the realised effect correlations. */
  crossAncestry?: {
    causalPerAncestry: number;
    privateCausalPerAncestry: number;
    realisedRg: { ancestries: [string, string]; sharedCausal: number; standardised: number | null; perAllele: number | null; causalUnion: number | null }[];
  };
  files: string[];
  seconds: number;
}

export interface SimulateResult {
  summary: SimulationSummary;
  /** The study.json written, verbatim (small), for provenance. */
  studyJson: string;
}

export type { SimulateOptionsInput } from '../config/simulate.js';
