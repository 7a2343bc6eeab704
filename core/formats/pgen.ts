// PLINK 2 filesets (.pgen + .pvar[.zst] + .psam) as a DosageSource: ALT dosages exactly as
// plink2 holds them. The .psam, the .pvar and the .pgen record index are read when the fileset
// is opened (so a .pgen that does not belong to its .pvar/.psam, or is truncated, is refused
// before any study work); records are then read window by window, never the whole .pgen.
import { type FileHandle, open, stat } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import type { DosageChunk, DosageReadSummary, DosageSource, SkippedRecords } from '../genotypes/dosageSource.js';
import { PgenRecordDecoder, type PgenIndex, readPgenIndex } from './pgenRecords.js';
import { readPsam } from './psam.js';
import { type PvarTable, readPvar } from './pvar.js';
import { fsError, requireRegularFile } from './text.js';
import type { BimTable } from './types.js';

export interface PfilePaths {
  pgen: string;
  pvar: string;
  psam: string;
}

/** Bytes of .pgen read at a time (more when one record is longer). */
const WINDOW_BYTES = 4 << 20;

const MULTI_ALLELIC = 'multi-allelic (the .pvar ALT lists more than one allele): not read as dosages';

/** `prefix` as given to plink2 --pfile; a trailing .pgen/.pvar/.pvar.zst/.psam is tolerated. */
export async function resolvePfile(prefix: string): Promise<PfilePaths> {
  const base = prefix.replace(/\.(pgen|pvar|pvar\.zst|psam)$/, '');
  const paths = { pgen: `${base}.pgen`, pvar: `${base}.pvar`, psam: `${base}.psam` };
  if (!(await isFile(paths.pvar)) && (await isFile(`${base}.pvar.zst`))) paths.pvar = `${base}.pvar.zst`;
  for (const p of [paths.pgen, paths.pvar, paths.psam]) await requireRegularFile(p);
  return paths;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function openPgen(prefix: string): Promise<DosageSource> {
  const paths = await resolvePfile(prefix);
  const samples = await readPsam(paths.psam);
  const pvar = await readPvar(paths.pvar);
  const index = await withPgen(paths.pgen, (fh) => readPgenIndex(fh, paths.pgen, samples.iid.length));
  if (index.nSamples !== samples.iid.length) {
    throw new BadInputError(paths.psam, `lists ${samples.iid.length} samples, but the header of ${paths.pgen} says ${index.nSamples}`);
  }
  if (index.nVariants !== pvar.id.length) {
    throw new BadInputError(paths.pvar, `lists ${pvar.id.length} variants, but the header of ${paths.pgen} says ${index.nVariants}`);
  }
  return {
    format: 'pgen',
    files: [paths.pgen, paths.pvar, paths.psam],
    samples,
    read: (chunkVariants, onChunk) => readDosages(index, pvar, chunkVariants, onChunk),
  };
}

async function withPgen<T>(path: string, use: (fh: FileHandle) => Promise<T>): Promise<T> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    return await use(fh);
  } finally {
    await fh.close();
  }
}

async function readDosages(
  index: PgenIndex,
  pvar: PvarTable,
  chunkVariants: number,
  onChunk: (chunk: DosageChunk) => void | Promise<void>,
): Promise<DosageReadSummary> {
  if (!Number.isInteger(chunkVariants) || chunkVariants < 1) throw new RangeError(`chunkVariants must be a positive integer, got ${chunkVariants}`);
  const { file, nVariants: m, nSamples: n, offsets } = index;
  const multi: SkippedRecords = { reason: MULTI_ALLELIC, count: 0, examples: [] };
  const decoder = new PgenRecordDecoder(index);
  const window = new Uint8Array(Math.max(WINDOW_BYTES, index.maxRecordBytes));
  let winStart = 0; // file offset of window[0]
  let winEnd = 0; // file offset just past the valid bytes
  const rows = Math.min(chunkVariants, m);
  const kept = new Int32Array(rows);
  let dosage = new Uint16Array(0);
  let row = 0;
  let firstVariant = 0;

  return withPgen(file, async (fh) => {
    const flush = async (): Promise<void> => {
      const variants = pick(pvar, kept.subarray(0, row));
      await onChunk({ firstVariant, variants, dosage: row === rows ? dosage : dosage.slice(0, row * n) });
      firstVariant += row;
      row = 0;
    };
    for (let v = 0; v < m; v++) {
      const start = offsets[v]!;
      const end = offsets[v + 1]!;
      if (end > winEnd) {
        // Refill from this record on: records are contiguous, so the window runs on in file order.
        const want = Math.min(window.length, offsets[m]! - start);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await fh.read(window, got, want - got, start + got);
          if (bytesRead === 0) throw new BadInputError(file, `truncated: variant #${v} (0-based) needs bytes up to ${end}, the file ends at byte ${start + got}`);
          got += bytesRead;
        }
        winStart = start;
        winEnd = start + got;
      }
      if (pvar.multiAllelic[v]) {
        decoder.decode(v, window, start - winStart, end - winStart, null, 0);
        if (multi.examples.length < 5) multi.examples.push(pvar.id[v]!);
        multi.count++;
        continue;
      }
      if (row === 0) dosage = new Uint16Array(rows * n); // fresh per chunk: the consumer may keep the last one
      decoder.decode(v, window, start - winStart, end - winStart, dosage, row * n);
      kept[row++] = v;
      if (row === rows) await flush();
    }
    if (row > 0) await flush();
    return { variants: firstVariant, skipped: multi.count > 0 ? [multi] : [] };
  });
}

function pick(t: BimTable, rows: Int32Array): BimTable {
  const idx = Array.from(rows);
  return {
    chrom: idx.map((i) => t.chrom[i]!),
    id: idx.map((i) => t.id[i]!),
    cm: Float64Array.from(idx, (i) => t.cm[i]!),
    pos: Int32Array.from(idx, (i) => t.pos[i]!),
    a1: idx.map((i) => t.a1[i]!),
    a2: idx.map((i) => t.a2[i]!),
  };
}
