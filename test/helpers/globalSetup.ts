// Integration tests need the real `temporal` CLI: find it or build it (never skip).
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../client/temporalCli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCli: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('temporalCli', ensureTemporalCli());
}
