// Chain state ⇄ bytes. Layout: magic, uint32 header length, JSON header (scalars and the
// name/type/length of each array), the arrays in header order each 8-byte aligned, then a
// SHA-256 of everything before it so a torn or corrupted file is refused, not resumed from.
import { createHash } from 'node:crypto';
import { N_STATS, N_STATS_V1, type ChainState } from './chainState.js';
import { CheckpointError } from '../errors.js';

const MAGIC = 'PGSFLOW-SBAYESRC-CHAIN-4';
const DIGEST_BYTES = 32;

type ArrayKey = { [K in keyof ChainState]: ChainState[K] extends number ? never : K }[keyof ChainState];
type ArrayType = 'f64' | 'u8' | 'u32';

const ARRAYS: readonly (readonly [ArrayKey, ArrayType])[] = [
  ['beta', 'f64'],
  ['delta', 'u8'],
  ['removed', 'u8'],
  ['residual', 'f64'],
  ['sigma2e', 'f64'],
  ['pi', 'f64'],
  ['alpha', 'f64'],
  ['sigma2Alpha', 'f64'],
  ['rng', 'u32'],
  ['betaSum', 'f64'],
  ['beta2Sum', 'f64'],
  ['pipSum', 'f64'],
  ['runningSum', 'f64'],
  ['piSum', 'f64'],
  ['alphaSum', 'f64'],
  ['componentSum', 'f64'],
  ['sigma2eSum', 'f64'],
  ['enrichmentSum', 'f64'],
  ['jointSum', 'f64'],
  ['trace', 'f64'],
  ['stats', 'f64'],
];

interface Header {
  magic: string;
  seed: number;
  sweep: number;
  sigma2g: number;
  lengths: number[];
}

const pad8 = (n: number): number => (n + 7) & ~7;
const BYTES: Record<ArrayType, number> = { f64: 8, u8: 1, u32: 4 };

export function checkpoint(st: ChainState): Uint8Array {
  const header: Header = { magic: MAGIC, seed: st.seed, sweep: st.sweep, sigma2g: st.sigma2g, lengths: ARRAYS.map(([k]) => st[k].length) };
  const head = new TextEncoder().encode(JSON.stringify(header));
  let size = pad8(4 + head.length);
  for (const [k, t] of ARRAYS) size += pad8(st[k].length * BYTES[t]);
  const out = new Uint8Array(size + DIGEST_BYTES);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = pad8(4 + head.length);
  for (const [k] of ARRAYS) {
    const a = st[k];
    // Typed arrays are host-endian; pgsflow runs on little-endian hosts only (as the LD reader).
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  out.set(createHash('sha256').update(out.subarray(0, size)).digest(), size);
  return out;
}

export function restore(bytes: Uint8Array): ChainState {
  if (bytes.length < 4 + DIGEST_BYTES) throw new CheckpointError('checkpoint truncated');
  const size = bytes.length - DIGEST_BYTES;
  const digest = createHash('sha256').update(bytes.subarray(0, size)).digest();
  if (!digest.equals(bytes.subarray(size))) throw new CheckpointError('checkpoint digest mismatch (torn or corrupted file)');
  const headLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLen))) as Header;
  if (header.magic !== MAGIC || header.lengths.length !== ARRAYS.length) throw new CheckpointError(`not a pgsflow chain checkpoint (${String(header.magic)})`);
  let at = pad8(4 + headLen);
  const arrays: Partial<Record<ArrayKey, Float64Array | Uint8Array | Uint32Array>> = {};
  ARRAYS.forEach(([k, t], i) => {
    const n = header.lengths[i]!;
    const nb = n * BYTES[t];
    if (at + nb > size) throw new CheckpointError('checkpoint truncated');
    // A fresh, aligned buffer (not bytes.slice: on a Node Buffer that is a view of the whole pool).
    const own = new Uint8Array(nb);
    own.set(bytes.subarray(at, at + nb));
    const copy = own.buffer;
    arrays[k] = t === 'f64' ? new Float64Array(copy) : t === 'u32' ? new Uint32Array(copy) : new Uint8Array(copy);
    at += pad8(nb);
  });
  const f = (k: ArrayKey): Float64Array => arrays[k] as Float64Array;
  return {
    seed: header.seed,
    sweep: header.sweep,
    sigma2g: header.sigma2g,
    beta: f('beta'),
    delta: arrays.delta as Uint8Array,
    removed: arrays.removed as Uint8Array,
    residual: f('residual'),
    sigma2e: f('sigma2e'),
    pi: f('pi'),
    alpha: f('alpha'),
    sigma2Alpha: f('sigma2Alpha'),
    rng: arrays.rng as Uint32Array,
    betaSum: f('betaSum'),
    beta2Sum: f('beta2Sum'),
    pipSum: f('pipSum'),
    runningSum: f('runningSum'),
    piSum: f('piSum'),
    alphaSum: f('alphaSum'),
    componentSum: f('componentSum'),
    sigma2eSum: f('sigma2eSum'),
    enrichmentSum: f('enrichmentSum'),
    jointSum: f('jointSum'),
    trace: f('trace'),
    stats: padStats(f('stats')),
  };
}

/**
 * Checkpoints from before the .par accumulators hold the first N_STATS_V1 stats only: the rest
 * start at zero (their own draw count included), so resuming such a chain stays possible.
 */
function padStats(stats: Float64Array): Float64Array {
  if (stats.length >= N_STATS) return stats;
  if (stats.length !== N_STATS_V1) throw new CheckpointError(`checkpoint holds ${stats.length} chain statistics, expected ${N_STATS}`);
  const out = new Float64Array(N_STATS);
  out.set(stats);
  return out;
}
