// LD correlation of a block from its standardised dosage rows (packed hard calls or 1/16384
// dosages): with every row centred and of unit norm, R = Z Zᵀ, accumulated over chunks of
// samples so only R and one m × chunk slice are ever held. BLAS dsyrk through the native addon
// when the eigen backend is native, else dot products in TypeScript.
import { loadNativeAddon } from './nativeAddon.js';
import type { BlockGenotypes } from './ldGenotypes.js';
import { rowScaling, standardizeInto } from './standardize.js';
import { dosageRowScaling, standardizeDosagesInto } from './standardizeDosages.js';
import type { EigenBackend } from '../../contracts/ld.js';

/** Samples per slice: big enough for dsyrk to run at full speed, small next to R. */
export const SAMPLE_CHUNK = 512;

/** out (+)= Z Zᵀ (both triangles) for row-major m × n `z`, in TypeScript. */
export function gramTs(z: Float64Array, m: number, n: number, out: Float64Array, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    const zi = i * n;
    for (let j = 0; j <= i; j++) {
      const zj = j * n;
      let s0 = 0;
      let s1 = 0;
      let t = 0;
      // Two accumulators: independent chains let the CPU overlap the multiply-adds.
      for (; t + 1 < n; t += 2) {
        s0 += z[zi + t]! * z[zj + t]!;
        s1 += z[zi + t + 1]! * z[zj + t + 1]!;
      }
      if (t < n) s0 += z[zi + t]! * z[zj + t]!;
      const s = s0 + s1 + (accumulate ? out[i * m + j]! : 0);
      out[i * m + j] = out[j * m + i] = s;
    }
  }
}

async function gram(z: Float64Array, m: number, n: number, out: Float64Array, accumulate: boolean, backend: EigenBackend): Promise<void> {
  const addon = backend === 'native' ? loadNativeAddon().addon : null;
  if (addon) await addon.gram(z, m, n, out, accumulate, true);
  else gramTs(z, m, n, out, accumulate);
}

/** The diagonal is 1 by construction; rounding would leave it a few ulps off. */
function unitDiagonal(r: Float64Array, m: number): Float64Array {
  for (let i = 0; i < m; i++) r[i * m + i] = 1;
  return r;
}

/** Writes the standardised rows of samples [from, to) into `out` (m × (to − from)). */
type FillSlice = (from: number, to: number, out: Float64Array) => void;

/** R accumulated over slices of the n samples: only R and one slice are held. */
async function correlate(m: number, n: number, fill: FillSlice, backend: EigenBackend): Promise<Float64Array> {
  const r = new Float64Array(m * m);
  const slice = new Float64Array(m * Math.min(SAMPLE_CHUNK, n));
  for (let from = 0; from < n; from += SAMPLE_CHUNK) {
    const to = Math.min(from + SAMPLE_CHUNK, n);
    const z = slice.subarray(0, m * (to - from));
    fill(from, to, z);
    await gram(z, m, to - from, r, from > 0, backend);
  }
  return unitDiagonal(r, m);
}

/**
 * The m × m correlation matrix (row-major = column-major: it is symmetric) of the m packed
 * variants over the kept samples. Rows without variation must have been dropped beforehand.
 */
export async function blockCorrelation(packed: Uint8Array, m: number, bytesPerVariant: number, kept: Int32Array, backend: EigenBackend): Promise<Float64Array> {
  const scaling = rowScaling(packed, m, bytesPerVariant, kept);
  return correlate(m, kept.length, (from, to, z) => standardizeInto(packed, m, bytesPerVariant, kept, scaling, from, to, z), backend);
}

/** The same from m rows of n dosages (1/16384 units, kept samples only). */
export async function dosageBlockCorrelation(units: Uint16Array, m: number, n: number, backend: EigenBackend): Promise<Float64Array> {
  const scaling = dosageRowScaling(units, m, n);
  return correlate(m, n, (from, to, z) => standardizeDosagesInto(units, m, n, scaling, from, to, z), backend);
}

/** The correlation matrix of a block as read, whichever form its genotypes came in. */
export function genotypeCorrelation(g: BlockGenotypes, m: number, backend: EigenBackend): Promise<Float64Array> {
  return g.kind === 'packed' ? blockCorrelation(g.packed, m, g.bytesPerVariant, g.kept, backend) : dosageBlockCorrelation(g.units, m, g.nSamples, backend);
}

/** The correlation matrix of already standardised rows `z` (m × n). */
export async function correlationMatrix(z: Float64Array, m: number, n: number, backend: EigenBackend): Promise<Float64Array> {
  const r = new Float64Array(m * m);
  await gram(z, m, n, r, false, backend);
  return unitDiagonal(r, m);
}
