// The pure encoders behind `pgsflow simulate --format`: every dosage 0..32768 survives the VCF DS
// text and the BGEN 16-bit probabilities exactly under plink2's rounding (the readers' rules,
// which are checked against plink2 elsewhere); .pgen hard calls follow plink2's 0.1 threshold at
// its boundaries (measured with plink2 2.00a3.5 --vcf dosage=DS --make-bed), and a dosage .pgen
// has the variable-width header plink2 writes (the same bytes as its --make-pgen on the same
// dosages, up to its optional 1-bit hard-call tracks), block by block of 2^16 variants, read back
// exactly by our reader; BGZF blocks are well-formed and end with the EOF marker.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectInput } from '../../../core/formats/bgzf.js';
import { firstAlleleDosage } from '../../../core/formats/bgen.js';
import { BGZF_BLOCK_INPUT, BGZF_EOF_BLOCK, BgzfWriter } from '../../../core/formats/bgzfWrite.js';
import { bgenProbabilities } from '../../../core/formats/bgenWrite.js';
import { openPgen } from '../../../core/formats/pgen.js';
import {
  PGEN_MODE_DOSAGES,
  PGEN_MODE_HARDCALLS,
  PGEN_RECORD_DENSE_DOSAGES,
  PgenWriter,
  type PgenWriteMode,
  encodePgenRecord,
  pgenHeader,
  pgenLengthBytes,
  pgenRecordBytes,
  psamText,
  pvarText,
} from '../../../core/formats/pgenWrite.js';
import { dsUnits } from '../../../core/formats/vcfDosage.js';
import { dsText, nearestCall } from '../../../core/formats/vcfWrite.js';
import { DOSAGE_MAX, DOSAGE_MISSING } from '../../../core/genotypes/dosageSource.js';
import { Rng } from '../../../core/numeric/random/rng.js';
import { plink2 } from '../../helpers/plink2.js';
import { plink2Dosages } from '../../helpers/scoreOracle.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('writers');
afterAll(() => tmp.cleanup());

describe('VCF DS text', () => {
  it('gives every dosage back under plink2 rounding, in at most 7 characters', () => {
    for (let u = 0; u <= DOSAGE_MAX; u++) {
      const t = dsText(u);
      expect(t.length).toBeLessThanOrEqual(7);
      if (dsUnits(Number(t), false) !== u) throw new Error(`DS '${t}' reads as ${dsUnits(Number(t), false)}, not ${u}`);
    }
    expect([dsText(0), dsText(16384), dsText(32768), dsText(8192), dsText(DOSAGE_MISSING)]).toEqual(['0', '1', '2', '0.5', '.']);
  });

  it('writes GT as the nearest call', () => {
    expect([0, 8191, 8192, 24575, 24576, 32768, DOSAGE_MISSING].map(nearestCall)).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });
});

describe('BGEN probabilities', () => {
  it('hold every dosage exactly (plink2 ref-first, 16 bits) with its expected ALT count', () => {
    for (let u = 0; u <= DOSAGE_MAX; u++) {
      const [aa, ab] = bgenProbabilities(u);
      const bb = 65535 - aa - ab;
      if (!(aa >= 0 && ab >= 0 && bb >= 0)) throw new Error(`u=${u}: numerators ${aa} ${ab} ${bb}`);
      // At most two adjacent genotypes carry mass.
      if (aa > 0 && bb > 0) throw new Error(`u=${u}: both homozygotes have mass`);
      if (DOSAGE_MAX - firstAlleleDosage(2 * aa + ab, 16) !== u) throw new Error(`u=${u} reads back as ${DOSAGE_MAX - firstAlleleDosage(2 * aa + ab, 16)}`);
      const expectedAlt = (2 * bb + ab) / 65535;
      if (Math.abs(expectedAlt - u / 16384) > 0.5 / 65535) throw new Error(`u=${u}: expected ALT count ${expectedAlt}`);
    }
  });

  it('makes hard calls certain and a missing sample all zero', () => {
    expect([0, 16384, 32768, DOSAGE_MISSING].map(bgenProbabilities)).toEqual([[65535, 0], [0, 65535], [0, 0], [0, 0]]);
    expect(() => bgenProbabilities(32769)).toThrow(RangeError);
  });
});

