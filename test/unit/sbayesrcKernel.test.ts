import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { WasmKernel, jsAxpy, jsDot } from '../../core/sbayesrc/wasmKernel.js';

describe('sweep kernel', () => {
  it('WebAssembly SIMD is available here and matches the JavaScript loops bit for bit', () => {
    const kern = WasmKernel.create();
    expect(kern).not.toBeNull();
    if (!kern) return;
    const rng = Rng.stream(1);
    for (const k of [0, 1, 2, 3, 7, 480, 481]) {
      const q = Float32Array.from({ length: k }, () => rng.normal());
      const r = Float64Array.from({ length: k }, () => rng.normal());
      const qAt = kern.alloc(4 * k);
      const rAt = kern.alloc(8 * k);
      kern.f32.set(q, qAt / 4);
      kern.f64.set(r, rAt / 8);
      expect(kern.dot(qAt, rAt, k)).toBe(jsDot(q, 0, r, 0, k));
      const d = rng.normal();
      kern.axpy(qAt, rAt, k, d);
      jsAxpy(q, 0, r, 0, k, d);
      expect(Array.from(kern.f64.subarray(rAt / 8, rAt / 8 + k))).toEqual(Array.from(r));
    }
    // Growth keeps earlier data and refreshes the views.
    const big = kern.alloc(200_000);
    expect(kern.f64.length * 8).toBeGreaterThanOrEqual(big + 200_000);
  });
});
