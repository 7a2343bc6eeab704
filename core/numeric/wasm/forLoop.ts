// A counted loop in WebAssembly's structured control flow: a block to leave, a loop to repeat.
import { BLOCK, BR, BR_IF, END, I32_ADD, I32_GE_U, LOOP, VOID, i32Const, localGet, localSet } from './opcodes.js';

/** for (local i = 0; i < limit (unsigned); i += step) body, where `limit` is an instruction sequence. */
export const forLoop = (i: number, limit: number[], step: number, body: number[]): number[] => [
  ...i32Const(0), ...localSet(i),
  BLOCK, VOID,
  LOOP, VOID,
  ...localGet(i), ...limit, I32_GE_U, BR_IF, 1, // i >= limit: leave the block
  ...body,
  ...localGet(i), ...i32Const(step), I32_ADD, ...localSet(i),
  BR, 0, // repeat
  END, END,
];
