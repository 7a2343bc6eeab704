// Store.blobRows on a real DuckDB file: BLOBs copied out by native/blobCopy.c into a reused buffer
// are DuckDB's bytes — inlined (≤ 12 bytes) and out-of-line, empty, NULL, several MB, across
// result chunks of more than 2,048 rows — the same as without the addon; reading after release
// throws; forEachGenotypeChunk hands out chunks in variant order although the query has no ORDER BY.
import { afterEach, describe, expect, it } from 'vitest';
import { forEachGenotypeChunk } from '../../core/genotypes/storeGenotypes.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { setBlobCopyPreference } from '../../core/store/blobRows.js';
import { Store } from '../../core/store/store.js';
import { makeTmpDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  setBlobCopyPreference('auto');
  while (cleanups.length) cleanups.pop()?.();
});

async function storeWithBlobs(blobs: (Uint8Array | null)[]): Promise<Store> {
  const t = makeTmpDir('blobrows');
  cleanups.push(t.cleanup);
  const store = await Store.open(t.dir);
  cleanups.unshift(() => store.close());
  await store.transaction(async (tx) => {
    await tx.run('CREATE TABLE b (k INTEGER, v BLOB, tag VARCHAR)');
    const a = await tx.appender('b');
    blobs.forEach((b, k) => {
      a.appendInteger(k);
      if (b === null) a.appendNull();
      else a.appendBlob(b);
      a.appendVarchar(`t${k}`);
      a.endRow();
    });
  });
  return store;
}

function sizes(rng: Rng, n: number): (Uint8Array | null)[] {
  return Array.from({ length: n }, (_, k) => {
    if (k % 97 === 5) return null;
    const len = k < 40 ? k % 20 : k % 500 === 0 ? 3_000_000 + rng.below(1000) : rng.below(300);
    return Uint8Array.from({ length: len }, () => rng.below(256));
  });
}

describe('Store.blobRows', () => {
  for (const mode of ['auto', 'duckdb'] as const) {
    it(`gives DuckDB's bytes, NULLs and the other columns (${mode === 'auto' ? 'native copy' : "@duckdb/node-api's copies"})`, async () => {
      setBlobCopyPreference(mode);
      const blobs = sizes(Rng.stream(7, 1), 4500);
      const store = await storeWithBlobs(blobs);
      const rows = await store.blobRows<[number, string]>('SELECT k, tag, v FROM b ORDER BY k', undefined, 2);
      try {
        expect(rows.length).toBe(blobs.length);
        const buffer = { bytes: new Uint8Array(4) };
        for (let r = 0; r < rows.length; r++) {
          expect(rows.values(r)).toEqual([r, `t${r}`]);
          const want = blobs[r]!;
          expect(rows.blobLength(r), `row ${r}`).toBe(want === null ? null : want.length);
          const got = rows.blob(r, buffer);
          if (want === null) expect(got).toBeNull();
          else expect(Buffer.from(got!).equals(Buffer.from(want)), `row ${r}`).toBe(true);
        }
        expect(buffer.bytes.length).toBe(mode === 'auto' ? Math.max(...blobs.map((b) => b?.length ?? 0)) : 4);
      } finally {
        rows.release();
      }
      expect(() => rows.blob(1, { bytes: new Uint8Array(0) })).toThrow(/after release/);
      expect(() => rows.blobLength(1)).toThrow(/after release/);
    });
  }

  it('forEachGenotypeChunk hands out chunks in variant order whatever order the rows were stored in', async () => {
    const t = makeTmpDir('blobrows-geno');
    cleanups.push(t.cleanup);
    const store = await Store.open(t.dir);
    cleanups.unshift(() => store.close());
    const n = 9; // samples; hard calls: 3 bytes per variant
    const chunkSizes = Array.from({ length: 40 }, (_, c) => 1 + (c % 5));
    const first: number[] = [];
    chunkSizes.reduce((at, s) => (first.push(at), at + s), 0);
    const total = chunkSizes.reduce((a, b) => a + b, 0);
    const byteOf = (v: number, i: number) => (v * 31 + i * 7) & 0xff;
    await store.transaction(async (tx) => {
      await tx.run(`INSERT INTO cohorts (cohort, ancestry, n_samples, n_variants, bytes_per_variant) VALUES ('C', 'EUR', $n, $m, 3)`, { n, m: total });
      // Appended in reverse: the table's order is not the chunks' order.
      const a = await tx.appender('genotypes');
      for (let c = chunkSizes.length - 1; c >= 0; c--) {
        a.appendVarchar('C');
        a.appendInteger(c);
        a.appendInteger(first[c]!);
        a.appendInteger(chunkSizes[c]!);
        a.appendBlob(Uint8Array.from({ length: chunkSizes[c]! * 3 }, (_, k) => byteOf(first[c]! + Math.floor(k / 3), k % 3)));
        a.endRow();
      }
    });
    const seen: number[] = [];
    await forEachGenotypeChunk(store, 'C', (chunk) => {
      seen.push(chunk.firstVariant);
      for (let k = 0; k < chunk.packed.length; k++) expect(chunk.packed[k]).toBe(byteOf(chunk.firstVariant + Math.floor(k / 3), k % 3));
    });
    expect(seen).toEqual(first);
  });
});
