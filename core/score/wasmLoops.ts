// The kernel's inner loops as a small WebAssembly module: SIMD adds two f64 columns per
// instruction and nothing is bounds-checked, several times the speed of the same loops in
// JavaScript. Every f64 lane is one IEEE addition in the same order as the JavaScript loops in
// scoreKernel.ts, so results are bit-identical; where WebAssembly SIMD is unavailable the kernel
// keeps the JavaScript loops. The module is assembled here from opcodes: no build step.
import { name, section, sleb, uleb, wasmApi } from '../numeric/wasm/encoding.js';

/** acc[i·spb + c] += table[idx[i]·twb + c], c < spb (byte offsets; spb, twb multiples of 16). */
export type AddAllColumns = (idx: number, n: number, table: number, twb: number, acc: number, spb: number) => void;
/** one[i] += table[idx[i]·twb + colb[i]] (colb: Int32 byte offset of each sample's column). */
export type AddChosenColumn = (idx: number, n: number, table: number, twb: number, colb: number, one: number) => void;
/**
 * Four .bed rows of nBytes bytes each at `rows`: per byte b, idx[b] = the four samples' table
 * indices (Int32), obs[b] / named[b] += the count lanes; k0..k3 = each row's lane-table byte
 * offset (kind · 1024); `lut` = SPREAD, OBSERVED_LANES, NAMED_LANES (Int32, 256 + 1280 + 1280).
 */
export type GatherGroup = (rows: number, nBytes: number, k0: number, k1: number, k2: number, k3: number, idx: number, obs: number, named: number, lut: number) => void;
/** out[(c0 | c1<<2 | c2<<4 | c3<<6)] = (t0[c0] + t1[c1]) + (t2[c2] + t3[c3]), rows of twb bytes (multiple of 16). */
export type BuildGroupTable = (t0: number, t1: number, t2: number, t3: number, twb: number, half: number, out: number) => void;

export interface WasmLoops {
  memory: { readonly buffer: ArrayBuffer };
  addAll: AddAllColumns;
  addChosen: AddChosenColumn;
  gather: GatherGroup;
  buildTable: BuildGroupTable;
}

const api = wasmApi;

// --- encoding -------------------------------------------------------------------------------



const I32 = 0x7f;
const get = (l: number): number[] => [0x20, l];
const set = (l: number): number[] => [0x21, l];
const tee = (l: number): number[] => [0x22, l];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = 0x6a;
const MUL = 0x6c;
const SHL = 0x74;
const SHR_U = 0x76;
const AND = 0x71;
const OR = 0x72;
const load8 = [0x2d, 0, 0];
const load32 = [0x28, 2, 0];
const store32 = [0x36, 2, 0];
const loadF64 = [0x2b, 3, 0];
const storeF64 = [0x39, 3, 0];
const F64_ADD = 0xa0;
const loadV128 = [0xfd, 0x00, 3, 0]; // alignment hint 8: f64 rows are 8-byte aligned
const storeV128 = [0xfd, 0x0b, 3, 0];
const F64X2_ADD = [0xfd, ...uleb(240)];
/** local a + local b */
const sum = (a: number, b: number): number[] => [...get(a), ...get(b), ADD];

/** for (i = 0; i < limit; i += step) body — limit is an instruction sequence. */
const forLoop = (i: number, limit: number[], step: number, body: number[]): number[] => [
  ...i32(0), ...set(i),
  0x02, 0x40, // block
  0x03, 0x40, // loop
  ...get(i), ...limit, 0x4f, 0x0d, 1, // i >= limit: leave the block
  ...body,
  ...get(i), ...i32(step), ADD, ...set(i),
  0x0c, 0, // continue
  0x0b, 0x0b,
];

// addAll(idx 0, n 1, table 2, twb 3, acc 4, spb 5); locals i 6, row 7, c 8
const addAllCode = forLoop(6, get(1), 1, [
  ...get(2), ...sum(0, 6), ...load8, ...get(3), MUL, ADD, ...set(7),
  ...forLoop(8, get(5), 16, [
    ...sum(4, 8),
    ...sum(4, 8), ...loadV128,
    ...sum(7, 8), ...loadV128,
    ...F64X2_ADD, ...storeV128,
  ]),
  ...sum(4, 5), ...set(4),
]);

// addChosen(idx 0, n 1, table 2, twb 3, colb 4, one 5); locals i 6, at 7
const addChosenCode = forLoop(6, get(1), 1, [
  ...get(5), ...get(6), ...i32(3), SHL, ADD, ...tee(7),
  ...get(7), ...loadF64,
  ...get(2), ...sum(0, 6), ...load8, ...get(3), MUL, ADD,
  ...get(4), ...get(6), ...i32(2), SHL, ADD, ...load32, ADD,
  ...loadF64, F64_ADD, ...storeF64,
]);

