// The optional N-API sweep kernel (native/sbayes.c, built by scripts/buildNative.ts): one call
// sweeps a whole LD block (dot products, mixture draws, residual updates, the block's PRNG
// stream) in C compiled for this CPU. Loaded lazily, once per thread. When it is missing the
// sampler uses the WebAssembly/JavaScript path instead; the two agree in distribution but not
// in the last bits (summation order, FMA, libm against V8's exp/log), so a chain — and its
// checkpoint/resume — is bit-identical only under the same kernel. The chain's kernel is chosen
// once on the main thread and handed to every worker, so thread counts never change numbers.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeSweepKernel {
  /** One Gibbs pass over a block; returns Σβ² of its SNPs. See native/sbayes.c. */
  sweep(
    q: Float32Array,
    k: number,
    m: number,
    first: number,
    rOffset: number,
    residual: Float64Array,
    beta: Float64Array,
    delta: Uint8Array,
    removed: Uint8Array,
    logPi: Float64Array,
    piStride: number,
    l: Float64Array,
    half: Float64Array,
    c: number,
    rng: Uint32Array,
    rngOffset: number,
    counts: Float64Array,
  ): number;
  /** log π and π of SNPs first..first+m−1 from α (probit.ts snpLogPi), and a_jᵀα_c into eta (4 per SNP; empty: skipped). */
  logPi(a: Float32Array, nA: number, alpha: Float64Array, first: number, m: number, logPi: Float64Array, pi: Float64Array, eta: Float64Array): undefined;
  /** Level 0's XᵀX over the block's kept SNPs, upper triangle, at out[outOffset…] (nA²). */
  gram(a: Float32Array, nA: number, first: number, m: number, removed: Uint8Array, out: Float64Array, outOffset: number): undefined;
  /**
   * The probit liabilities of one block's SNPs (its stream, a_jᵀα_c from logPi's eta) and their
   * statistics per level at out[outOffset…] (levels ≥ 1: upper triangle of XᵀX; level 0: none).
   */
  liabilities(
    a: Float32Array,
    nA: number,
    eta: Float64Array,
    first: number,
    m: number,
    delta: Uint8Array,
    removed: Uint8Array,
    rng: Uint32Array,
    rngOffset: number,
    out: Float64Array,
    outOffset: number,
  ): undefined;
  config(): string;
  /** Σ x: a streaming read at memory-bus speed (the scale bench's bandwidth probe). */
  streamSum(x: Float32Array): number;
}

/** 'native': the C kernel; 'wasm': WebAssembly SIMD (JavaScript loops where SIMD is missing). */
export type SweepKernelKind = 'native' | 'wasm';

export const SBAYES_ADDON_FILE = fileURLToPath(new URL('../../native/build/sbayes.node', import.meta.url));

let loaded: { addon: NativeSweepKernel | null; error: string | null } | undefined;

export function loadSweepKernel(): { addon: NativeSweepKernel | null; error: string | null } {
  if (loaded) return loaded;
  if (!existsSync(SBAYES_ADDON_FILE)) loaded = { addon: null, error: `${SBAYES_ADDON_FILE} not built (npx tsx scripts/buildNative.ts)` };
  else {
    try {
      loaded = { addon: createRequire(import.meta.url)(SBAYES_ADDON_FILE) as NativeSweepKernel, error: null };
    } catch (e) {
      loaded = { addon: null, error: `${SBAYES_ADDON_FILE} did not load: ${(e as Error).message}` };
    }
  }
  return loaded;
}

/** The kernel the chain would use in a worker that was told `kind`; throws if native is not loadable there. */
export function nativeSweepKernel(): NativeSweepKernel {
  const l = loadSweepKernel();
  if (!l.addon) throw new Error(`native sweep kernel requested but unavailable: ${l.error}`);
  return l.addon;
}

let preference: 'auto' | 'wasm' = process.env.PGSFLOW_SBAYES_KERNEL === 'wasm' ? 'wasm' : 'auto';

/** Benchmarks and tests: force the WebAssembly path ('wasm') or take native when built ('auto'). */
export function setSweepKernelPreference(p: 'auto' | 'wasm'): void {
  preference = p;
}

/** One line for logs: the kernel a new chain would use here and, when not the native one, why. */
export function describeSweepKernel(): string {
  const l = loadSweepKernel();
  if (chooseSweepKernel() === 'native' && l.addon) return `native C (${l.addon.config()})`;
  if (l.addon) return 'WebAssembly (PGSFLOW_SBAYES_KERNEL=wasm)';
  return `WebAssembly, 2-3× slower (native kernel unavailable: ${l.error})`;
}

/** The kernel a new chain uses: native when built and loadable, unless the WebAssembly path is forced. */
export function chooseSweepKernel(): SweepKernelKind {
  return preference === 'auto' && loadSweepKernel().addon ? 'native' : 'wasm';
}
