// Integration tests need the real `temporal` CLI and the ML worker's Python environment: find
// them or build them (never skip).
import type { TestProject } from 'vitest/node';
import { ensureMlEnv } from '../../client/mlEnv.js';
import { ensureTemporalCli } from '../../client/temporalCli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCli: string;
    mlPython: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('temporalCli', ensureTemporalCli());
  project.provide('mlPython', await ensureMlEnv());
}
