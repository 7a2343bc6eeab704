// The WebAssembly instructions the hand-assembled kernels use, as the bytes they encode to:
// a number for a one-byte opcode, an array for a prefixed opcode or one with a fixed immediate
// (spread it), a function for one whose immediate varies. Names follow the text format.
import { sleb, uleb } from './leb128.js';

// Value types, and the block type of a block that yields nothing.
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const VOID = 0x40;

// Control.
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const IF = 0x04;
export const END = 0x0b;
export const BR = 0x0c;
export const BR_IF = 0x0d;

// Locals and constants.
export const localGet = (index: number): number[] => [0x20, ...uleb(index)];
export const localSet = (index: number): number[] => [0x21, ...uleb(index)];
export const localTee = (index: number): number[] => [0x22, ...uleb(index)];
export const i32Const = (value: number): number[] => [0x41, ...sleb(value)];
export const f64Const = (value: number): number[] => {
  const bytes = new DataView(new ArrayBuffer(8));
  bytes.setFloat64(0, value, true);
  return [0x44, ...new Uint8Array(bytes.buffer)];
};

// Memory: memarg = log2 alignment, offset 0 (addresses are computed in full).
export const I32_LOAD = [0x28, 2, 0];
export const F32_LOAD = [0x2a, 2, 0];
export const F64_LOAD = [0x2b, 3, 0];
export const I32_LOAD8_U = [0x2d, 0, 0];
export const I32_STORE = [0x36, 2, 0];
export const F64_STORE = [0x39, 3, 0];

// Integer and float arithmetic.
export const I32_GE_U = 0x4f;
export const I32_ADD = 0x6a;
export const I32_MUL = 0x6c;
export const I32_AND = 0x71;
export const I32_OR = 0x72;
export const I32_SHL = 0x74;
export const I32_SHR_U = 0x76;
export const F64_ADD = 0xa0;
export const F64_MUL = 0xa2;
export const F64_PROMOTE_F32 = 0xbb;

// SIMD: prefix 0xfd, then the opcode as unsigned LEB128. v128 loads and stores hint 8-byte
// alignment, not 16: rows of f64 are only 8-byte aligned.
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const V128_LOAD = [...simd(0x00), 3, 0];
export const V128_STORE = [...simd(0x0b), 3, 0];
export const V128_LOAD64_ZERO = [...simd(0x5d), 3, 0];
export const F64X2_SPLAT = simd(0x14);
export const f64x2ExtractLane = (lane: number): number[] => [...simd(0x21), lane];
export const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
export const F64X2_ADD = simd(0xf0);
export const F64X2_MUL = simd(0xf2);
