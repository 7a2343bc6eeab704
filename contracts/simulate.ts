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
  files: string[];
  seconds: number;
}

export interface SimulateResult {
  summary: SimulationSummary;
  /** The study.json written, verbatim (small), for provenance. */
  studyJson: string;
}

export type { SimulateOptionsInput } from '../config/simulate.js';
