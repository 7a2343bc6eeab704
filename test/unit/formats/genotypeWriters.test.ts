// The pure encoders behind `pgsflow simulate --format`: every dosage 0..32768 survives the VCF DS
// text and the BGEN 16-bit probabilities exactly under plink2's rounding (the readers' rules,
// which are checked against plink2 elsewhere); .pgen hard calls follow plink2's 0.1 threshold at
// its boundaries (measured with plink2 2.00a3.5 --vcf dosage=DS --make-bed); BGZF blocks are
// well-formed and end with the EOF marker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectInput } from '../../../core/formats/bgzf.js';
import { firstAlleleDosage } from '../../../core/formats/bgen.js';
import { BGZF_BLOCK_INPUT, BGZF_EOF_BLOCK, BgzfWriter } from '../../../core/formats/bgzfWrite.js';
import { bgenProbabilities } from '../../../core/formats/bgenWrite.js';
import { PGEN_MODE_DOSAGES, PGEN_MODE_HARDCALLS, encodePgenRecord, pgenHeader, pgenRecordBytes } from '../../../core/formats/pgenWrite.js';
import { dsUnits } from '../../../core/formats/vcfDosage.js';
import { dsText, nearestCall } from '../../../core/formats/vcfWrite.js';
import { DOSAGE_MAX, DOSAGE_MISSING } from '../../../core/genotypes/dosageSource.js';
import { Rng } from '../../../core/numeric/random/rng.js';
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
    expect(Array.from(pgenHeader(PGEN_MODE_HARDCALLS, 3, 5))).toEqual([0x6c, 0x1b, 0x02, 3, 0, 0, 0, 5, 0, 0, 0, 0x40]);
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
