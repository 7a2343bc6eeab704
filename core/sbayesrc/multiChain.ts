// Several independent chains: derived seeds, pooled posterior accumulators and across-chain
// diagnostics of the h², nnz and σ²e traces.
import { Rng } from '../numeric/random/rng.js';
import { TRACE_WIDTH, type ChainState } from './chainState.js';
import { effectiveSampleSize, gelmanRubin } from './convergence.js';
import type { ChainDiagnostics } from '../../contracts/fit.js';

const CHAIN_SEED_STREAM = -3;
export const RHAT_WARNING = 1.1;

/** Chain 0 keeps the user's seed (so --chains 1 is the plain run); others get derived seeds. */
export function chainSeed(seed: number, chain: number): number {
  return chain === 0 ? seed : Rng.stream(seed, CHAIN_SEED_STREAM, chain).nextU32() | 0;
}

const POOLED: readonly ('betaSum' | 'beta2Sum' | 'pipSum' | 'piSum' | 'alphaSum' | 'componentSum' | 'sigma2eSum' | 'enrichmentSum' | 'jointSum' | 'stats')[] = [
  'betaSum', 'beta2Sum', 'pipSum', 'piSum', 'alphaSum', 'componentSum', 'sigma2eSum', 'enrichmentSum', 'jointSum', 'stats',
];

/** One state whose accumulators are the chains' sums (draws pooled); β, traces etc. from chain 0. A SNP removed in any chain is removed. */
export function poolChains(states: readonly ChainState[]): ChainState {
  const first = states[0];
  if (!first) throw new RangeError('no chains to pool');
  const out: ChainState = { ...first, removed: Uint8Array.from(first.removed) };
  for (const key of POOLED) {
    const sum = Float64Array.from(first[key]);
    for (const st of states.slice(1)) for (let i = 0; i < sum.length; i++) sum[i]! += st[key][i]!;
    out[key] = sum;
  }
  for (const st of states.slice(1)) for (let j = 0; j < out.removed.length; j++) out.removed[j]! |= st.removed[j]!;
  return out;
}

export function chainDiagnostics(states: readonly ChainState[]): ChainDiagnostics {
  const column = (c: number): Float64Array[] =>
    states.map((st) => {
      const n = st.trace.length / TRACE_WIDTH;
      return Float64Array.from({ length: n }, (_, i) => st.trace[i * TRACE_WIDTH + c]!);
    });
  const names = ['h2', 'nnz', 'sigma2e'] as const;
  const traces = names.map((_, c) => column(c));
  const rhat = { h2: gelmanRubin(traces[0]!), nnz: gelmanRubin(traces[1]!), sigma2e: gelmanRubin(traces[2]!) };
  const ess = { h2: effectiveSampleSize(traces[0]!), nnz: effectiveSampleSize(traces[1]!), sigma2e: effectiveSampleSize(traces[2]!) };
  const bad = names.filter((n) => rhat[n] > RHAT_WARNING);
  const warning = bad.length > 0 ? `chains disagree (R-hat > ${RHAT_WARNING} for ${bad.join(', ')}): run longer or check the LD panel against the GWAS` : null;
  return { chains: states.length, rhat, ess, warning };
}
