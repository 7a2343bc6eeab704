// Variant sites (chromosome × position) as numbers in an open-addressing hash of typed arrays:
// the reader's duplicate-site and multi-allelic checks over 10 M rows without a string or a Map
// entry per row (those were a third of the read time and most of its garbage).

/** Autosome 1–22 → its code; anything else has none (such rows are set aside earlier). */
export const AUTOSOME_CODE: ReadonlyMap<string, number> = new Map(Array.from({ length: 22 }, (_, i) => [String(i + 1), i + 1]));

/** chrom code × 2³¹ + position: exact in a double (< 2⁵³). */
export const siteNumber = (chromCode: number, pos: number): number => chromCode * 2_147_483_648 + pos;

export class SiteIndex {
  private keys = new Float64Array(1 << 16);
  private values = new Int32Array(1 << 16).fill(-1);
  private mask = (1 << 16) - 1;
  private count = 0;

  private static hash(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4_294_967_296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    return Math.imul(h, 0xc2b2ae35) ^ (h >>> 16);
  }

  /** The row stored for `key`, or stores `row` and returns −1. */
  getOrAdd(key: number, row: number): number {
    let slot = SiteIndex.hash(key) & this.mask;
    for (;;) {
      const v = this.values[slot]!;
      if (v === -1) break;
      if (this.keys[slot] === key) return v;
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot] = key;
    this.values[slot] = row;
    if (++this.count * 2 > this.values.length) this.grow();
    return -1;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    const n = values.length * 2;
    this.keys = new Float64Array(n);
    this.values = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    for (let s = 0; s < values.length; s++) {
      if (values[s] === -1) continue;
      let slot = SiteIndex.hash(keys[s]!) & this.mask;
      while (this.values[slot] !== -1) slot = (slot + 1) & this.mask;
      this.keys[slot] = keys[s]!;
      this.values[slot] = values[s]!;
    }
  }
}
