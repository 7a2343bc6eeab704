// BGZF compression (SAM/BAM spec §4.1, what bgzip writes): the data cut into pieces of at most
// 65,280 bytes, each one gzip member whose FEXTRA field 'BC' holds the member's size − 1, and the
// file ended by the fixed empty member (the EOF marker readers use to tell a cut file).
// 65,280 bytes of input always fit a member's 64 KiB limit, even when deflate cannot shrink them.
import { crc32, deflateRawSync } from 'node:zlib';
import { AtomicFileWriter } from '../files/atomicWrite.js';

/** Uncompressed bytes per BGZF block (bgzip's choice; 0xff00). */
export const BGZF_BLOCK_INPUT = 0xff00;
const HEADER_BYTES = 18;
const FOOTER_BYTES = 8;
/** The 28-byte empty block that ends a BGZF file. */
export const BGZF_EOF_BLOCK = Uint8Array.of(
  0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
);

/** One BGZF block holding `data` (at most BGZF_BLOCK_INPUT bytes). */
export function bgzfBlock(data: Uint8Array, level: number): Uint8Array {
  if (data.length > BGZF_BLOCK_INPUT) throw new RangeError(`a BGZF block holds at most ${BGZF_BLOCK_INPUT} bytes, got ${data.length}`);
  const cdata = deflateRawSync(data, { level });
  const size = HEADER_BYTES + cdata.length + FOOTER_BYTES;
  const block = new Uint8Array(size);
  const view = new DataView(block.buffer);
  // gzip: magic, deflate, FLG.FEXTRA, MTIME 0, XFL 0, OS unknown (255), XLEN 6, subfield 'BC' of 2 bytes.
  block.set([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0]);
  view.setUint16(16, size - 1, true);
  block.set(cdata, HEADER_BYTES);
  view.setUint32(size - 8, crc32(data), true);
  view.setUint32(size - 4, data.length, true);
  return block;
}

/** A BGZF file written as a byte stream; `commit()` adds the EOF block and renames it into place. */
export class BgzfWriter {
  private readonly out: AtomicFileWriter;
  private readonly pending = new Uint8Array(BGZF_BLOCK_INPUT);
  private used = 0;

  /** `level`: zlib level (bgzip's default is 6; 1 writes about 3× faster and ~10 % larger). */
  constructor(
    path: string,
    private readonly level = 6,
  ) {
    this.out = new AtomicFileWriter(path);
  }

  write(bytes: Uint8Array, length = bytes.length): void {
    let off = 0;
    while (off < length) {
      const take = Math.min(length - off, BGZF_BLOCK_INPUT - this.used);
      this.pending.set(bytes.subarray(off, off + take), this.used);
      this.used += take;
      off += take;
      if (this.used === BGZF_BLOCK_INPUT) this.flushBlock();
    }
  }

  private flushBlock(): void {
    if (this.used === 0) return;
    this.out.write(bgzfBlock(this.pending.subarray(0, this.used), this.level));
    this.used = 0;
  }

  commit(): void {
    this.flushBlock();
    this.out.write(BGZF_EOF_BLOCK);
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}
