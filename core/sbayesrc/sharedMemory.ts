// Copies of the problem's per-block data and of the chain state on SharedArrayBuffers, so
// worker threads sweep blocks in place. The interfaces are unchanged (typed arrays over shared
// memory), so everything else — checkpoints included — works on them as is.
import type { ChainState } from './chainState.js';
import type { ProblemBlock, SbayesProblem } from './problem.js';
import type { ChainWorkspace } from './sampler.js';

type Typed = Float64Array | Float32Array | Uint8Array | Uint32Array;

export function shared<T extends Typed>(a: T): T {
  const ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** `a` itself when already on shared memory (Q built there to avoid a second copy), else a shared copy. */
function sharedOnce<T extends Typed>(a: T): T {
  return a.buffer instanceof SharedArrayBuffer ? a : shared(a);
}

/** Blocks and annotations on shared memory: worker threads would otherwise each get a copy of the annotation matrix. */
export function shareProblem(p: SbayesProblem): SbayesProblem {
  const blocks: ProblemBlock[] = p.blocks.map((b) => ({ ...b, q: sharedOnce(b.q), w: sharedOnce(b.w) }));
  const annotations = p.annotations ? { nA: p.annotations.nA, a: sharedOnce(p.annotations.a) } : null;
  return { ...p, blocks, annotations };
}

/**
 * The arrays block sweeps (and their accumulators) write, moved to shared memory (the rest stays
 * with the main thread); a state already there (a chain run on threads before) is not copied again.
 */
export function shareState(st: ChainState): ChainState {
  return {
    ...st,
    residual: sharedOnce(st.residual),
    beta: sharedOnce(st.beta),
    delta: sharedOnce(st.delta),
    removed: sharedOnce(st.removed),
    sigma2e: sharedOnce(st.sigma2e),
    rng: sharedOnce(st.rng),
    runningSum: sharedOnce(st.runningSum),
    betaSum: sharedOnce(st.betaSum),
    beta2Sum: sharedOnce(st.beta2Sum),
    pipSum: sharedOnce(st.pipSum),
  };
}

export function shareWorkspace(ws: ChainWorkspace): ChainWorkspace {
  return {
    ...ws,
    logPi: shared(ws.logPi),
    snpPi: shared(ws.snpPi),
    blockGenetic: shared(ws.blockGenetic),
    blockCounts: shared(ws.blockCounts),
    probitStats: shared(ws.probitStats),
    eta: shared(ws.eta),
    blockGram: shared(ws.blockGram),
    blockGramValid: shared(ws.blockGramValid),
    blockMoments: shared(ws.blockMoments),
    blockMomentsValid: shared(ws.blockMomentsValid),
    partials: shared(ws.partials),
  };
}
