// NumPy `.npy` arrays (format version 1.0): how features and predictions travel between the
// TypeScript store worker and the Python ML worker. Little-endian float64 / int8, C order only:
// the two dtypes and the one layout both sides write, refused loudly otherwise.
import { BadInputError } from '../errors.js';

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY

export type NpyArray = { dtype: 'float64'; data: Float64Array; shape: number[] } | { dtype: 'int8'; data: Int8Array; shape: number[] };

const DESCR = { float64: '<f8', int8: '|i1' } as const;

/** The bytes of an .npy file holding `data` with `shape` (product of shape = data.length). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`npy shape ${array.shape.join('×')} does not hold ${array.data.length} values`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >>> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

/** Parse an .npy file's bytes (`file` names it in errors). */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new BadInputError(file, 'not a NumPy .npy file (bad magic)');
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes[8]! | (bytes[9]! << 8) : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new BadInputError(file, `unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new BadInputError(file, 'Fortran-ordered .npy arrays are not supported (write C order)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const body = bytes.slice(offset);
  if (descr === '<f8') {
    if (body.length !== count * 8) throw new BadInputError(file, `.npy body holds ${body.length} bytes, shape ${shape.join('×')} needs ${count * 8}`);
    return { dtype: 'float64', data: new Float64Array(body.buffer, body.byteOffset, count), shape };
  }
  if (descr === '|i1' || descr === '<i1') {
    if (body.length !== count) throw new BadInputError(file, `.npy body holds ${body.length} bytes, shape ${shape.join('×')} needs ${count}`);
    return { dtype: 'int8', data: new Int8Array(body.buffer, body.byteOffset, count), shape };
  }
  throw new BadInputError(file, `.npy dtype ${descr} is not supported (float64 '<f8' or int8 '|i1')`);
}
