// Simulating a study folder with known truth (the demo's first step).
export interface SimulationSummary {
  outDir: string;
  nSnps: number;
  nBlocks: number;
  cohorts: { ancestry: string; samples: number; referenceSamples: number; realisedH2: number; prevalence: number | null }[];
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
