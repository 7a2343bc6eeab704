import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { checkBed, readBim, readFam, resolveBfile } from '../../../core/formats/plink.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { THOUSAND_GENOMES } from '../../helpers/sharedData.js';

const DATA = THOUSAND_GENOMES;
const tmp = makeTmpDir('plink');
afterAll(() => tmp.cleanup());

describe('1000 Genomes chr22 (real files)', () => {
  it('reads the .fam: 2,504 people, sex coded 1/2, phenotype kept as text', async () => {
    const fam = await readFam(join(DATA, 'chr22.fam'));
    expect(fam.iid.length).toBe(2504);
    expect([fam.fid[0], fam.iid[0], fam.father[0], fam.mother[0], fam.sex[0], fam.phenotype[0]]).toEqual(['HG00096', 'HG00096', '0', '0', 1, '-9']);
    expect(fam.iid[2503]).toBe('NA21144');
    expect(fam.sex).toBeInstanceOf(Int8Array);
    expect(fam.sex.filter((s) => s === 1).length).toBe(1233);
    expect(fam.sex.filter((s) => s === 2).length).toBe(1271);
  });

  it('reads the .bim: 375 variants with typed position and cM columns', async () => {
    const bim = await readBim(join(DATA, 'chr22.bim'));
    expect(bim.id.length).toBe(375);
    expect(bim.pos).toBeInstanceOf(Int32Array);
    expect(bim.cm).toBeInstanceOf(Float64Array);
    expect([bim.chrom[0], bim.id[0], bim.cm[0], bim.pos[0], bim.a1[0], bim.a2[0]]).toEqual(['22', 'rs5748622', 0, 17264565, 'T', 'G']);
    expect([bim.id[374], bim.pos[374], bim.a1[374], bim.a2[374]]).toEqual(['rs8137951', 51165664, 'A', 'G']);
  });

  it('validates the .bed against them: 626 bytes per variant', async () => {
    const paths = await resolveBfile(join(DATA, 'chr22'));
    const layout = await checkBed(paths.bed, 2504, 375);
    expect(layout).toEqual({ path: paths.bed, nSamples: 2504, nVariants: 375, bytesPerVariant: 626 });
  });

  it('resolves a prefix given with an extension too', async () => {
    const a = await resolveBfile(join(DATA, 'chr22'));
    expect(await resolveBfile(join(DATA, 'chr22.bed'))).toEqual(a);
    expect(a.fam.endsWith('chr22.fam')).toBe(true);
  });
});

describe('PLINK edge cases', () => {
  it('accepts any allele strings in a .bim, including indels and 0', async () => {
    const p = join(tmp.dir, 'a.bim');
    writeFileSync(p, '1 rs1 0.5 100 AT A\n1 rs2 0 200 0 G\nX . 1e-2 300 <DEL> T\n');
    const bim = await readBim(p);
    expect(bim.a1).toEqual(['AT', '0', '<DEL>']);
    expect(Array.from(bim.cm)).toEqual([0.5, 0, 0.01]);
    expect(bim.chrom).toEqual(['1', '1', 'X']);
  });

  it('treats sex codes other than 1 and 2 as unknown, as PLINK does', async () => {
    const p = join(tmp.dir, 'a.fam');
    writeFileSync(p, 'f a 0 0 1 1.5\nf b 0 0 2 2\nf c 0 0 0 -9\nf d 0 0 NA -9\n');
    const fam = await readFam(p);
    expect(Array.from(fam.sex)).toEqual([1, 2, 0, 0]);
    expect(fam.phenotype).toEqual(['1.5', '2', '-9', '-9']);
  });

  it('sizes the .bed with ceil(n/4) bytes per variant', async () => {
    const p = join(tmp.dir, 'five.bed');
    writeFileSync(p, Uint8Array.from([0x6c, 0x1b, 0x01, 0, 0, 0, 0])); // 5 samples → 2 bytes × 2 variants
    expect((await checkBed(p, 5, 2)).bytesPerVariant).toBe(2);
    await expect(checkBed(p, 4, 2)).rejects.toThrow(/size is 7 bytes, expected 5/);
  });

  it('reports a missing member of the fileset by its path', async () => {
    writeFileSync(join(tmp.dir, 'half.bed'), '');
    writeFileSync(join(tmp.dir, 'half.bim'), '');
    const e = await resolveBfile(join(tmp.dir, 'half')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as BadInputError).file).toBe(join(tmp.dir, 'half.fam'));
  });
});
