import { describe, expect, it } from 'vitest';
import type { BimTable, BlockTable } from '../../core/formats/types.js';
import { planPanel } from '../../core/ld/blockPlan.js';
import { driverFor } from '../../core/ld/eigenDriver.js';
import { splitAtLargestGaps } from '../../core/ld/splitBlock.js';
import type { VariantStats } from '../../core/ld/variantStats.js';

describe('splitting a block at its largest base-pair gaps', () => {
  it('leaves a block within the limit alone', () => {
    expect(splitAtLargestGaps(Int32Array.of(1, 2, 3), 3)).toEqual({ bounds: [0, 3], cuts: [] });
  });

  it('cuts at the largest gap, then recursively inside the halves', () => {
    // gaps: 10, 10, 500, 10, 100, 10, 10
    const pos = Int32Array.of(0, 10, 20, 520, 530, 630, 640, 650);
    expect(splitAtLargestGaps(pos, 5)).toEqual({ bounds: [0, 3, 8], cuts: [{ leftBp: 20, rightBp: 520 }] });
    expect(splitAtLargestGaps(pos, 3)).toEqual({
      bounds: [0, 3, 5, 8],
      cuts: [
        { leftBp: 20, rightBp: 520 },
        { leftBp: 530, rightBp: 630 },
      ],
    });
  });

  it('breaks ties toward the middle so even spacing gives balanced parts', () => {
    const even = Int32Array.from({ length: 8 }, (_, i) => 100 * i);
    expect(splitAtLargestGaps(even, 4).bounds).toEqual([0, 4, 8]);
    expect(splitAtLargestGaps(even, 2).bounds).toEqual([0, 2, 4, 6, 8]);
    expect(splitAtLargestGaps(even, 1).bounds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('assigning SNPs to blocks', () => {
  const blocks: BlockTable = { block: ['A', 'B', 'C'], chrom: ['1', '1', '2'], start: Int32Array.of(100, 200, 100), end: Int32Array.of(200, 300, 400) };
  const bim: BimTable = {
    chrom: ['1', '1', '1', 'chr1', '1', '1', '2', '2', '3', '2'],
    id: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'dup', 'h', 'dup'],
    cm: new Float64Array(10),
    pos: Int32Array.of(99, 100, 199, 200, 299, 300, 150, 160, 150, 170),
    a1: Array(10).fill('A'),
    a2: Array(10).fill('G'),
  };
  const stats = (over: Partial<Record<'mono' | 'nocall', number[]>> = {}): VariantStats => {
    const polymorphic = new Uint8Array(10).fill(1);
    const nObs = new Int32Array(10).fill(50);
    for (const v of over.mono ?? []) polymorphic[v] = 0;
    for (const v of over.nocall ?? []) {
      nObs[v] = 0;
      polymorphic[v] = 0;
    }
    return { nObs, a1Freq: new Float64Array(10).fill(0.3), polymorphic };
  };

  it('uses [StartBP, EndBP) per chromosome, chr prefixes ignored, and drops with reasons', () => {
    const plan = planPanel(bim, stats({ mono: [2], nocall: [6] }), blocks);
    expect(plan.blocks.map((b) => [b.source, Array.from(b.variants)])).toEqual([
      ['A', [1]], // 99 is before A; 199 (c) is monomorphic
      ['B', [3, 4]], // 200 starts B; 300 is past its end
    ]);
    expect(plan.dropped).toEqual({ outsideBlocks: 3, noCalls: 1, monomorphic: 1, duplicateId: 2 });
    expect(plan.droppedExamples.outsideBlocks).toEqual(['a', 'f', 'h']);
    expect(plan.droppedExamples.duplicateId).toEqual(['dup', 'dup']);
    expect(plan.emptyBlocks).toBe(1); // C: g has no call, both copies of 'dup' go
  });

  it('orders SNPs by position within a block and records splits', () => {
    const bim2: BimTable = { ...bim, chrom: Array(6).fill('1'), id: ['p', 'q', 'r', 's', 't', 'u'], pos: Int32Array.of(290, 210, 220, 230, 280, 270) };
    const st: VariantStats = { nObs: new Int32Array(6).fill(9), a1Freq: new Float64Array(6), polymorphic: new Uint8Array(6).fill(1) };
    const plan = planPanel(bim2, st, blocks, 3);
    expect(plan.blocks.map((b) => [b.source, b.part, b.parts, Array.from(b.variants)])).toEqual([
      ['B', 1, 2, [1, 2, 3]],
      ['B', 2, 2, [5, 4, 0]],
    ]);
    expect(plan.splits).toEqual([{ block: 'B', chrom: '1', snps: 6, parts: [3, 3], cuts: [{ leftBp: 230, rightBp: 270 }] }]);
  });
});

describe('LAPACK driver per block', () => {
  it('dsyevr where dsyevd (3m² doubles) would pass dsyevr on the largest block (2L²)', () => {
    expect(driverFor(3000, 3000)).toBe('r');
    expect(driverFor(2450, 3000)).toBe('r'); // 3 · 2450² = 18,007,500 > 2 · 3000²
    expect(driverFor(2449, 3000)).toBe('d'); // 17,993,403 ≤ 18,000,000
    expect(driverFor(1000, 3000)).toBe('d');
  });
});