describe('.pgen records', () => {
  const decodeCalls = (rec: Uint8Array, n: number): number[] => Array.from({ length: n }, (_, i) => (rec[i >>> 2]! >>> ((i & 3) << 1)) & 3);

  it('take plink2\'s hard calls from dosages: within 0.1 (1638 units) of a count, else missing', () => {
    const units = Uint16Array.of(1638, 1639, 14745, 14746, 18022, 18023, 31129, 31130, 0, 32768, DOSAGE_MISSING);
    const rec = new Uint8Array(pgenRecordBytes(PGEN_MODE_DOSAGES, units.length));
    encodePgenRecord(PGEN_MODE_DOSAGES, units, rec, 0);
    expect(decodeCalls(rec, units.length)).toEqual([0, 3, 3, 1, 1, 3, 3, 2, 0, 2, 3]);
    const geno = Math.ceil(units.length / 4);
    const dosages = Array.from({ length: units.length }, (_, i) => rec[geno + 2 * i]! | (rec[geno + 2 * i + 1]! << 8));
    expect(dosages).toEqual(Array.from(units));
  });

  it('in hard-call mode: 2 bits per sample, zero padding, and no dosage accepted', () => {
    const units = Uint16Array.of(0, 16384, 32768, DOSAGE_MISSING, 16384);
    const rec = new Uint8Array(pgenRecordBytes(PGEN_MODE_HARDCALLS, 5)).fill(0xff);
    encodePgenRecord(PGEN_MODE_HARDCALLS, units, rec, 0);
    expect(Array.from(rec)).toEqual([0b11_10_01_00, 0b01]);
    expect(() => encodePgenRecord(PGEN_MODE_HARDCALLS, Uint16Array.of(100), rec, 0)).toThrow(RangeError);
    expect(header(PGEN_MODE_HARDCALLS, 3, 5)).toEqual([0x6c, 0x1b, 0x02, 3, 0, 0, 0, 5, 0, 0, 0, 0x40]);
  });
});

const header = (mode: PgenWriteMode, m: number, n: number): number[] => [...pgenHeader(mode, m, n)].flatMap((piece) => Array.from(piece));

