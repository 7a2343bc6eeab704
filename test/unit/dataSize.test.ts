// Issue 17 (tiny cohorts): h² draws bounded by the phenotype variance, and the data-size check.
import { describe, expect, it } from 'vitest';
import { dataSize, dataSizeWarnings } from '../../core/sbayesrc/dataSize.js';
import { MIN_SIGMA2G, geneticVariance, heritabilityDraw } from '../../core/sbayesrc/variance.js';

describe('h² per draw', () => {
  it('is Σ_b ‖Q_b β_b‖² (phenotype variance 1) inside [0, 1], bounded outside', () => {
    expect(heritabilityDraw([0.1, 0.25])).toBeCloseTo(0.35, 15);
    expect(heritabilityDraw([0.9, 0.4976])).toBe(1);
    expect(heritabilityDraw([])).toBe(0);
    expect(geneticVariance([0.1, 0.25])).toBeCloseTo(0.35, 15);
    expect(geneticVariance([0.9, 0.4976])).toBe(1);
    expect(geneticVariance([0, 0])).toBe(MIN_SIGMA2G);
  });
});

describe('data-size warning', () => {
  const blocks = [
    { k: 3, w: Float64Array.of(0.1, 0.2, 0, 99) },
    { k: 2, w: Float64Array.of(0.3, 0.1) },
  ];

  it('counts the eigen-pairs kept, the median N and b̂ᵀR⁺b̂', () => {
    const d = dataSize(blocks, [400, 2, 300, 5000]);
    expect(d.eigenPairs).toBe(5);
    expect(d.medianN).toBe(350);
    expect(d.explained).toBeCloseTo(0.01 + 0.04 + 0.09 + 0.01, 12);
  });

  it('warns when sampling noise in b̂ᵀR⁺b̂ (√(2 Σ k_b)/N) exceeds 0.1, not for the usual N 4,000 against 10,000 SNPs', () => {
    const small = dataSizeWarnings({ medianN: 300, eigenPairs: 734, explained: 2.9 }, 0.5);
    expect(small).toHaveLength(1);
    expect(small[0]).toMatch(/GWAS N \(median 300\) is small for the 734 LD eigen-pairs kept: .* about ±0\.13 /);
    // N 4,000 below Σ k_b 9,683, yet ±0.035: h² is identified (the reference's own test design).
    expect(dataSizeWarnings({ medianN: 4000, eigenPairs: 9683, explained: 3.22 }, 0.51)).toEqual([]);
    // The edge: √(2·5000)/1000 = 0.1 is still accepted, one person fewer is not.
    expect(dataSizeWarnings({ medianN: 1000, eigenPairs: 5000, explained: 5 }, 0.5)).toEqual([]);
    expect(dataSizeWarnings({ medianN: 999, eigenPairs: 5000, explained: 5 }, 0.5)).toHaveLength(1);
  });

  it('warns when h² draws reached the bound 1', () => {
    expect(dataSizeWarnings({ medianN: 50_000, eigenPairs: 734, explained: 0.5 }, 1)).toEqual([expect.stringMatching(/reached the bound 1/)]);
    expect(dataSizeWarnings({ medianN: 50_000, eigenPairs: 734, explained: 0.5 }, null)).toEqual([]);
  });
});
