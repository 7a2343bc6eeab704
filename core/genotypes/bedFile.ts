// Raw byte access to .bed files (the header has been validated by checkBed).
import { open } from 'node:fs/promises';

export async function readFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== length) throw new Error(`${path}: expected ${length} bytes at offset ${offset}, read ${got}`);
    return buf;
  } finally {
    await fh.close();
  }
}
