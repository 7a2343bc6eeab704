// The per-sweep hand-over between the main thread and block workers, in shared memory: the
// hyper-parameters every block needs (γσ²g, the log-π stride, α for the native kernel's own
// log π) as one Float64Array per chain, and Int32 control words for Atomics.wait / notify. Units
// (a block of one chain: several chains can sweep in lockstep) are claimed one at a time from a shared counter by whichever thread is free (the main thread
// included), so a thread the OS parks (other jobs on the machine) holds up at most the block it
// is in. Which thread sweeps a block never matters: each block reads and writes only its own
// data and PRNG stream.
import { N_COMPONENTS } from './mixture.js';
import { sweepBlocks, type BlockSweepTarget, type SweepParams } from './sampler.js';

/** Control words: [0] sweep command (sweep number, or CTRL_STOP), [1] claim tag | next unit, [2] units done this sweep, [3] failure flag. */
export const CTRL = { command: 0, claim: 1, done: 2, failed: 3, length: 4 } as const;
/** Command word value that tells workers to leave their loop. */
export const CTRL_STOP = -1;
/** Units (blocks × chains) per sweep the 16-bit claim counter can hand out. */
export const MAX_CLAIM_UNITS = 0xffff;

/** The claim word of sweep `seq`: its low 15 bits tag the high half, the next unit index the low half. */
export function claimTag(seq: number): number {
  return (seq & 0x7fff) << 16;
}

/** The chains swept this sweep, as Int32 over shared memory: [count, chain, chain, …]. */
export function activeChainsBuffer(chains: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (1 + chains)));
}

/** Units of one sweep: every block of every active chain. */
export function unitCount(order: Int32Array, active: Int32Array): number {
  return order.length * active[0]!;
}

/**
 * Claim and sweep units of sweep `seq` until none is left. Unit u is block order[⌊u / a⌋] of
 * the (u mod a)-th active chain (a chains this sweep): the largest blocks of every chain first.
 * A thread that wakes late sees another sweep's tag (or an exhausted counter) and claims nothing.
 */
export function claimUnits(
  control: Int32Array,
  seq: number,
  targets: readonly BlockSweepTarget[],
  params: readonly (SweepParams | null)[],
  order: Int32Array,
  active: Int32Array,
): void {
  const tag = claimTag(seq);
  const a = active[0]!;
  const n = order.length * a;
  const one = new Int32Array(1);
  for (;;) {
    const v = Atomics.load(control, CTRL.claim);
    if ((v & ~0xffff) !== tag) return;
    const i = v & 0xffff;
    if (i >= n) return;
    if (Atomics.compareExchange(control, CTRL.claim, v, v + 1) !== v) continue;
    const c = active[1 + (i % a)]!;
    one[0] = order[Math.floor(i / a)]!;
    sweepBlocks(targets[c]!, params[c]!, one);
    if (Atomics.add(control, CTRL.done, 1) + 1 === n) Atomics.notify(control, CTRL.done);
  }
}

/**
 * How long a thread that is about to sleep on a control word first spins on it. Sleeping and
 * waking (futex) costs 50–200 µs on a VM, against sweeps of 1–4 ms of which the main thread's
 * own part is ~0.05 ms: without the spin, two threads gained 1.3× instead of 1.6×. A spin
 * that outlasts this falls back to Atomics.wait, so an idle chain does not burn a core.
 */
export const SPIN_MS = 1;

/** Spin until control[at] !== value, for at most SPIN_MS; true when it changed. */
export function spinWhile(control: Int32Array, at: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    if (Atomics.load(control, at) !== value) return true;
    if (performance.now() >= until) return false;
  }
}

/** Spin until control[at] === value, for at most SPIN_MS; true when it got there. */
export function spinUntil(control: Int32Array, at: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    if (Atomics.load(control, at) === value) return true;
    if (performance.now() >= until) return false;
  }
}

/** Layout: sigma2[5], piStride, post-burn-in flag (0/1), alpha length (−1: null), alpha… */
const AT = { piStride: N_COMPONENTS, postBurnIn: N_COMPONENTS + 1, alphaLength: N_COMPONENTS + 2, alpha: N_COMPONENTS + 3 } as const;

export function paramsBuffer(alphaLength: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * (AT.alpha + alphaLength)));
}

export function writeParams(p: SweepParams, out: Float64Array): void {
  for (let k = 0; k < N_COMPONENTS; k++) out[k] = p.sigma2[k]!;
  out[AT.piStride] = p.piStride;
  out[AT.postBurnIn] = p.postBurnIn ? 1 : 0;
  out[AT.alphaLength] = p.alpha ? p.alpha.length : -1;
  if (p.alpha) out.set(p.alpha, AT.alpha);
}

export function readParams(buf: Float64Array): SweepParams {
  const n = buf[AT.alphaLength]!;
  return {
    sigma2: Array.from(buf.subarray(0, N_COMPONENTS)),
    piStride: buf[AT.piStride]!,
    alpha: n < 0 ? null : Float64Array.from(buf.subarray(AT.alpha, AT.alpha + n)),
    postBurnIn: buf[AT.postBurnIn] === 1,
  };
}
