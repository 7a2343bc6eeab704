import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../helpers/syntheticProblem.js';
import { N_STATS, N_STATS_V1, initChain, type ChainState } from '../../core/sbayesrc/chainState.js';
import { checkpoint, restore } from '../../core/sbayesrc/checkpoint.js';
import { GAMMA, N_COMPONENTS } from '../../core/sbayesrc/mixture.js';
import { poolChains } from '../../core/sbayesrc/multiChain.js';
import { REFERENCE_PAR_ROWS, parText } from '../../core/sbayesrc/outputs.js';
import { posteriorSummary } from '../../core/sbayesrc/posterior.js';
import type { SbayesProblem } from '../../core/sbayesrc/problem.js';
import { runChain, type SweepReport } from '../../core/sbayesrc/sampler.js';

/** Three AR(1) blocks of 30 SNPs (ρ 0.7), 8 causal SNPs scaled to h² 0.15, N 20,000. */
const smallProblem = (seed: number, withAnnotations: boolean): SbayesProblem =>
  syntheticProblem(3, 30, 20_000, 0.15, 8, seed, withAnnotations, { rho: 0.7, stream: 7 }).problem;

/** PREFIX.par read the way the reference's users read it: a table keyed by `Item`. */
function readPar(text: string): { header: string[]; items: string[]; row: (item: string) => { mean: number; sd: number } } {
  const lines = text.trimEnd().split('\n').map((l) => l.split('\t'));
  const header = lines[0]!;
  const col = (name: string): number => header.indexOf(name);
  const byItem = new Map(lines.slice(1).map((f) => [f[col('Item')]!, f]));
  return {
    header,
    items: lines.slice(1).map((f) => f[0]!),
    row: (item) => {
      const f = byItem.get(item);
      if (!f) throw new Error(`no row ${item}`);
      return { mean: Number(f[col('Mean')]), sd: Number(f[col('SD')]) };
    },
  };
}

/** Mean and SD (divisor n, as the posterior summary) of recorded draws. */
function meanSd(x: readonly number[]): { mean: number; sd: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return { mean, sd: Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length) };
}

const close = (got: number, want: number): void => {
  // The .par holds 6 significant digits.
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-12);
};

interface Draws {
  h2: number[];
  nnz: number[];
  pi: number[][];
  sigmaSq: number[];
  varE: number[];
}

/** Runs a chain and records the draws the posterior keeps (post-burn-in sweeps). */
function recordedChain(p: SbayesProblem, st: ChainState, opts: { iterations: number; burnIn: number }, stopAt = opts.iterations, draws?: Draws): Draws {
  const d = draws ?? { h2: [], nnz: [], pi: Array.from({ length: N_COMPONENTS }, () => []), sigmaSq: [], varE: [] };
  runChain(p, st, opts, stopAt, (r: SweepReport, s: ChainState) => {
    if (r.sweep <= opts.burnIn) return;
    d.h2.push(r.h2);
    d.nnz.push(r.nnz);
    for (let k = 0; k < N_COMPONENTS; k++) d.pi[k]!.push(s.pi[k]!);
    d.sigmaSq.push(GAMMA[N_COMPONENTS - 1]! * s.sigma2g);
    d.varE.push(s.sigma2e.reduce((a, b) => a + b, 0) / s.sigma2e.length);
  });
  return d;
}

