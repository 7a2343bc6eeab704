// The reader's site hash: every key found again with the row it was first stored with, across
// growth, and keys that differ only in the chromosome or by one base kept apart.
import { describe, expect, it } from 'vitest';
import { SiteIndex, siteNumber } from '../../../core/formats/siteIndex.js';

describe('SiteIndex', () => {
  it('stores 200,000 sites over several growths and finds each with its first row', () => {
    const ix = new SiteIndex();
    const keys: number[] = [];
    for (let i = 0; i < 200_000; i++) keys.push(siteNumber(1 + (i % 22), 10_000 + 7 * i));
    keys.forEach((k, i) => expect(ix.getOrAdd(k, i)).toBe(-1));
    let wrong = 0;
    keys.forEach((k, i) => {
      if (ix.getOrAdd(k, -5) !== i) wrong++;
    });
    expect(wrong).toBe(0);
  });

  it('tells apart the same position on another chromosome and neighbouring positions', () => {
    const ix = new SiteIndex();
    expect(ix.getOrAdd(siteNumber(1, 2_147_483_647), 0)).toBe(-1);
    expect(ix.getOrAdd(siteNumber(2, 0), 1)).toBe(-1); // one past the largest position of chr1
    expect(ix.getOrAdd(siteNumber(2, 1), 2)).toBe(-1);
    expect(ix.getOrAdd(siteNumber(22, 1), 3)).toBe(-1);
    expect([ix.getOrAdd(siteNumber(1, 2_147_483_647), 9), ix.getOrAdd(siteNumber(2, 0), 9), ix.getOrAdd(siteNumber(2, 1), 9), ix.getOrAdd(siteNumber(22, 1), 9)]).toEqual([0, 1, 2, 3]);
  });
});
