// The sweep's two inner loops — dot = Q_jᵀr and r += Q_j·d — as WebAssembly SIMD (two f64 lanes,
// float32 Q promoted exactly), assembled here from opcodes. The JavaScript fallback in
// `jsDot` keeps the same two-lane summation order, so both give bit-identical chains.
import { name, section, uleb, wasmApi } from '../numeric/wasm/encoding.js';

/** Q_jᵀr with two interleaved partial sums (even / odd elements), then the odd tail. */
export function jsDot(q: Float32Array, qOff: number, r: Float64Array, rOff: number, k: number): number {
  let a0 = 0;
  let a1 = 0;
  const n2 = k & ~1;
  for (let i = 0; i < n2; i += 2) {
    a0 += q[qOff + i]! * r[rOff + i]!;
    a1 += q[qOff + i + 1]! * r[rOff + i + 1]!;
  }
  let s = a0 + a1;
  if (k & 1) s += q[qOff + n2]! * r[rOff + n2]!;
  return s;
}

export function jsAxpy(q: Float32Array, qOff: number, r: Float64Array, rOff: number, k: number, d: number): void {
  for (let i = 0; i < k; i++) r[rOff + i] = r[rOff + i]! + q[qOff + i]! * d;
}

type Dot = (q: number, r: number, k: number) => number;
type Axpy = (q: number, r: number, k: number, d: number) => void;

const api = wasmApi;

const fn = (locals: number[][], body: number[]): number[] => {
  const decl = [...uleb(locals.length), ...locals.flat()];
  const code = [...decl, ...body, 0x0b];
  return [...uleb(code.length), ...code];
};

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const get = (l: number): number[] => [0x20, l];
const set = (l: number): number[] => [0x21, l];
const tee = (l: number): number[] => [0x22, l];
/** i32.const for 0 ≤ v < 64 (one signed LEB byte). */
const i32c = (v: number): number[] => [0x41, v];
const I32_MINUS_2 = [0x41, 0x7e];
const ADD = 0x6a;
const AND = 0x71;
const SHL = 0x74;
const GE_U = 0x4f;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const F64_PROMOTE = 0xbb;
const F32_LOAD = [0x2a, 2, 0];
const F64_LOAD = [0x2b, 3, 0];
const F64_STORE = [0x39, 3, 0];
const V128_LOAD = [0xfd, 0x00, 3, 0];
const V128_STORE = [0xfd, 0x0b, 3, 0];
const V128_LOAD64_ZERO = [0xfd, 0x5d, 3, 0];
const PROMOTE_LOW = [0xfd, 0x5f];
const F64X2_SPLAT = [0xfd, 0x14];
const F64X2_ADD = [0xfd, ...uleb(240)];
const F64X2_MUL = [0xfd, ...uleb(242)];
const lane = (i: number): number[] => [0xfd, 0x21, i];
/** address = base + (index << shift) */
const addr = (base: number, index: number, shift: number): number[] => [...get(base), ...get(index), ...i32c(shift), SHL, ADD];
const pairLoop = (i: number, n2: number, body: number[]): number[] => [
  ...i32c(0), ...set(i),
  0x02, 0x40, 0x03, 0x40,
  ...get(i), ...get(n2), GE_U, 0x0d, 1,
  ...body,
  ...get(i), ...i32c(2), ADD, ...set(i),
  0x0c, 0, 0x0b, 0x0b,
];

// dot(q 0, r 1, k 2) → f64; locals i 3, n2 4, acc 5 (v128), s 6 (f64)
const dotCode = fn([[2, I32], [1, V128], [1, F64]], [
  ...get(2), ...I32_MINUS_2, AND, ...set(4),
  0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...F64X2_SPLAT, ...set(5),
  ...pairLoop(3, 4, [
    ...get(5),
    ...addr(0, 3, 2), ...V128_LOAD64_ZERO, ...PROMOTE_LOW,
    ...addr(1, 3, 3), ...V128_LOAD,
    ...F64X2_MUL, ...F64X2_ADD, ...set(5),
  ]),
  ...get(5), ...lane(0), ...get(5), ...lane(1), F64_ADD, ...set(6),
  ...get(2), ...i32c(1), AND, 0x04, 0x40,
  ...get(6), ...addr(0, 4, 2), ...F32_LOAD, F64_PROMOTE, ...addr(1, 4, 3), ...F64_LOAD, F64_MUL, F64_ADD, ...set(6),
  0x0b,
  ...get(6),
]);

// axpy(q 0, r 1, k 2, d 3); locals i 4, n2 5, dv 6 (v128), at 7
const axpyCode = fn([[2, I32], [1, V128], [1, I32]], [
  ...get(2), ...I32_MINUS_2, AND, ...set(5),
  ...get(3), ...F64X2_SPLAT, ...set(6),
  ...pairLoop(4, 5, [
    ...addr(1, 4, 3), ...tee(7),
    ...get(7), ...V128_LOAD,
    ...addr(0, 4, 2), ...V128_LOAD64_ZERO, ...PROMOTE_LOW, ...get(6), ...F64X2_MUL,
    ...F64X2_ADD, ...V128_STORE,
  ]),
  ...get(2), ...i32c(1), AND, 0x04, 0x40,
  ...addr(1, 5, 3), ...tee(7), ...get(7), ...F64_LOAD,
  ...addr(0, 5, 2), ...F32_LOAD, F64_PROMOTE, ...get(3), F64_MUL, F64_ADD, ...F64_STORE,
  0x0b,
]);

const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [2, 0x60, 3, I32, I32, I32, 1, F64, 0x60, 4, I32, I32, I32, F64, 0]),
  ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]),
  ...section(3, [2, 0, 1]),
  ...section(7, [2, ...name('dot'), 0x00, 0, ...name('axpy'), 0x00, 1]),
  ...section(10, [2, ...dotCode, ...axpyCode]),
]);

const PAGE = 65536;

/** One thread's kernel: its own memory holding the Q of the blocks it sweeps, and one residual. */
export class WasmKernel {
  private readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly dot: Dot;
  readonly axpy: Axpy;
  private top = 0;
  f32: Float32Array;
  f64: Float64Array;

  private constructor(module: object, memory: WasmKernel['memory']) {
    this.memory = memory;
    const ex = new api!.Instance(module, { e: { m: memory } }).exports;
    this.dot = ex.dot as Dot;
    this.axpy = ex.axpy as Axpy;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  private static module: object | null | undefined;

  /** null where WebAssembly SIMD is unavailable (the JavaScript loops are used instead). */
  static create(): WasmKernel | null {
    if (WasmKernel.module === undefined) {
      WasmKernel.module = api && api.validate(MODULE) ? new api.Module(MODULE) : null;
    }
    const m = WasmKernel.module;
    return m && api ? new WasmKernel(m, new api.Memory({ initial: 1 })) : null;
  }

  /** Reserve `bytes` (16-byte aligned) and return the byte offset; views are refreshed on growth. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 15) & ~15;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) {
      this.memory.grow(Math.ceil(need / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
    return at;
  }

  /** Forget every allocation (the memory is kept for reuse). */
  reset(): void {
    this.top = 0;
  }
}
