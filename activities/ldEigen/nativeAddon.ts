// The optional N-API addon (native/ldeigen.c, built by scripts/buildNative.ts) that runs the
// eigen-decomposition and the correlation product in LAPACK/BLAS. Loaded once, lazily; when it
// is absent or does not load, callers fall back to TypeScript and say so.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** LAPACK driver: dsyevd (divide and conquer) or dsyevr (relatively robust representations). */
export type NativeEigenMethod = 'd' | 'r';

export interface NativeLdEigen {
  /** In place: `a` becomes the eigenvectors (columns), `values` the eigenvalues, descending. */
  eigh(a: Float64Array, n: number, values: Float64Array, method: NativeEigenMethod, async: false): undefined;
  eigh(a: Float64Array, n: number, values: Float64Array, method: NativeEigenMethod, async: true): Promise<undefined>;
  /** out (m × m) = Z Zᵀ for row-major m × n `z`. */
  gram(z: Float64Array, m: number, n: number, out: Float64Array, async: false): undefined;
  gram(z: Float64Array, m: number, n: number, out: Float64Array, async: true): Promise<undefined>;
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
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_FILE) as NativeLdEigen, error: null };
    } catch (e) {
      loaded = { addon: null, error: `${ADDON_FILE} did not load: ${(e as Error).message}` };
    }
  }
  return loaded;
}
