// --ld-memory stream (Q spilled to PREFIX.q, read back block by block) against resident Q:
// byte-identical effects for 1 and 2 threads on both sweep kernels, and across a resume.
import { existsSync, truncateSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticLd } from '../../bench/syntheticLd.js';
import { fitOnFiles, qSpillPath } from '../../core/sbayesrc/fitFiles.js';
import { chooseSweepKernel, setSweepKernelPreference } from '../../core/sbayesrc/nativeKernel.js';
import type { FitRequest } from '../../contracts/fit.js';

let dir = '';
let base: Omit<FitRequest, 'out'>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgsflow-ldmem-'));
  const { ld, sumstats } = await writeSyntheticLd(dir, { blocks: 5, m: 90, kTarget: 70, seed: 7 });
  base = { sumstats, ld, iterations: 240, burnIn: 80, seed: 3, checkpointEvery: 0 };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  setSweepKernelPreference('auto');
});

const effects = (out: string): Promise<string> => readFile(`${out}.txt`, 'utf8');

describe('LD memory modes', () => {
  for (const kernel of ['auto', 'wasm'] as const) {
    it(`stream gives the resident effects byte for byte (1 and 2 threads, ${kernel} kernel)`, async () => {
      setSweepKernelPreference(kernel);
      const resident = join(dir, `res-${kernel}`);
      const r = await fitOnFiles({ ...base, out: resident, ldMemory: 'resident' });
      expect(r.summary?.ldMemory?.mode).toBe('resident');
      expect(r.summary?.sweepKernel).toBe(chooseSweepKernel());
      const qBytes = r.summary!.ldMemory!.qBytes;
      // Five identical blocks of 90 SNPs, k a little below 70 at the 0.995 cut-off.
      expect(qBytes % (5 * 4 * 90)).toBe(0);
      expect(qBytes / (5 * 4 * 90)).toBeGreaterThan(60);
      const want = await effects(resident);
      for (const threads of [1, 2]) {
        const out = join(dir, `stream-${kernel}-${threads}`);
        const s = await fitOnFiles({ ...base, out, threads, ldMemory: 'stream' });
        expect(s.summary?.ldMemory).toEqual({ requested: 'stream', mode: 'stream', qBytes });
        expect(await effects(out)).toBe(want);
        expect(await readFile(`${out}.par`, 'utf8')).toBe(await readFile(`${resident}.par`, 'utf8'));
        expect(existsSync(qSpillPath(out))).toBe(false);
      }
      const res2 = join(dir, `res2-${kernel}`);
      await fitOnFiles({ ...base, out: res2, threads: 2, ldMemory: 'resident' });
      expect(await effects(res2)).toBe(want);
    });
  }

  it('a stream fit stopped at a checkpoint and resumed gives the uninterrupted resident effects', async () => {
    const whole = join(dir, 'whole');
    await fitOnFiles({ ...base, out: whole, ldMemory: 'resident' });
    const part: FitRequest = { ...base, out: join(dir, 'part'), checkpointEvery: 50, threads: 2, ldMemory: 'stream' };
    const stopped = await fitOnFiles({ ...part, stopAfter: 130 });
    expect(stopped.summary).toBeNull();
    expect(existsSync(qSpillPath(part.out))).toBe(false); // rebuilt on resume
    const resumed = await fitOnFiles(part);
    expect(resumed.summary?.resumedFromSweep).toBe(130);
    expect(await effects(part.out)).toBe(await effects(whole));
  });

  it('with --tune, stream (blocks read again per cut-off, Q spilled while scoring) gives the resident scores and effects', async () => {
    const tuned = { ...base, tune: [0.995, 0.99], iterations: 120, burnIn: 40 };
    const r = await fitOnFiles({ ...tuned, out: join(dir, 'tune-res'), ldMemory: 'resident' });
    const s = await fitOnFiles({ ...tuned, out: join(dir, 'tune-stream'), ldMemory: 'stream', threads: 2 });
    expect(s.summary?.tuning).toEqual(r.summary?.tuning);
    expect(s.summary?.ldMemory?.mode).toBe('stream');
    expect(await effects(join(dir, 'tune-stream'))).toBe(await effects(join(dir, 'tune-res')));
    expect(existsSync(join(dir, 'tune-stream.tune.q'))).toBe(false); // the scoring spill is gone
  });

  it('two chains in stream mode share one spill and give the resident effects', async () => {
    const two = { ...base, chains: 2, iterations: 120, burnIn: 40 };
    await fitOnFiles({ ...two, out: join(dir, 'c2-res'), ldMemory: 'resident' });
    await fitOnFiles({ ...two, out: join(dir, 'c2-stream'), ldMemory: 'stream', threads: 2 });
    expect(await effects(join(dir, 'c2-stream'))).toBe(await effects(join(dir, 'c2-res')));
  });

  for (const threads of [1, 2]) {
    it(`a spill file cut short mid-chain fails the fit naming the file (${threads} thread(s)), and is removed`, async () => {
      const out = join(dir, `cut-${threads}`);
      const spill = qSpillPath(out);
      const run = fitOnFiles({ ...base, out, threads, ldMemory: 'stream' }, (r) => {
        if (r.sweep === 40) truncateSync(spill, 1000);
      });
      await expect(run).rejects.toThrow(`${spill}: Q spill file is short`);
      expect(existsSync(spill)).toBe(false);
    });
  }

  it('auto is resident for a panel far below the free memory', async () => {
    const out = join(dir, 'auto');
    const r = await fitOnFiles({ ...base, out, iterations: 20, burnIn: 10 });
    expect(r.summary?.ldMemory?.mode).toBe('resident');
    expect(r.summary?.ldMemory?.requested).toBe('auto');
    // The memory it judged by is recorded: positive, never above what the host has.
    expect(r.summary?.ldMemory?.availableBytes).toBeGreaterThan(r.summary!.ldMemory!.qBytes * 2);
    expect(r.summary?.ldMemory?.availableBytes).toBeLessThanOrEqual(totalmem());
  });

  it('refuses an unknown mode', async () => {
    await expect(fitOnFiles({ ...base, out: join(dir, 'bad'), ldMemory: 'disk' as never })).rejects.toThrow(/ldMemory must be one of auto, resident, stream/);
  });
});
