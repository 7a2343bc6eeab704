// Reads the .bed bytes of the variants a score uses, window by window, across one or more
// filesets (variants numbered consecutively over them). Windows skip stretches without a used
// variant, and the next window is read while the caller works on the current one.
import { type FileHandle, open } from 'node:fs/promises';
import { fsError } from '../formats/text.js';

export interface BedSource {
  bed: string;
  /** Index of the fileset's first variant in the consecutive numbering. */
  firstVariant: number;
  nVariants: number;
}

interface Window {
  source: number;
  firstVariant: number;
  nVariants: number;
}

const BED_HEADER = 3;

function planWindows(sources: readonly BedSource[], variants: Int32Array, perWindow: number): Window[] {
  const out: Window[] = [];
  let r = 0;
  sources.forEach((s, si) => {
    const end = s.firstVariant + s.nVariants;
    while (r < variants.length && variants[r]! < end) {
      const first = variants[r]!;
      if (first < s.firstVariant) throw new Error(`variant ${first} precedes fileset ${s.bed}`);
      const n = Math.min(perWindow, end - first);
      out.push({ source: si, firstVariant: first, nVariants: n });
      while (r < variants.length && variants[r]! < first + n) r++;
    }
  });
  if (r !== variants.length) throw new Error(`variant ${variants[r]} is beyond the genotype files`);
  return out;
}

/**
 * Calls `onWindow` with packed bytes (variant-major, `bytesPerVariant` each) of windows that
 * together cover every variant in `variants` (ascending). `shared` backs the buffers with
 * SharedArrayBuffer, so worker threads can read them without a copy.
 */
export async function forEachBedWindow(
  sources: readonly BedSource[],
  bytesPerVariant: number,
  variants: Int32Array,
  shared: boolean,
  onWindow: (packed: Uint8Array, firstVariant: number, nVariants: number) => Promise<void>,
  windowBytes = 4 << 20,
): Promise<void> {
  const perWindow = Math.max(1, Math.floor(windowBytes / bytesPerVariant));
  const windows = planWindows(sources, variants, perWindow);
  if (windows.length === 0) return;
  const size = perWindow * bytesPerVariant;
  const buffers = [0, 1].map(() => new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)));
  const handles: (FileHandle | null)[] = sources.map(() => null);
  const read = async (k: number): Promise<Uint8Array> => {
    const w = windows[k]!;
    const s = sources[w.source]!;
    let fh = handles[w.source];
    if (!fh) {
      try {
        fh = await open(s.bed, 'r');
      } catch (e) {
        throw fsError(s.bed, e);
      }
      handles[w.source] = fh;
    }
    const length = w.nVariants * bytesPerVariant;
    const buf = buffers[k % 2]!.subarray(0, length);
    const position = BED_HEADER + (w.firstVariant - s.firstVariant) * bytesPerVariant;
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) throw new Error(`${s.bed}: ended ${length - got} bytes early at offset ${position + got} (file changed while scoring?)`);
      got += bytesRead;
    }
    return buf;
  };
  try {
    let next: Promise<Uint8Array> | null = read(0);
    for (let k = 0; k < windows.length; k++) {
      const current: Uint8Array = await next!;
      next = k + 1 < windows.length ? read(k + 1) : null;
      // A failed prefetch is reported by the await above on the next turn, or dropped with us.
      next?.catch(() => {});
      await onWindow(current, windows[k]!.firstVariant, windows[k]!.nVariants);
    }
    if (next) await next;
  } finally {
    await Promise.all(handles.map((h) => h?.close()));
  }
}
