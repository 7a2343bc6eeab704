// The kernel's inner loops as a small WebAssembly module: SIMD adds two f64 columns per
// instruction and nothing is bounds-checked, several times the speed of the same loops in
// JavaScript. Every f64 lane is one IEEE addition in the same order as the JavaScript loops in
// scoreKernel.ts, so results are bit-identical; where WebAssembly SIMD is unavailable the kernel
// keeps the JavaScript loops. The module is assembled here from opcodes: no build step.
import { SECTION, exportFunc, funcBody, funcType, importMemory, section, vec, wasmApi, wasmModule } from '../numeric/wasm/encoding.js';
import { forLoop } from '../numeric/wasm/forLoop.js';
import {
  F64X2_ADD, F64_ADD, F64_LOAD, F64_STORE, I32, I32_ADD, I32_AND, I32_LOAD, I32_LOAD8_U, I32_MUL, I32_OR, I32_SHL, I32_SHR_U,
  I32_STORE, V128_LOAD, V128_STORE, i32Const, localGet as get, localSet as set, localTee as tee,
} from '../numeric/wasm/opcodes.js';

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

/** local a + local b */
const sum = (a: number, b: number): number[] => [...get(a), ...get(b), I32_ADD];

// addAll(idx 0, n 1, table 2, twb 3, acc 4, spb 5); locals i 6, row 7, c 8
const addAllCode = forLoop(6, get(1), 1, [
  ...get(2), ...sum(0, 6), ...I32_LOAD8_U, ...get(3), I32_MUL, I32_ADD, ...set(7),
  ...forLoop(8, get(5), 16, [
    ...sum(4, 8),
    ...sum(4, 8), ...V128_LOAD,
    ...sum(7, 8), ...V128_LOAD,
    ...F64X2_ADD, ...V128_STORE,
  ]),
  ...sum(4, 5), ...set(4),
]);

// addChosen(idx 0, n 1, table 2, twb 3, colb 4, one 5); locals i 6, at 7
const addChosenCode = forLoop(6, get(1), 1, [
  ...get(5), ...get(6), ...i32Const(3), I32_SHL, I32_ADD, ...tee(7),
  ...get(7), ...F64_LOAD,
  ...get(2), ...sum(0, 6), ...I32_LOAD8_U, ...get(3), I32_MUL, I32_ADD,
  ...get(4), ...get(6), ...i32Const(2), I32_SHL, I32_ADD, ...I32_LOAD, I32_ADD,
  ...F64_LOAD, F64_ADD, ...F64_STORE,
]);

// gather(rows 0, nBytes 1, k0 2, k1 3, k2 4, k3 5, idx 6, obs 7, named 8, lut 9); locals:
// b 10, c0..c3 11-14 (codes as byte offsets c·4), at 15 (b·4), p 16 (rows + b), n2 17, n3 18,
// obs table per row 19-22, named table per row 23-26
const code = (c: number, rowOffset: number[]): number[] => [...get(16), ...rowOffset, I32_ADD, ...I32_LOAD8_U, ...i32Const(2), I32_SHL, ...set(c)];
const spread = (c: number, shift: number): number[] => [...get(9), ...get(c), I32_ADD, ...I32_LOAD, ...(shift ? [...i32Const(shift), I32_SHL] : [])];
const lanes = (out: number, firstTable: number): number[] => [
  ...get(out), ...get(15), I32_ADD,
  ...get(out), ...get(15), I32_ADD, ...I32_LOAD,
  ...sum(firstTable, 11), ...I32_LOAD, I32_ADD,
  ...sum(firstTable + 1, 12), ...I32_LOAD, I32_ADD,
  ...sum(firstTable + 2, 13), ...I32_LOAD, I32_ADD,
  ...sum(firstTable + 3, 14), ...I32_LOAD, I32_ADD,
  ...I32_STORE,
];
const laneBase = (local: number, k: number, table: number): number[] => [...get(9), ...i32Const(table), I32_ADD, ...get(k), I32_ADD, ...set(local)];
const gatherCode = [
  ...get(1), ...i32Const(2), I32_MUL, ...set(17),
  ...get(1), ...i32Const(3), I32_MUL, ...set(18),
  ...[0, 1, 2, 3].flatMap((q) => [...laneBase(19 + q, 2 + q, 1024), ...laneBase(23 + q, 2 + q, 1024 + 5 * 1024)]),
  ...forLoop(10, get(1), 1, [
    ...sum(0, 10), ...set(16),
    ...code(11, i32Const(0)), ...code(12, get(1)), ...code(13, get(17)), ...code(14, get(18)),
    ...get(10), ...i32Const(2), I32_SHL, ...set(15),
    ...get(6), ...get(15), I32_ADD,
    ...spread(11, 0), ...spread(12, 2), I32_OR, ...spread(13, 4), I32_OR, ...spread(14, 6), I32_OR,
    ...I32_STORE,
    ...lanes(7, 19),
    ...lanes(8, 23),
  ]),
];

