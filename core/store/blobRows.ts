// A query's rows whose BLOB column is copied out on demand into a buffer the caller reuses
// (native/blobCopy.c), instead of as a fresh ArrayBuffer per row: a dosage cohort's genotype
// chunks are 5 MB BLOBs, and a fresh buffer each — the allocation, its page faults and the major
// garbage collection V8 runs every ~64 MB of them — cost about as much as DuckDB's read itself
// (issue 19). Without the addon (no gcc) each BLOB is copied out as @duckdb/node-api does.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import duckdb from '@duckdb/node-bindings';
import { DuckDBBlobVector, type DuckDBDataChunk } from '@duckdb/node-api';

interface BlobCopyAddon {
  length(strings: Uint8Array, row: number): number;
  copy(strings: Uint8Array, row: number, target: Uint8Array): number;
}

/** A duckdb_string_t (DuckDB's C API): uint32 length, then 12 inlined bytes or a prefix and a pointer. */
const STRING_T_BYTES = 16;

const ADDON_FILE = fileURLToPath(new URL('../../native/build/blobCopy.node', import.meta.url));

let addon: BlobCopyAddon | null | undefined;

/** Tests: copy through @duckdb/node-api as without the addon ('duckdb'), or take the addon when built ('auto'). */
export function setBlobCopyPreference(p: 'auto' | 'duckdb'): void {
  addon = p === 'duckdb' ? null : undefined;
}

function loadAddon(): BlobCopyAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.PGSFLOW_BLOB_COPY !== 'duckdb' && existsSync(ADDON_FILE)) {
    try {
      addon = createRequire(import.meta.url)(ADDON_FILE) as BlobCopyAddon;
    } catch {
      addon = null; // built for another node: copied as without it
    }
  }
  return addon;
}

/** Where row r's BLOB is: a result chunk's string vector and the row in it, or bytes already copied. */
type BlobAt = { strings: Uint8Array; row: number } | Uint8Array | null;

/**
 * Rows of one result: the other columns' values, and the BLOB column read through `blob(r, buffer)`.
 * The result's chunks stay alive (DuckDB's memory) until `release()`.
 */
export class BlobRows<T extends unknown[]> {
  private readonly rows: T[] = [];
  private readonly at: BlobAt[] = [];
  private readonly chunks: DuckDBDataChunk[] = [];
  private released = false;

  constructor(private readonly blobColumn: number) {}

  get length(): number {
    return this.rows.length;
  }

  values(r: number): T {
    return this.rows[r]!;
  }

  /** Row r's BLOB length in bytes, or null for SQL NULL. */
  blobLength(r: number): number | null {
    if (this.released) throw new Error('BlobRows read after release');
    const b = this.at[r];
    if (b === null || b === undefined) return null;
    return b instanceof Uint8Array ? b.length : loadAddon()!.length(b.strings, b.row);
  }

  /**
   * Row r's BLOB: copied into `buffer` (grown when too small) and returned as a view of it, valid
   * until the buffer is used again; null for SQL NULL.
   */
  blob(r: number, buffer: { bytes: Uint8Array }): Uint8Array | null {
    if (this.released) throw new Error('BlobRows read after release');
    const b = this.at[r];
    if (b === null || b === undefined) return null;
    if (b instanceof Uint8Array) return b;
    const a = loadAddon()!;
    const n = a.length(b.strings, b.row);
    if (buffer.bytes.length < n) buffer.bytes = new Uint8Array(n);
    a.copy(b.strings, b.row, buffer.bytes);
    return buffer.bytes.subarray(0, n);
  }

  /** Adds a result chunk's rows. */
  take(chunk: DuckDBDataChunk): void {
    const a = loadAddon();
    const n = chunk.rowCount;
    const others = Array.from({ length: chunk.columnCount }, (_, c) => c).filter((c) => c !== this.blobColumn).map((c) => chunk.getColumnVector(c));
    const vector = chunk.getColumnVector(this.blobColumn);
    if (!(vector instanceof DuckDBBlobVector)) throw new Error(`column ${this.blobColumn} of the result is not a BLOB`);
    const raw = duckdb.data_chunk_get_vector(chunk.chunk, this.blobColumn);
    // DuckDB's validity mask: one bit per row, none at all when every row is valid.
    const mask = duckdb.vector_get_validity(raw, Math.ceil(n / 64) * 8) as Uint8Array | null | undefined;
    const strings = a ? duckdb.vector_get_data(raw, n * STRING_T_BYTES) : null;
    for (let r = 0; r < n; r++) {
      this.rows.push(others.map((v) => v.getItem(r)) as T);
      const valid = !mask || (mask[r >>> 3]! & (1 << (r & 7))) !== 0;
      this.at.push(!valid ? null : strings ? { strings, row: r } : vector.getItemBytes(r));
    }
    if (strings) this.chunks.push(chunk);
  }

  /** Frees DuckDB's chunks now rather than at some later garbage collection. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const c of this.chunks) duckdb.data_chunk_reset(c.chunk);
    this.chunks.length = 0;
    this.at.length = 0;
  }
}
