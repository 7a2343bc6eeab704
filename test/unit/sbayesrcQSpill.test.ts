import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseLdMemory, qBytesOf } from '../../core/sbayesrc/ldSource.js';
import { QSpillWriter, readSpilledBlock, readSpilledBlockInto, readSpilledRow } from '../../core/sbayesrc/qSpill.js';
import { SpillReadError } from '../../core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pgsflow-qspill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const block = (floats: number, base: number): Float32Array => Float32Array.from({ length: floats }, (_, i) => base + i / 8);

describe('Q spill file', () => {
  it('reads back each block, a row, and into a caller buffer', () => {
    const w = new QSpillWriter(join(dir, 'ok.q'));
    const a = block(12, 1); // m 4 × k 3
    const b = block(10, 100); // m 5 × k 2
    w.append(a);
    w.append(b);
    const s = w.finish();
    expect(s.offsets).toEqual([0, 48]);
    expect(s.floats).toEqual([12, 10]);
    expect(Array.from(readSpilledBlock(s, 1))).toEqual(Array.from(b));
    expect(Array.from(readSpilledBlock(s, 0))).toEqual(Array.from(a)); // the buffer is reused, views stay exact
    expect(Array.from(readSpilledRow(s, 1, 3, 2))).toEqual(Array.from(b.subarray(6, 8)));
    const into = new Float32Array(10);
    readSpilledBlockInto(s, 1, new Uint8Array(into.buffer));
    expect(Array.from(into)).toEqual(Array.from(b));
    expect(() => readSpilledBlockInto(s, 1, new Uint8Array(8))).toThrow(RangeError);
  });

  it('a short or missing spill file fails with an error naming it', () => {
    const path = join(dir, 'short.q');
    const w = new QSpillWriter(path);
    w.append(block(12, 1));
    w.append(block(10, 2));
    const s = w.finish();
    truncateSync(path, 60);
    expect(() => readSpilledBlock(s, 1)).toThrow(SpillReadError);
    expect(() => readSpilledBlock(s, 1)).toThrow(`${path}: Q spill file is short: 12 of 40 bytes at byte offset 48`);
    expect(Array.from(readSpilledBlock(s, 0))).toEqual(Array.from(block(12, 1)));
    rmSync(path);
    expect(() => readSpilledRow(s, 0, 0, 3)).toThrow(`${path}: Q spill file cannot be opened (ENOENT)`);
  });
});

describe('LD memory mode', () => {
  it('auto is resident below half the free memory, stream above; explicit modes are kept', () => {
    const q = qBytesOf([1000, 500], [900, 400]);
    expect(q).toBe(4 * (1000 * 900 + 500 * 400));
    expect(chooseLdMemory('auto', q, 2 * q + 1)).toBe('resident');
    expect(chooseLdMemory('auto', q, 2 * q)).toBe('stream');
    expect(chooseLdMemory('resident', q, 0)).toBe('resident');
    expect(chooseLdMemory('stream', q, 1e15)).toBe('stream');
  });
});
