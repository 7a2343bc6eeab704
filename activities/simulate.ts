// Activity adapter: `pgsflow simulate` as a compute-queue activity. Output files are a pure
// function of the options, so a retried attempt rewrites identical bytes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSimulateOptions, type SimulateOptionsInput } from '../config/simulate.js';
import { withFailureMapping } from './failures.js';
import { simulateStudy } from '../core/simulate/simulateStudy.js';
import type { SimulationSummary, SimulateResult } from '../contracts/simulate.js';
import type { SimulateActivities } from '../contracts/activities.js';

export function makeSimulateActivities(): SimulateActivities {
  return withFailureMapping({
    async simulate(options: SimulateOptionsInput, outDir: string): Promise<SimulateResult> {
      const summary = await simulateStudy(parseSimulateOptions(options), outDir);
      return { summary, studyJson: await readFile(join(outDir, 'study.json'), 'utf8') };
    },
  });
}
