import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { chooseLdMemory, eigenRanks } from '../../core/sbayesrc/ldSource.js';

/** An eigen file: m, k, Σλ, stored cut-off, then λ (k) and the m·k vectors (values unused here). */
function eigenFile(path: string, m: number, k: number, values: number[], extraBytes = 0): void {
  const buf = Buffer.alloc(16 + 4 * Math.max(k, 0) + 4 * m * Math.max(k, 0) + extraBytes);
  buf.writeInt32LE(m, 0);
  buf.writeInt32LE(k, 4);
  buf.writeFloatLE(values.reduce((a, b) => a + b, 0), 8);
  buf.writeFloatLE(0.999, 12);
  values.forEach((v, i) => buf.writeFloatLE(v, 16 + 4 * i));
  writeFileSync(path, buf);
}

describe('LD source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgsflow-ldsource-'));

  it('ranks blocks at a cut-off from the eigenvalues alone', async () => {
    const f = join(dir, 'block1.eigen.bin');
    eigenFile(f, 4, 4, [5, 3, 1.5, 0.5]); // Σλ = 10: 80 % needs 2, 95 % needs 3
    expect(await eigenRanks([f, f], 0.8)).toEqual([2, 2]);
    expect(await eigenRanks([f], 0.95)).toEqual([3]);
  });

  it('refuses a damaged header naming the file and the byte offset', async () => {
    const bad = join(dir, 'block2.eigen.bin');
    eigenFile(bad, 4, -3, []);
    await expect(eigenRanks([bad], 0.9)).rejects.toThrow(BadInputError);
    await expect(eigenRanks([bad], 0.9)).rejects.toThrow(/block2\.eigen\.bin.*k = -3 at byte offset 4/);
    const long = join(dir, 'block3.eigen.bin');
    eigenFile(long, 4, 2, [1, 1], 8);
    await expect(eigenRanks([long], 0.9)).rejects.toThrow(/block3\.eigen\.bin.*size is/);
  });

  it('auto keeps Q resident below half the free memory, else streams', () => {
    expect(chooseLdMemory('auto', 100, 1000)).toBe('resident');
    expect(chooseLdMemory('auto', 600, 1000)).toBe('stream');
    expect(chooseLdMemory('resident', 600, 1000)).toBe('resident');
    expect(chooseLdMemory('stream', 1, 1000)).toBe('stream');
  });
});
