// A minimal WebAssembly binary encoder shared by the hand-assembled SIMD kernels (scoring and the
// SBayesRC sweep): names, vectors, sections, function types and bodies, and the slice of the
// WebAssembly JS API we use (the project's TypeScript libs do not declare it). Kernels are
// assembled in place from opcodes.ts, so there is no build step and no binary in the repository.
import { uleb } from './leb128.js';
import { END } from './opcodes.js';

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** The runtime's WebAssembly API, or undefined where there is none (callers fall back to JS). */
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Section ids, in the order a module must give them. */
export const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

/** A length-prefixed ASCII name (imports, exports). */
export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** A vector: the item count, then the items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** A module section: id, byte length, body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A function type (type section entry). */
export const funcType = (params: number[], results: number[]): number[] => [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];

/** A function body (code section entry): locals as [count, value type] runs, then the code. */
export const funcBody = (locals: [count: number, type: number][], code: number[]): number[] => {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, END];
  return [...uleb(body.length), ...body];
};

/** An import of a memory of at least `minPages` pages (no maximum). */
export const importMemory = (module: string, field: string, minPages: number): number[] => [...name(module), ...name(field), 0x02, 0x00, ...uleb(minPages)];

/** An export of function `index`. */
export const exportFunc = (exportName: string, index: number): number[] => [...name(exportName), 0x00, ...uleb(index)];

/** The module: magic, version 1, then the sections. */
export const wasmModule = (sections: number[][]): Uint8Array => Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