// gather(rows 0, nBytes 1, k0 2, k1 3, k2 4, k3 5, idx 6, obs 7, named 8, lut 9); locals:
// b 10, c0..c3 11-14 (codes as byte offsets c·4), at 15 (b·4), p 16 (rows + b), n2 17, n3 18,
// obs table per row 19-22, named table per row 23-26
const code = (c: number, rowOffset: number[]): number[] => [...get(16), ...rowOffset, ADD, ...load8, ...i32(2), SHL, ...set(c)];
const spread = (c: number, shift: number): number[] => [...get(9), ...get(c), ADD, ...load32, ...(shift ? [...i32(shift), SHL] : [])];
const lanes = (out: number, firstTable: number): number[] => [
  ...get(out), ...get(15), ADD,
  ...get(out), ...get(15), ADD, ...load32,
  ...sum(firstTable, 11), ...load32, ADD,
  ...sum(firstTable + 1, 12), ...load32, ADD,
  ...sum(firstTable + 2, 13), ...load32, ADD,
  ...sum(firstTable + 3, 14), ...load32, ADD,
  ...store32,
];
const laneBase = (local: number, k: number, table: number): number[] => [...get(9), ...i32(table), ADD, ...get(k), ADD, ...set(local)];
const gatherCode = [
  ...get(1), ...i32(2), MUL, ...set(17),
  ...get(1), ...i32(3), MUL, ...set(18),
  ...[0, 1, 2, 3].flatMap((q) => [...laneBase(19 + q, 2 + q, 1024), ...laneBase(23 + q, 2 + q, 1024 + 5 * 1024)]),
  ...forLoop(10, get(1), 1, [
    ...sum(0, 10), ...set(16),
    ...code(11, i32(0)), ...code(12, get(1)), ...code(13, get(17)), ...code(14, get(18)),
    ...get(10), ...i32(2), SHL, ...set(15),
    ...get(6), ...get(15), ADD,
    ...spread(11, 0), ...spread(12, 2), OR, ...spread(13, 4), OR, ...spread(14, 6), OR,
    ...store32,
    ...lanes(7, 19),
    ...lanes(8, 23),
  ]),
];

// buildTable(t0 0, t1 1, t2 2, t3 3, twb 4, half 5, out 6); locals lo 7, hi 8, c 9, a 10, b 11, o 12, h 13
const vadd = (dst: number[], x: number[], y: number[]): number[] => [...dst, ...x, ...loadV128, ...y, ...loadV128, ...F64X2_ADD, ...storeV128];
const at = (base: number, off: number): number[] => [...get(base), ...get(off), ADD, ...get(9), ADD];
const buildTableCode = [
  ...forLoop(7, i32(16), 1, [
    ...get(7), ...i32(3), AND, ...get(4), MUL, ...set(10),
    ...get(7), ...i32(2), SHR_U, ...get(4), MUL, ...set(11),
    ...get(7), ...get(4), MUL, ...set(12),
    ...forLoop(9, get(4), 16, [
      ...vadd([...get(5), ...get(12), ADD, ...get(9), ADD], at(0, 10), at(1, 11)),
      ...vadd([...get(5), ...get(12), ADD, ...get(4), ...i32(16), MUL, ADD, ...get(9), ADD], at(2, 10), at(3, 11)),
    ]),
  ]),
  ...forLoop(8, i32(16), 1, [
    ...get(5), ...get(8), ...i32(16), ADD, ...get(4), MUL, ADD, ...set(13),
    ...forLoop(7, i32(16), 1, [
      ...get(8), ...i32(4), SHL, ...get(7), OR, ...get(4), MUL, ...get(6), ADD, ...set(12),
      ...get(5), ...get(7), ...get(4), MUL, ADD, ...set(10),
      ...forLoop(9, get(4), 16, [
        ...vadd([...get(12), ...get(9), ADD], [...get(10), ...get(9), ADD], [...get(13), ...get(9), ADD]),
      ]),
    ]),
  ]),
];

const body = (locals: number, code: number[]): number[] => {
  const b = [1, locals, I32, ...code, 0x0b];
  return [...uleb(b.length), ...b];
};
const funcType = (params: number): number[] => [0x60, params, ...new Array<number>(params).fill(I32), 0];

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [3, ...funcType(6), ...funcType(10), ...funcType(7)]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]),
  ...section(3, [4, 0, 0, 1, 2]),
  ...section(7, [4, ...name('addAll'), 0, 0, ...name('addChosen'), 0, 1, ...name('gather'), 0, 2, ...name('buildTable'), 0, 3]),
  ...section(10, [4, ...body(3, addAllCode), ...body(2, addChosenCode), ...body(17, gatherCode), ...body(7, buildTableCode)]),
]);

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = api?.validate(MODULE_BYTES) ? new api.Module(MODULE_BYTES) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * An instance over a fresh memory of at least `bytes`; null where WebAssembly SIMD is
 * unavailable or the memory would pass WebAssembly's 4 GiB (then the JS loops run).
 */
export function instantiateLoops(bytes: number): WasmLoops | null {
  const m = module();
  if (!m || !api) return null;
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (pages > 65536) return null;
  let memory: { readonly buffer: ArrayBuffer };
  try {
    memory = new api.Memory({ initial: pages, maximum: pages });
  } catch {
    return null; // no room for this memory: the JS loops allocate ordinary arrays instead
  }
  const { exports } = new api.Instance(m, { env: { memory } });
  return {
    memory,
    addAll: exports.addAll as AddAllColumns,
    addChosen: exports.addChosen as AddChosenColumn,
    gather: exports.gather as GatherGroup,
    buildTable: exports.buildTable as BuildGroupTable,
  };
}
