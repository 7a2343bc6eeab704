// The optional N-API fold-GWAS kernel (native/gwas.c, built by scripts/buildNative.ts): the
// per-variant, per-group sums of the linear fold GWAS over the packed genotypes, in C on
// several threads. Its sums are bit for bit those of the TypeScript loop it replaces (the
// dosages 1 and 2 make every product exact and the order of additions is the same), so the
// results never depend on whether it was built or how many threads ran it.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeGwasKernel {
  accumulate(
    packed: Uint8Array,
    bytesPerVariant: number,
    nVariants: number,
    analysisIndex: Int32Array,
    group: Int32Array,
    rows: Float64Array,
    q: number,
    groups: number,
    sums: Float64Array,
    missingCount: Int32Array,
    missing: Int32Array,
    threads: number,
  ): undefined;
  /** The same sums over uint16 ALT dosages (1/16384 units, 0xFFFF missing), nVariants × nSamples. */
  accumulateDosage(
    dosage: Uint16Array,
    nVariants: number,
    analysisIndex: Int32Array,
    group: Int32Array,
    rows: Float64Array,
    q: number,
    groups: number,
    sums: Float64Array,
    missingCount: Int32Array,
    missing: Int32Array,
    threads: number,
  ): undefined;
}

export const GWAS_ADDON_FILE = fileURLToPath(new URL('../../native/build/gwas.node', import.meta.url));

let loaded: { addon: NativeGwasKernel | null; error: string | null } | undefined;

export function loadGwasKernel(): { addon: NativeGwasKernel | null; error: string | null } {
  if (loaded) return loaded;
  if (!existsSync(GWAS_ADDON_FILE)) loaded = { addon: null, error: `${GWAS_ADDON_FILE} not built (npm run build:native)` };
  else {
    try {
      loaded = { addon: createRequire(import.meta.url)(GWAS_ADDON_FILE) as NativeGwasKernel, error: null };
    } catch (e) {
      loaded = { addon: null, error: `${GWAS_ADDON_FILE} did not load: ${(e as Error).message}` };
    }
  }
  return loaded;
}

let preference: 'auto' | 'typescript' = process.env.PGSFLOW_GWAS_KERNEL === 'typescript' ? 'typescript' : 'auto';

/** Tests and benchmarks: force the TypeScript loop ('typescript') or take native when built ('auto'). */
export function setGwasKernelPreference(p: 'auto' | 'typescript'): void {
  preference = p;
}

/** The kernel a new GWAS uses: native when built and loadable, unless the TypeScript loop is forced. */
export function chooseGwasKernel(): NativeGwasKernel | null {
  return preference === 'auto' ? loadGwasKernel().addon : null;
}

/** Threads for the accumulation: the machine's, unless PGSFLOW_GWAS_THREADS says otherwise. */
export function gwasThreads(): number {
  const env = Number(process.env.PGSFLOW_GWAS_THREADS);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

/** One line for logs: which accumulation code runs. */
export function describeGwasKernel(): string {
  if (chooseGwasKernel()) return `native C, ${gwasThreads()} threads`;
  const l = loadGwasKernel();
  return `TypeScript, one thread (${l.addon ? 'PGSFLOW_GWAS_KERNEL=typescript' : l.error})`;
}
