// Which numeric kernels this process runs, printed once by every command that samples,
// decomposes or runs GWAS (fit, ld, gwas, and any command hosting a worker): `sampler: native C
// (…)`, `eigen: LAPACK …`, `gwas: native C, N threads`; when a native addon is missing, the
// fallback, why, and the one command that fixes it.
import { describeEigenBackend, resolveEigenBackend } from '../core/ld/eigenSymmetric.js';
import { describeSweepKernel, loadSweepKernel } from '../core/sbayesrc/nativeKernel.js';
import { loadNativeAddon } from '../core/ld/nativeAddon.js';
import { describeGwasKernel, loadGwasKernel } from '../core/gwas/nativeGwas.js';

/** Builds (or rebuilds) both addons and fails loudly when it cannot (package.json build:native). */
export const NATIVE_FIX = 'npm run build:native';

export function kernelNoticeLines(): string[] {
  const sampler = `sampler: ${describeSweepKernel()}`;
  const eigenBackend = resolveEigenBackend('auto');
  const eigen = `eigen: ${eigenBackend === 'native' ? describeEigenBackend('native').replace(/^native: /, '') : describeEigenBackend('typescript').replace(/^typescript: /, 'TypeScript, ')}`;
  const lines = [sampler, eigen, `gwas: ${describeGwasKernel()}`];
  if (!loadSweepKernel().addon || !loadNativeAddon().addon || !loadGwasKernel().addon) lines.push(`fix: ${NATIVE_FIX} (needs gcc, liblapacke-dev, libopenblas-dev)`);
  return lines;
}

let announced = false;

/** Writes the kernel lines once per process. */
export function announceKernels(write: (line: string) => void): void {
  if (announced) return;
  announced = true;
  for (const line of kernelNoticeLines()) write(line);
}