// buildTable(t0 0, t1 1, t2 2, t3 3, twb 4, half 5, out 6); locals lo 7, hi 8, c 9, a 10, b 11, o 12, h 13
const vadd = (dst: number[], x: number[], y: number[]): number[] => [...dst, ...x, ...V128_LOAD, ...y, ...V128_LOAD, ...F64X2_ADD, ...V128_STORE];
const at = (base: number, off: number): number[] => [...get(base), ...get(off), I32_ADD, ...get(9), I32_ADD];
const buildTableCode = [
  ...forLoop(7, i32Const(16), 1, [
    ...get(7), ...i32Const(3), I32_AND, ...get(4), I32_MUL, ...set(10),
    ...get(7), ...i32Const(2), I32_SHR_U, ...get(4), I32_MUL, ...set(11),
    ...get(7), ...get(4), I32_MUL, ...set(12),
    ...forLoop(9, get(4), 16, [
      ...vadd([...get(5), ...get(12), I32_ADD, ...get(9), I32_ADD], at(0, 10), at(1, 11)),
      ...vadd([...get(5), ...get(12), I32_ADD, ...get(4), ...i32Const(16), I32_MUL, I32_ADD, ...get(9), I32_ADD], at(2, 10), at(3, 11)),
    ]),
  ]),
  ...forLoop(8, i32Const(16), 1, [
    ...get(5), ...get(8), ...i32Const(16), I32_ADD, ...get(4), I32_MUL, I32_ADD, ...set(13),
    ...forLoop(7, i32Const(16), 1, [
      ...get(8), ...i32Const(4), I32_SHL, ...get(7), I32_OR, ...get(4), I32_MUL, ...get(6), I32_ADD, ...set(12),
      ...get(5), ...get(7), ...get(4), I32_MUL, I32_ADD, ...set(10),
      ...forLoop(9, get(4), 16, [
        ...vadd([...get(12), ...get(9), I32_ADD], [...get(10), ...get(9), I32_ADD], [...get(13), ...get(9), I32_ADD]),
      ]),
    ]),
  ]),
];

const MODULE_BYTES = wasmModule([
  section(SECTION.type, vec([6, 10, 7].map((params) => funcType(new Array<number>(params).fill(I32), [])))),
  section(SECTION.import, vec([importMemory('env', 'memory', 1)])),
  section(SECTION.function, vec([[0], [0], [1], [2]])),
  section(SECTION.export, vec([exportFunc('addAll', 0), exportFunc('addChosen', 1), exportFunc('gather', 2), exportFunc('buildTable', 3)])),
  section(SECTION.code, vec([
    funcBody([[3, I32]], addAllCode),
    funcBody([[2, I32]], addChosenCode),
    funcBody([[17, I32]], gatherCode),
    funcBody([[7, I32]], buildTableCode),
  ])),
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
