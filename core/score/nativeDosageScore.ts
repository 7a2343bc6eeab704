// The optional N-API dosage scoring kernel (native/dosageScore.c, built by scripts/buildNative.ts):
// DosageScoreAccumulator's per-row loop in C over several threads (split by samples). Its sums are
// bit for bit those of the TypeScript loop (same operations per sample, in the same order, no
// fused multiply-add), so scores never depend on whether it was built or how many threads ran it.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeDosageScoreKernel {
  addRows(
    dosage: Uint16Array,
    nSamples: number,
    rowAt: Int32Array,
    named: Uint8Array,
    w: Float64Array,
    mu: Float64Array,
    missingTerm: Float64Array,
    nScores: number,
    sampleScore: Int32Array,
    acc: Float64Array,
    observed: Int32Array,
    namedDosage: Float64Array,
    threads: number,
  ): undefined;
}

const ADDON_FILE = fileURLToPath(new URL('../../native/build/dosageScore.node', import.meta.url));

let loaded: { addon: NativeDosageScoreKernel | null; error: string | null } | undefined;

function load(): { addon: NativeDosageScoreKernel | null; error: string | null } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_FILE)) loaded = { addon: null, error: `${ADDON_FILE} not built (npm run build:native)` };
  else {
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_FILE) as NativeDosageScoreKernel, error: null };
    } catch (e) {
      loaded = { addon: null, error: `${ADDON_FILE} did not load: ${(e as Error).message}` };
    }
  }
  return loaded;
}

let preference: 'auto' | 'typescript' = process.env.PGSFLOW_SCORE_KERNEL === 'typescript' ? 'typescript' : 'auto';

/** Tests: force the TypeScript loop ('typescript') or take native when built ('auto'). */
export function setDosageScoreKernelPreference(p: 'auto' | 'typescript'): void {
  preference = p;
}

/** The kernel a new accumulator uses: native when built and loadable, unless TypeScript is forced. */
export function chooseDosageScoreKernel(): NativeDosageScoreKernel | null {
  return preference === 'auto' ? load().addon : null;
}

/** Threads for dosage scoring: the machine's, unless PGSFLOW_SCORE_THREADS says otherwise. */
export function dosageScoreThreads(): number {
  const env = Number(process.env.PGSFLOW_SCORE_THREADS);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}
