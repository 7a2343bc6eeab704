import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlocks } from '../../../core/formats/blocks.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { LD_BLOCKS } from '../../helpers/sharedData.js';

const LDBLOCKS = LD_BLOCKS;
const tmp = makeTmpDir('blocks');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (content: string): string => {
  const p = join(tmp.dir, `b${counter++}.txt`);
  writeFileSync(p, content);
  return p;
};

// Counts from the files (data rows = lines − header); see shared/data/PROVENANCE.md.
const EXPECTED: Record<string, number> = {
  'Berisa.AFR.hg19.bed': 2582,
  'Berisa.ASN.hg19.bed': 1445,
  'Berisa.EUR.hg19.bed': 1703,
  'pyrho_AFR_LD_blocks.bed': 1580,
  'pyrho_EAS_LD_blocks.bed': 1121,
  'pyrho_EUR_LD_blocks.bed': 1336,
  'pyrho_SAS_LD_blocks.bed': 1267,
  'sbayesrc_ref4cM_v37.pos': 591,
};

describe('real LD block files', () => {
  it('knows every file in shared/data/ldblocks', () => {
    expect(readdirSync(LDBLOCKS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s has %i blocks on chromosomes 1-22', async (name, count) => {
    const t = await readBlocks(join(LDBLOCKS, name));
    expect(t.block.length).toBe(count);
    expect(t.start).toBeInstanceOf(Int32Array);
    expect(new Set(t.chrom)).toEqual(new Set(Array.from({ length: 22 }, (_, i) => String(i + 1))));
    for (let i = 0; i < count; i++) expect(t.start[i]!).toBeLessThan(t.end[i]!);
  });

  it('names SBayesRC blocks by their Block column and BED blocks chrom_index', async () => {
    const pos = await readBlocks(join(LDBLOCKS, 'sbayesrc_ref4cM_v37.pos'));
    expect([pos.block[0], pos.chrom[0], pos.start[0], pos.end[0]]).toEqual(['1', '1', 10583, 3582736]);
    expect([pos.block[590], pos.chrom[590], pos.start[590], pos.end[590]]).toEqual(['591', '22', 48903703, 51243298]);
    const eur = await readBlocks(join(LDBLOCKS, 'Berisa.EUR.hg19.bed'));
    expect([eur.block[0], eur.chrom[0], eur.start[0], eur.end[0]]).toEqual(['1_1', '1', 10583, 1892607]);
    expect(eur.block[1]).toBe('1_2');
    expect(eur.block.at(-1)).toBe(`22_${eur.chrom.filter((c) => c === '22').length}`);
  });

  it('reads Berisa files (fields separated by " \\t ") the same as clean tab-separated text', async () => {
    const eur = await readBlocks(join(LDBLOCKS, 'Berisa.EUR.hg19.bed'));
    const clean = ['chr\tstart\tstop', ...eur.block.map((_, i) => `chr${eur.chrom[i]}\t${eur.start[i]}\t${eur.end[i]}`), ''].join('\n');
    expect(await readBlocks(file(clean))).toEqual(eur);
  });
});

describe('block format variants', () => {
  it('reads headerless BED, extra BED columns and adjacent blocks', async () => {
    const t = await readBlocks(file('chr2\t100\t200\tx\nchr2\t200\t300\ty\n1 5 9 z\n'));
    expect(t).toEqual({ block: ['2_1', '2_2', '1_1'], chrom: ['2', '2', '1'], start: Int32Array.from([100, 200, 5]), end: Int32Array.from([200, 300, 9]) });
  });

  it('accepts positions written by R in scientific notation', async () => {
    const t = await readBlocks(file('Block Chrom StartBP EndBP\nb1 chr1 1e+05 2.5e5\n'));
    expect([t.block[0], t.chrom[0], t.start[0], t.end[0]]).toEqual(['b1', '1', 100000, 250000]);
  });
});
