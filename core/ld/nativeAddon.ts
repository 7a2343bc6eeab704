// The optional N-API addon (native/ldeigen.c, built by scripts/buildNative.ts) that runs the
// eigen-decomposition and the correlation product in LAPACK/BLAS. Loaded once, lazily; when it
// is absent or does not load, callers fall back to TypeScript and say so.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** LAPACK driver: dsyevd (divide and conquer) or dsyevr (relatively robust representations). */
export type NativeEigenMethod = 'd' | 'r';

export interface NativeLdEigen {
  /** In place: `a` becomes the eigenvectors (columns), `values` the eigenvalues, descending. */
  eigh(a: Float64Array, n: number, values: Float64Array, method: NativeEigenMethod, async: false): undefined;
  eigh(a: Float64Array, n: number, values: Float64Array, method: NativeEigenMethod, async: true): Promise<undefined>;
  /** out (m × m) = Z Zᵀ (+ out when accumulating) for row-major m × n `z`. */
  gram(z: Float64Array, m: number, n: number, out: Float64Array, accumulate: boolean, async: false): undefined;
  gram(z: Float64Array, m: number, n: number, out: Float64Array, accumulate: boolean, async: true): Promise<undefined>;
  config(): string;
}

export const ADDON_FILE = fileURLToPath(new URL('../../native/build/ldeigen.node', import.meta.url));

type Loaded = { addon: NativeLdEigen; error: null } | { addon: null; error: string };
let loaded: Loaded | undefined;

export function loadNativeAddon(): Loaded {
  if (loaded) return loaded;
  if (!existsSync(ADDON_FILE)) {
    loaded = { addon: null, error: `${ADDON_FILE} not built (npx tsx scripts/buildNative.ts)` };
  } else {
    const restore = chooseOpenBlasKernels();
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_FILE) as NativeLdEigen, error: null };
    } catch (e) {
      loaded = { addon: null, error: `${ADDON_FILE} did not load: ${(e as Error).message}` };
    } finally {
      restore();
    }
  }
  return loaded;
}

/**
 * Debian bookworm's OpenBLAS (0.3.21) does not recognise recent CPUs (Sapphire Rapids among
 * them) and falls back to its Prescott (SSE3) kernels, several times slower. OpenBLAS reads
 * OPENBLAS_CORETYPE once, when the library loads, so name the kernels the CPU can run for that
 * moment only (child processes, e.g. a numpy peer, do their own detection). A user's own
 * OPENBLAS_CORETYPE wins.
 */
function chooseOpenBlasKernels(): () => void {
  if (process.env.OPENBLAS_CORETYPE !== undefined) return () => undefined;
  let flags: Set<string>;
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    flags = new Set((line?.[1] ?? '').trim().split(/\s+/));
  } catch {
    return () => undefined; // not Linux: OpenBLAS's own detection
  }
  const has = (...f: string[]): boolean => f.every((x) => flags.has(x));
  const core = has('avx512f', 'avx512bw', 'avx512dq', 'avx512vl') ? 'SkylakeX' : has('avx2', 'fma') ? 'Haswell' : null;
  if (!core) return () => undefined;
  process.env.OPENBLAS_CORETYPE = core;
  return () => {
    delete process.env.OPENBLAS_CORETYPE;
  };
}
