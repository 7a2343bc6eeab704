// The sweep's two inner loops — dot = Q_jᵀr and r += Q_j·d — as WebAssembly SIMD (two f64 lanes,
// float32 Q promoted exactly), assembled here from opcodes. The JavaScript fallback in
// `jsDot` keeps the same two-lane summation order, so both give bit-identical chains.
import { SECTION, exportFunc, funcBody, funcType, importMemory, section, vec, wasmApi, wasmModule } from '../numeric/wasm/encoding.js';
import { forLoop } from '../numeric/wasm/forLoop.js';
import {
  END, F32_LOAD, F64, F64X2_ADD, F64X2_MUL, F64X2_PROMOTE_LOW_F32X4, F64X2_SPLAT, F64_ADD, F64_LOAD, F64_MUL, F64_PROMOTE_F32,
  F64_STORE, I32, I32_ADD, I32_AND, I32_SHL, IF, V128, V128_LOAD, V128_LOAD64_ZERO, V128_STORE, VOID,
  f64Const, f64x2ExtractLane as lane, i32Const, localGet as get, localSet as set, localTee as tee,
} from '../numeric/wasm/opcodes.js';

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

/** address = base + (index << shift) */
const addr = (base: number, index: number, shift: number): number[] => [...get(base), ...get(index), ...i32Const(shift), I32_SHL, I32_ADD];
/** for (i = 0; i < n2; i += 2) body */
const pairLoop = (i: number, n2: number, body: number[]): number[] => forLoop(i, get(n2), 2, body);

// dot(q 0, r 1, k 2) → f64; locals i 3, n2 4, acc 5 (v128), s 6 (f64)
const dotCode = funcBody([[2, I32], [1, V128], [1, F64]], [
  ...get(2), ...i32Const(-2), I32_AND, ...set(4),
  ...f64Const(0), ...F64X2_SPLAT, ...set(5),
  ...pairLoop(3, 4, [
    ...get(5),
    ...addr(0, 3, 2), ...V128_LOAD64_ZERO, ...F64X2_PROMOTE_LOW_F32X4,
    ...addr(1, 3, 3), ...V128_LOAD,
    ...F64X2_MUL, ...F64X2_ADD, ...set(5),
  ]),
  ...get(5), ...lane(0), ...get(5), ...lane(1), F64_ADD, ...set(6),
  ...get(2), ...i32Const(1), I32_AND, IF, VOID,
  ...get(6), ...addr(0, 4, 2), ...F32_LOAD, F64_PROMOTE_F32, ...addr(1, 4, 3), ...F64_LOAD, F64_MUL, F64_ADD, ...set(6),
  END,
  ...get(6),
]);

// axpy(q 0, r 1, k 2, d 3); locals i 4, n2 5, dv 6 (v128), at 7
const axpyCode = funcBody([[2, I32], [1, V128], [1, I32]], [
  ...get(2), ...i32Const(-2), I32_AND, ...set(5),
  ...get(3), ...F64X2_SPLAT, ...set(6),
  ...pairLoop(4, 5, [
    ...addr(1, 4, 3), ...tee(7),
    ...get(7), ...V128_LOAD,
    ...addr(0, 4, 2), ...V128_LOAD64_ZERO, ...F64X2_PROMOTE_LOW_F32X4, ...get(6), ...F64X2_MUL,
    ...F64X2_ADD, ...V128_STORE,
  ]),
  ...get(2), ...i32Const(1), I32_AND, IF, VOID,
  ...addr(1, 5, 3), ...tee(7), ...get(7), ...F64_LOAD,
  ...addr(0, 5, 2), ...F32_LOAD, F64_PROMOTE_F32, ...get(3), F64_MUL, F64_ADD, ...F64_STORE,
  END,
]);

const MODULE = wasmModule([
  section(SECTION.type, vec([funcType([I32, I32, I32], [F64]), funcType([I32, I32, I32, F64], [])])),
  section(SECTION.import, vec([importMemory('e', 'm', 1)])),
  section(SECTION.function, vec([[0], [1]])),
  section(SECTION.export, vec([exportFunc('dot', 0), exportFunc('axpy', 1)])),
  section(SECTION.code, vec([dotCode, axpyCode])),
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
