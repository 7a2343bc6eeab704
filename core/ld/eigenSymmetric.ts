// Symmetric eigen-decomposition with one API over two backends: LAPACK through the native
// addon when it loads, else the TypeScript Householder + QL solver. Both return eigenvalues
// descending and unit eigenvectors as columns (column-major), each oriented so that its
// largest component is positive: LAPACK and QL pick signs differently, and a fixed rule makes
// panels byte-identical across backends (up to rounding) and reruns.
import { type SymmetricEigen, symmetricEigen } from '../numeric/linalg/symmetricEigen.js';
import { loadNativeAddon, type NativeEigenMethod } from './nativeAddon.js';
import type { EigenBackend } from '../../contracts/ld.js';
import { EigenConvergenceError, NativeAddonMissingError } from '../errors.js';

export interface EigenOptions {
  /** 'auto' (default): native when the addon loads. 'native' fails without it. */
  backend?: 'auto' | EigenBackend;
  /** Native driver: 'd' dsyevd (default, numpy's choice), 'r' dsyevr (n² less workspace). */
  method?: NativeEigenMethod;
}

// dsyevd: the fastest here (bench/ldBench.ts); the panel builder trades it for dsyevr on its
// largest blocks to bound memory (eigenDriver.ts).
export const DEFAULT_NATIVE_METHOD: NativeEigenMethod = 'd';

export function resolveEigenBackend(choice: EigenOptions['backend'] = 'auto'): EigenBackend {
  if (choice === 'typescript') return 'typescript';
  const { addon, error } = loadNativeAddon();
  if (addon) return 'native';
  if (choice === 'native') throw new NativeAddonMissingError(`native LD eigen backend requested, but ${error}`);
  return 'typescript';
}

/** One line for logs and ld.json: which code ran, and why not the native one if not. */
export function describeEigenBackend(backend: EigenBackend, methods: readonly NativeEigenMethod[] = [DEFAULT_NATIVE_METHOD]): string {
  const { addon, error } = loadNativeAddon();
  if (backend === 'native' && addon) return `native: LAPACK ${[...new Set(methods)].map((m) => `dsyev${m}`).join(' + ')} (${addon.config().trim()})`;
  return `typescript: Householder + implicit QL${error ? ` (native addon unavailable: ${error})` : ''}`;
}

/** Flip each column so its first largest-magnitude component is positive. */
export function orientColumns(vectors: Float64Array, n: number, columns = n): void {
  for (let c = 0; c < columns; c++) {
    const off = c * n;
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(vectors[off + i]!));
    // Near-ties (e.g. (1, −1)/√2) resolve to the first index whatever the last-bit rounding.
    const bar = max * (1 - 1e-6);
    let i = 0;
    while (i < n - 1 && Math.abs(vectors[off + i]!) < bar) i++;
    if (vectors[off + i]! < 0) for (let r = 0; r < n; r++) vectors[off + r] = -vectors[off + r]!;
  }
}

function checkShape(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || a.length < n * n) throw new RangeError(`eigen: need an n × n matrix, got n = ${n} and ${a.length} values`);
}

/**
 * Decompose the symmetric n × n matrix `a` (both triangles set). `a` is overwritten: the
 * native backend returns the eigenvectors in it (no second n² buffer).
 */
export function eigenSymmetric(a: Float64Array, n: number, opts: EigenOptions = {}): SymmetricEigen {
  checkShape(a, n);
  const backend = resolveEigenBackend(opts.backend);
  const out = backend === 'native' ? nativeSync(a, n, opts.method ?? DEFAULT_NATIVE_METHOD) : symmetricEigen(a, n);
  orientColumns(out.vectors, n);
  return out;
}

/**
 * As eigenSymmetric, but the native work runs on the libuv thread pool so the event loop (and
 * with it activity heartbeats and the worker's other queue) keeps running. The TypeScript
 * backend still runs on the calling thread.
 */
export async function eigenSymmetricAsync(a: Float64Array, n: number, opts: EigenOptions = {}): Promise<SymmetricEigen> {
  checkShape(a, n);
  const backend = resolveEigenBackend(opts.backend);
  let out: SymmetricEigen;
  if (backend === 'native') {
    const values = new Float64Array(n);
    await nativeCall(() => loadNativeAddon().addon!.eigh(a, n, values, opts.method ?? DEFAULT_NATIVE_METHOD, true));
    out = { n, values, vectors: n * n === a.length ? a : a.subarray(0, n * n) };
  } else out = symmetricEigen(a, n);
  orientColumns(out.vectors, n);
  return out;
}

function nativeSync(a: Float64Array, n: number, method: NativeEigenMethod): SymmetricEigen {
  const values = new Float64Array(n);
  try {
    loadNativeAddon().addon!.eigh(a, n, values, method, false);
  } catch (e) {
    throw asConvergence(e);
  }
  return { n, values, vectors: n * n === a.length ? a : a.subarray(0, n * n) };
}

async function nativeCall(run: () => Promise<undefined>): Promise<void> {
  try {
    await run();
  } catch (e) {
    throw asConvergence(e);
  }
}

/** LAPACK's "did not converge" is the same condition the TypeScript solver reports. */
function asConvergence(e: unknown): unknown {
  return e instanceof Error && /did not converge/.test(e.message) ? new EigenConvergenceError(e.message) : e;
}
