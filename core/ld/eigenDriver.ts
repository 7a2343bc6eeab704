// Which LAPACK driver decomposes a panel block. dsyevd (numpy's) is the faster one here, most
// at ~1,000 SNPs with threads (bench: 0.11 s vs 0.20 s), but it needs 2m² doubles of workspace
// beyond R where dsyevr needs m². A panel's peak memory is set by its largest block L, so that
// block, and any whose dsyevd footprint (3m²) would pass dsyevr's on L (2L²), uses dsyevr: the
// build then peaks near 2 × the largest dense matrix, and the other blocks keep dsyevd's speed.
import type { NativeEigenMethod } from './nativeAddon.js';

export function driverFor(m: number, largest: number): NativeEigenMethod {
  return 3 * m * m <= 2 * largest * largest ? 'd' : 'r';
}

export const driverName = (method: NativeEigenMethod): string => `dsyev${method}`;