describe('.pgen dosage header (mode 0x10)', () => {
  it('has 8-bit record types, the fewest length bytes, one block offset, and type 0x40 records', () => {
    // 5 samples: 2 bytes of hard calls + 10 of dosages = 12-byte records, 1-byte lengths.
    expect(PGEN_RECORD_DENSE_DOSAGES).toBe(0x40);
    expect(pgenRecordBytes(PGEN_MODE_DOSAGES, 5)).toBe(12);
    const first = 12 + 8 + 3 * 2;
    expect(header(PGEN_MODE_DOSAGES, 3, 5)).toEqual([
      0x6c, 0x1b, 0x10, 3, 0, 0, 0, 5, 0, 0, 0, 0x44,
      first, 0, 0, 0, 0, 0, 0, 0,
      0x40, 0x40, 0x40,
      12, 12, 12,
    ]);
    // plink2 --make-pgen's header for 2,000 samples: 0x45, 2-byte lengths of 500 + 4,000 bytes.
    const h = header(PGEN_MODE_DOSAGES, 1, 2000);
    expect(h[11]).toBe(0x45);
    expect(h.slice(21, 23)).toEqual([4500 & 0xff, 4500 >> 8]);
    expect(header(PGEN_MODE_DOSAGES, 1, 40000)[11]).toBe(0x46); // 90,000-byte records: 3 bytes
  });

  it('sizes record lengths at the byte boundaries and refuses what the format cannot hold', () => {
    expect([1, 255, 256, 65535, 65536, 2 ** 24 - 1, 2 ** 24, 2 ** 32 - 1].map(pgenLengthBytes)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(() => pgenLengthBytes(2 ** 32)).toThrow(RangeError);
    for (const [m, n] of [[0, 5], [5, 0], [1.5, 5], [2 ** 31, 5]]) expect(() => header(PGEN_MODE_DOSAGES, m!, n!)).toThrow(RangeError);
  });

  it('writes blocks of 2^16 variants whose offsets follow the record lengths, read back exactly by us and plink2', async () => {
    const dir = join(tmp.dir, 'blocks');
    const prefix = join(dir, 'x');
    const n = 7;
    const m = 2 * 65536 + 3; // three blocks, the last of 3 variants
    const rng = Rng.stream(7, 1);
    const units = new Uint16Array(m * n);
    for (let k = 0; k < units.length; k++) units[k] = rng.below(20) === 0 ? DOSAGE_MISSING : rng.below(DOSAGE_MAX + 1);
    const variant = { chrom: '1', pos: 1, id: 'x', ref: 'A', alt: 'C' };
    mkdirSync(dir);
    const w = new PgenWriter(`${prefix}.pgen`, PGEN_MODE_DOSAGES, m, n);
    for (let j = 0; j < m; j++) w.writeVariant(variant, units.subarray(j * n, (j + 1) * n));
    w.commit();
    const ids = Array.from({ length: m }, (_, j) => `v${j}`);
    writeFileSync(`${prefix}.pvar`, pvarText({ chrom: ids.map(() => '1'), pos: Int32Array.from(ids, (_, j) => j + 1), id: ids, ref: ids.map(() => 'A'), alt: ids.map(() => 'C') }));
    writeFileSync(`${prefix}.psam`, psamText(Array.from({ length: n }, (_, i) => ({ fid: `F${i}`, iid: `I${i}` })), null));

    const file = readFileSync(`${prefix}.pgen`);
    const record = pgenRecordBytes(PGEN_MODE_DOSAGES, n); // 2 + 14 = 16: 1-byte lengths
    const first = 12 + 3 * 8 + m * 2;
    expect(file.length).toBe(first + m * record);
    expect([0, 1, 2].map((b) => Number(file.readBigUInt64LE(12 + 8 * b)))).toEqual([0, 1, 2].map((b) => first + b * 65536 * record));
    // Block 1's index: 65,536 types, then 65,536 lengths.
    const block1 = 12 + 3 * 8 + 65536 * 2;
    expect(file.subarray(block1, block1 + 65536).every((t) => t === 0x40)).toBe(true);
    expect(file.subarray(block1 + 65536, block1 + 2 * 65536).every((l) => l === record)).toBe(true);

    const source = await openPgen(prefix);
    const got = new Uint16Array(m * n);
    let at = 0;
    await source.read(10_000, (chunk) => {
      got.set(chunk.dosage, at);
      at += chunk.dosage.length;
    });
    expect(at).toBe(m * n);
    let diff = -1;
    for (let k = 0; k < units.length && diff < 0; k++) if (got[k] !== units[k]) diff = k;
    expect(diff).toBe(-1);

    // plink2 validates it and reads the variants around the block boundaries exactly.
    expect(plink2(['--pfile', prefix, '--validate', '--threads', '2', '--out', join(dir, 'v')])).toMatch(/Validating .*x\.pgen\.\.\. done\./);
    const edges = [0, 65535, 65536, 131071, 131072, m - 1];
    const oracle = plink2Dosages(['--pfile', prefix], edges.map((j) => ({ id: ids[j]!, alt: 'C' })), dir);
    expect(Array.from(oracle.dosage)).toEqual(edges.flatMap((j) => Array.from(units.subarray(j * n, (j + 1) * n))));
  });

  it('refuses impossible counts before it creates a file', () => {
    const path = join(tmp.dir, 'none.pgen');
    expect(() => new PgenWriter(path, PGEN_MODE_DOSAGES, 0, 5)).toThrow(RangeError);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('none.pgen'))).toEqual([]);
  });
});

describe('BGZF writer', () => {
  it('writes blocks of at most 64 KiB that gunzip to the input, then the EOF block', async () => {
    const rng = Rng.stream(1, 2);
    // Text-like and incompressible halves: the second must still fit a block.
    const data = new Uint8Array(3 * BGZF_BLOCK_INPUT + 1234);
    for (let i = 0; i < data.length; i++) data[i] = i < data.length / 2 ? 48 + (i % 10) : rng.below(256);
    const path = join(tmp.dir, 'x.gz');
    const w = new BgzfWriter(path);
    w.write(data.subarray(0, 1000));
    w.write(data.subarray(1000));
    w.commit();
    const file = readFileSync(path);
    expect(new Uint8Array(gunzipSync(file))).toEqual(data);
    let at = 0;
    let blocks = 0;
    while (at < file.length) {
      expect(file.readUInt16LE(at + 12)).toBe(0x4342); // 'BC'
      const size = file.readUInt16LE(at + 16) + 1;
      expect(size).toBeLessThanOrEqual(65536);
      at += size;
      blocks++;
    }
    expect(at).toBe(file.length);
    expect(blocks).toBe(5); // four data blocks and the EOF block
    expect(new Uint8Array(file.subarray(file.length - 28))).toEqual(BGZF_EOF_BLOCK);
    const info = await inspectInput(path);
    expect(info).toMatchObject({ compression: 'bgzf', bgzfEof: true });
  });
});