describe('PREFIX.par in the reference layout', () => {
  const opts = { iterations: 300, burnIn: 100 };

  it('has the reference header and rows in its order, with SDs of the draws (SBayesR)', () => {
    const p = smallProblem(1, false);
    const st = initChain(p, 11, opts.iterations - opts.burnIn);
    const d = recordedChain(p, st, opts);
    const post = posteriorSummary(st);
    expect(post.par.draws).toBe(200);
    const par = readPar(parText(post, [], []));
    expect(par.header).toEqual(['Item', 'Mean', 'SD']);
    expect(par.items.slice(0, REFERENCE_PAR_ROWS.length)).toEqual([
      'hsq', 'nnz', 'SigmaSq', 'ssq', 'Var_e', 'Var_g',
      'NumSnp2', 'NumSnp3', 'NumSnp4', 'NumSnp5',
      'Vg2', 'Vg3', 'Vg4', 'Vg5',
    ]);
    // Our rows come after the reference's.
    expect(par.items.slice(REFERENCE_PAR_ROWS.length, REFERENCE_PAR_ROWS.length + 6)).toEqual(['Pi1', 'Pi2', 'Pi3', 'Pi4', 'Pi5', 'NumSnp1']);
    for (const item of [...REFERENCE_PAR_ROWS, 'Pi1', 'Pi2', 'Pi3', 'Pi4', 'Pi5', 'NumSnp1']) {
      const { mean, sd } = par.row(item);
      expect(Number.isFinite(mean), item).toBe(true);
      expect(Number.isFinite(sd), item).toBe(true);
      expect(sd, item).toBeGreaterThanOrEqual(0);
    }
    const h2 = meanSd(d.h2);
    close(par.row('hsq').mean, h2.mean);
    close(par.row('hsq').sd, h2.sd);
    expect(h2.sd).toBeGreaterThan(0);
    // Standardised scale: phenotype variance 1, so Var_g = hsq.
    expect(par.row('Var_g')).toEqual(par.row('hsq'));
    close(par.row('nnz').sd, meanSd(d.nnz).sd);
    for (let k = 0; k < N_COMPONENTS; k++) {
      const pi = meanSd(d.pi[k]!);
      expect(pi.sd).toBeGreaterThan(0);
      close(par.row(`Pi${k + 1}`).mean, pi.mean);
      close(par.row(`Pi${k + 1}`).sd, pi.sd);
    }
    close(par.row('SigmaSq').mean, meanSd(d.sigmaSq).mean);
    close(par.row('SigmaSq').sd, meanSd(d.sigmaSq).sd);
    close(par.row('Var_e').mean, meanSd(d.varE).mean);
    close(par.row('Var_e').sd, meanSd(d.varE).sd);
    // Per draw the shares of Σβ² add to 1 (component 1 has β = 0), so their means do too.
    const vg = [2, 3, 4, 5].reduce((a, k) => a + par.row(`Vg${k}`).mean, 0);
    expect(Math.abs(vg - 1)).toBeLessThan(1e-4);
    // nnz is the sum of the non-zero components' counts, draw by draw.
    const counts = [2, 3, 4, 5].reduce((a, k) => a + par.row(`NumSnp${k}`).mean, 0);
    close(counts, par.row('nnz').mean);
  });

  it('SBayesRC: reference rows, then π, the annotation rows; SDs finite', () => {
    const p = smallProblem(2, true);
    const st = initChain(p, 12);
    runChain(p, st, opts);
    const par = readPar(parText(posteriorSummary(st), ['Intercept', 'enriched'], [true, true]));
    expect(par.items.slice(0, REFERENCE_PAR_ROWS.length)).toEqual(REFERENCE_PAR_ROWS);
    for (const item of [...REFERENCE_PAR_ROWS, 'Pi1', 'Pi5']) expect(Number.isFinite(par.row(item).sd), item).toBe(true);
    expect(par.items).toContain('enrichment_enriched');
    expect(par.items.at(-1)).toBe('removed_snps');
  });

  it('pooled chains: SDs over all chains’ draws', () => {
    const p = smallProblem(3, false);
    const a = initChain(p, 21);
    const b = initChain(p, 22);
    const da = recordedChain(p, a, opts);
    recordedChain(p, b, opts, opts.iterations, da);
    const par = readPar(parText(posteriorSummary(poolChains([a, b])), [], []));
    close(par.row('hsq').sd, meanSd(da.h2).sd);
    close(par.row('Pi1').sd, meanSd(da.pi[0]!).sd);
  });

  it('a checkpoint from before the .par statistics resumes; they then cover the draws since', () => {
    const p = smallProblem(4, false);
    const st = initChain(p, 31);
    recordedChain(p, st, opts, 200);
    // The old layout: stats held the first five sums only.
    const old = restore(checkpoint({ ...st, stats: st.stats.slice(0, N_STATS_V1) }));
    expect(old.stats.length).toBe(N_STATS);
    expect(Array.from(old.stats.subarray(0, N_STATS_V1))).toEqual(Array.from(st.stats.subarray(0, N_STATS_V1)));
    const since = recordedChain(p, old, opts);
    const post = posteriorSummary(old);
    expect(post.draws).toBe(200);
    expect(post.par.draws).toBe(100);
    const par = readPar(parText(post, [], []));
    close(par.row('Pi2').sd, meanSd(since.pi[1]!).sd);
    expect(Number.isFinite(par.row('SigmaSq').sd)).toBe(true);
    // A stats array of any other length is refused as not ours.
    expect(() => restore(checkpoint({ ...st, stats: st.stats.slice(0, 9) }))).toThrow();
  });
});
