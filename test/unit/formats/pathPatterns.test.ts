import { describe, expect, it } from 'vitest';
import { expandRanges } from '../../../core/formats/pathPatterns.js';

describe('expandRanges', () => {
  it('expands {a..b} as a shell would, up or down, nested ranges left to right', () => {
    expect(expandRanges('data/chr{21..22}')).toEqual(['data/chr21', 'data/chr22']);
    expect(expandRanges('b{3..1}')).toEqual(['b3', 'b2', 'b1']);
    expect(expandRanges('p{1..2}_{5..6}')).toEqual(['p1_5', 'p1_6', 'p2_5', 'p2_6']);
  });

  it('leaves a path without a range as it is', () => {
    expect(expandRanges('plain/chr1')).toEqual(['plain/chr1']);
    expect(expandRanges('odd{a..b}')).toEqual(['odd{a..b}']);
  });
});
