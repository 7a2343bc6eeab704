// `pgsflow ld` refuses an LD block its machine cannot hold (2 × 8m² bytes) before reading
// anything, naming the block and the way out, rather than being killed by the kernel mid-panel.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { refuseBlocksBeyondMemory } from '../../core/ld/buildLdPanel.js';
import type { PlannedBlock } from '../../core/ld/blockPlan.js';

const block = (source: string, m: number): PlannedBlock => ({ source, part: 1, parts: 1, chrom: '1', startBp: 0, endBp: 2e9, variants: new Int32Array(m) });

describe('LD blocks against available memory', () => {
  it('a 54,000-SNP block (one block per chromosome) on 19.6 GB is refused, naming it and --max-block-snps', () => {
    const e = (() => {
      try {
        refuseBlocksBeyondMemory([block('7', 2000), block('1', 54_000), block('9', 3000)], 'blocks.pos', 19.6e9);
      } catch (x) {
        return x;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as Error).message).toMatch(/LD block 1 \(chromosome 1, 0–2000000000\) has 54,000 SNPs: .* about 46\.7 GB, and 19\.6 GB are available/);
    expect((e as Error).message).toMatch(/--max-block-snps 20000$/);
  });

  it('blocks of published panels (≤ 5,000 SNPs) pass on a few GB; the limit is 2 × 8m²', () => {
    expect(() => refuseBlocksBeyondMemory([block('1', 5000)], 'b', 1e9)).not.toThrow();
    expect(() => refuseBlocksBeyondMemory([block('1', 5000)], 'b', 0.41e9)).not.toThrow(); // 0.40 GB needed
    expect(() => refuseBlocksBeyondMemory([block('1', 5000)], 'b', 0.39e9)).toThrow(BadInputError);
    expect(() => refuseBlocksBeyondMemory([], 'b', 0)).not.toThrow();
  });
});
