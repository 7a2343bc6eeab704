// Byte streams of VCF and BCF inputs, which come plain, gzip-compressed, or BGZF-compressed
// (bgzip/htslib: gzip members of at most 64 KiB, the last one empty as an end-of-file marker).
// Node's gunzip reads multi-member streams, so BGZF needs no block reader here; what BGZF adds
// is the EOF marker, the only way to tell a file cut at a block boundary from a complete one.
// Decompression runs on the libuv thread pool while the caller parses the previous chunk.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { fsError } from './text.js';

export type Compression = 'none' | 'gzip' | 'bgzf';

export interface InputInfo {
  compression: Compression;
  size: number;
  /** BGZF only: whether the file ends with the empty EOF block. */
  bgzfEof: boolean;
  /** The first decompressed bytes (up to 16). */
  head: Buffer;
}

/** The 28-byte empty BGZF block that ends a complete file (SAM spec §4.1.2). */
const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

const CHUNK_BYTES = 1 << 20;

/** gzip member with an FEXTRA subfield 'BC' (the BGZF block size). */
function isBgzfHeader(h: Buffer): boolean {
  return h.length >= 16 && h[0] === 0x1f && h[1] === 0x8b && (h[3]! & 4) !== 0 && h[12] === 0x42 && h[13] === 0x43;
}

/** Compression, size, EOF marker and first decompressed bytes of `file`. */
export async function inspectInput(file: string): Promise<InputInfo> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fsError(file, e);
  }
  let first: Buffer;
  let size: number;
  let tail: Buffer;
  try {
    size = (await fh.stat()).size;
    first = Buffer.alloc(18);
    const { bytesRead } = await fh.read(first, 0, 18, 0);
    first = first.subarray(0, bytesRead);
    tail = Buffer.alloc(Math.min(28, size));
    await fh.read(tail, 0, tail.length, size - tail.length);
  } catch (e) {
    throw fsError(file, e);
  } finally {
    await fh.close();
  }
  const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const compression: Compression = !gz ? 'none' : isBgzfHeader(first) ? 'bgzf' : 'gzip';
  const info: InputInfo = { compression, size, bgzfEof: compression === 'bgzf' && tail.equals(BGZF_EOF), head: first.subarray(0, 16) };
  if (gz) info.head = await decompressedHead(file, info);
  return info;
}

async function decompressedHead(file: string, info: InputInfo): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  // A corrupt first block surfaces again, with context, when the file is read.
  try {
    for await (const chunk of readDecompressed(file, { ...info, compression: 'gzip' }, (d) => new Error(d))) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= 16) break;
    }
  } catch {
    // fall through with what was decoded
  }
  return Buffer.concat(parts).subarray(0, 16);
}

/**
 * The decompressed bytes of `file` in chunks of about 1 MiB. `corrupt(detail)` builds the error
 * for bad or truncated compressed data (the caller knows the line or record it had reached).
 */
export async function* readDecompressed(file: string, info: InputInfo, corrupt: (detail: string) => Error): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  // Stream options reach the Transform (ZlibOptions does not declare them): a 4 MiB read-ahead
  // lets zlib decompress the next chunks while this one is parsed.
  const options: ZlibOptions & { highWaterMark: number } = { chunkSize: CHUNK_BYTES, highWaterMark: 4 * CHUNK_BYTES };
  const gunzip = info.compression === 'none' ? null : createGunzip(options);
  // pipe() does not forward source errors; without this an I/O error would hang the reader.
  if (gunzip) raw.on('error', (e) => gunzip.destroy(e));
  const stream = gunzip ? raw.pipe(gunzip) : raw;
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (gunzip && typeof code === 'string' && code.startsWith('Z_')) {
      const what = code === 'Z_BUF_ERROR' ? 'truncated compressed data (unexpected end of file)' : `corrupt compressed data (${(e as Error).message})`;
      throw corrupt(what);
    }
    throw fsError(file, e);
  } finally {
    raw.destroy();
    gunzip?.destroy();
  }
  if (info.compression === 'bgzf' && !info.bgzfEof) {
    throw corrupt('truncated: the BGZF end-of-file block is missing (the file was cut at a block boundary)');
  }
}
