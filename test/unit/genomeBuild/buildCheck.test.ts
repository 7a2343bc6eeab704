import { describe, expect, it } from 'vitest';
import {
  buildMismatchMessage,
  canonicalBuild,
  chainFileName,
  checkGenomeBuild,
  compareByPosition,
  compareByRsid,
  compareMatchedPositions,
  describeBuildCheck,
  isRsid,
  type BuildCheckVariants,
} from '../../../core/genomeBuild/buildCheck.js';

// A panel of 500 variants: rs1..rs500, rows 0..249 on chromosome 1, 250..499 on 2, at
// 10,000 + 1,000·i, with non-ambiguous allele pairs.
const PAIRS = [
  ['A', 'G'],
  ['C', 'T'],
  ['A', 'C'],
  ['G', 'T'],
] as const;
const N = 500;
const panel: BuildCheckVariants & { id: string[]; chrom: string[]; pos: Int32Array; a1: string[]; a2: string[] } = {
  id: Array.from({ length: N }, (_, i) => `rs${i + 1}`),
  chrom: Array.from({ length: N }, (_, i) => (i < 250 ? '1' : '2')),
  pos: Int32Array.from({ length: N }, (_, i) => 10_000 + 1_000 * i),
  a1: Array.from({ length: N }, (_, i) => PAIRS[i % 4]![0]),
  a2: Array.from({ length: N }, (_, i) => PAIRS[i % 4]![1]),
};

/** A file made of panel rows `rows`, 'chr'-prefixed, positions through `move`. */
function fileOf(rows: number[], move: (pos: number, k: number) => number = (p) => p, ids = true): BuildCheckVariants & { pos: number[] } {
  return {
    id: rows.map((j) => (ids ? panel.id[j]! : `${panel.chrom[j]}:${panel.pos[j]}`)),
    chrom: rows.map((j) => `chr${panel.chrom[j]}`),
    pos: rows.map((j, k) => move(panel.pos[j]!, k)),
    a1: rows.map((j) => panel.a1[j]!),
    a2: rows.map((j) => panel.a2[j]!),
  };
}
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);
const FAR = 123_457; // not a multiple of 1,000: never lands on a panel position

describe('by rsID', () => {
  it('same build: every matched variant at the panel position', () => {
    // rows on both chromosomes, 'chr' prefixes against none, swapped alleles are irrelevant
    const f = fileOf([...range(100, 200), ...range(300, 100)]);
    expect(compareByRsid(f, panel)).toEqual({
      verdict: 'same',
      basis: 'rsid',
      matchedById: 300,
      compared: 300,
      samePosition: 300,
      fraction: 1,
      atPanelPosition: 0,
      offByOne: 0,
      offByOneShift: 0,
    });
  });

  it('thresholds: ≥ 90 % same, ≤ 10 % different, in between unknown', () => {
    const moved = (k: number) => (p: number, i: number) => (i < k ? p + FAR : p);
    const at30 = compareByRsid(fileOf(range(0, 300), moved(30)), panel);
    expect([at30.verdict, at30.samePosition, at30.fraction]).toEqual(['same', 270, 0.9]);
    const at31 = compareByRsid(fileOf(range(0, 300), moved(31)), panel);
    expect([at31.verdict, at31.samePosition]).toEqual(['unknown', 269]);
    const ten = compareByRsid(fileOf(range(0, 100), moved(90)), panel);
    expect([ten.verdict, ten.samePosition, ten.fraction, ten.offByOne, ten.offByOneShift]).toEqual(['different', 10, 0.1, 0, 0]);
    const eleven = compareByRsid(fileOf(range(0, 100), moved(89)), panel);
    expect([eleven.verdict, eleven.samePosition]).toEqual(['unknown', 11]);
  });

  it('no verdict below 100 matched variants; rows without a position do not count', () => {
    expect(compareByRsid(fileOf(range(0, 99)), panel).verdict).toBe('unknown');
    expect(compareByRsid(fileOf(range(0, 100)), panel).verdict).toBe('same');
    const holes = compareByRsid(fileOf(range(0, 100), (p, k) => (k === 7 ? 0 : p)), panel);
    expect([holes.verdict, holes.matchedById, holes.samePosition]).toEqual(['unknown', 99, 99]);
  });

  it('another build: no matched variant at the panel position', () => {
    const c = compareByRsid(fileOf(range(0, 300), (p) => p + FAR), panel);
    expect(c).toMatchObject({ verdict: 'different', matchedById: 300, samePosition: 0, fraction: 0, offByOne: 0, offByOneShift: 0 });
  });

  it('one base off: still different, with the shift', () => {
    const below = compareByRsid(fileOf(range(0, 300), (p) => p - 1), panel);
    expect(below).toMatchObject({ verdict: 'different', samePosition: 0, offByOne: 300, offByOneShift: -1 });
    const above = compareByRsid(fileOf(range(0, 300), (p, k) => (k < 200 ? p + 1 : p + FAR)), panel);
    expect(above).toMatchObject({ verdict: 'different', offByOne: 200, offByOneShift: 1 });
    const few = compareByRsid(fileOf(range(0, 300), (p, k) => (k < 149 ? p + 1 : p + FAR)), panel);
    expect(few).toMatchObject({ verdict: 'different', offByOne: 149, offByOneShift: 0 });
  });

  it('only rs<digits> IDs match; the same chromosome is required', () => {
    expect(compareByRsid(fileOf(range(0, 300), undefined, false), panel).matchedById).toBe(0);
    const f = fileOf(range(0, 300));
    f.chrom = f.chrom!.map(() => '1'); // rows 250.. are on 2 in the panel
    const c = compareByRsid(f, panel);
    expect([c.matchedById, c.samePosition]).toEqual([300, 250]);
    expect([isRsid('rs123'), isRsid('RS5'), isRsid('rs'), isRsid('rs12a'), isRsid('1:100')]).toEqual([true, true, false, false, false]);
  });

  it('compareMatchedPositions takes pairs already matched', () => {
    const n = 1_200;
    const c = compareMatchedPositions({
      fileChrom: Array(n).fill('chr3'),
      filePos: Float64Array.from({ length: n }, (_, i) => (i < 36 ? 1_000 + i : 5_000_000 + i)),
      panelChrom: Array(n).fill('3'),
      panelPos: Float64Array.from({ length: n }, (_, i) => 1_000 + i),
    });
    expect([c.verdict, c.matchedById, c.samePosition, c.fraction]).toEqual(['different', 1_200, 36, 0.03]);
    expect(describeBuildCheck('gwas.tsv', c, { panelBuild: 'GRCh38' })).toBe(
      'gwas.tsv: positions agree with the LD panel for 3.0% of the 1,200 variants matched by rsID: the file looks like a different genome build (GRCh37?) ' +
        "than the panel (GRCh38). Lift it over with --chain FILE (a UCSC chain file from GRCh37 to GRCh38, e.g. hg19ToHg38.over.chain.gz; pgsflow does not download it) or use an LD panel of the file's build.",
    );
    expect(() => compareMatchedPositions({ fileChrom: ['1'], filePos: [1, 2], panelChrom: ['1'], panelPos: [1] })).toThrow(RangeError);
  });
});

describe('by position and alleles (no rsIDs)', () => {
  // 200 file variants on chromosome 1 (the panel has 250 there) and 50 on chromosome 9 (none):
  // compared = min(200, 250) = 200.
  function noIds(move: (pos: number, k: number) => number = (p) => p): BuildCheckVariants & { id: string[]; chrom: string[]; pos: number[]; a1: string[]; a2: string[] } {
    const f = fileOf(range(0, 200), move, false);
    const extra = range(0, 50);
    return {
      id: [...f.id!, ...extra.map((k) => `9:${k + 1}`)],
      chrom: [...f.chrom!, ...extra.map(() => '9')],
      pos: [...f.pos, ...extra.map((k) => 10_000 + 1_000 * k)],
      a1: [...f.a1!, ...extra.map(() => 'A')],
      a2: [...f.a2!, ...extra.map(() => 'G')],
    };
  }

  it('same build: alleles agree in either order, on either strand, in any case', () => {
    const f = noIds();
    for (let k = 0; k < 200; k += 3) [f.a1[k], f.a2[k]] = [f.a2[k]!, f.a1[k]!]; // swapped
    const comp: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
    for (let k = 1; k < 200; k += 3) [f.a1[k], f.a2[k]] = [comp[f.a1[k]!]!, comp[f.a2[k]!]!]; // other strand
    for (let k = 2; k < 200; k += 3) [f.a1[k], f.a2[k]] = [f.a1[k]!.toLowerCase(), f.a2[k]!.toLowerCase()];
    expect(compareByPosition(f, panel)).toEqual({
      verdict: 'same',
      basis: 'position',
      matchedById: 0,
      compared: 200,
      samePosition: 200,
      fraction: 1,
      atPanelPosition: 200,
      offByOne: 0,
      offByOneShift: 0,
    });
  });

  it('a position with another allele pair does not agree', () => {
    const f = noIds();
    // A/G and C/T get A/C, A/C and G/T get A/G: no fit in either order or on either strand
    for (let k = 0; k < 150; k++) [f.a1[k], f.a2[k]] = k % 4 < 2 ? ['A', 'C'] : ['A', 'G'];
    const c = compareByPosition(f, panel);
    expect([c.verdict, c.atPanelPosition, c.samePosition, c.fraction]).toEqual(['unknown', 200, 50, 0.25]);
  });

  it('thresholds: ≥ 50 % same, ≤ 5 % different', () => {
    const keep = (k: number) => (p: number, i: number) => (i < k ? p : p + FAR);
    expect(compareByPosition(noIds(keep(100)), panel)).toMatchObject({ verdict: 'same', samePosition: 100, fraction: 0.5 });
    expect(compareByPosition(noIds(keep(99)), panel)).toMatchObject({ verdict: 'unknown', samePosition: 99 });
    expect(compareByPosition(noIds(keep(10)), panel)).toMatchObject({ verdict: 'different', samePosition: 10, fraction: 0.05, offByOneShift: 0 });
    expect(compareByPosition(noIds(keep(11)), panel)).toMatchObject({ verdict: 'unknown', samePosition: 11 });
  });

  it('another build, one base off, too few, a shuffled panel, duplicate rows', () => {
    expect(compareByPosition(noIds((p) => p + FAR), panel)).toMatchObject({ verdict: 'different', atPanelPosition: 0, samePosition: 0, offByOne: 0 });
    expect(compareByPosition(noIds((p) => p - 1), panel)).toMatchObject({ verdict: 'different', samePosition: 0, offByOne: 200, offByOneShift: -1 });
    expect(compareByPosition(noIds((p) => p + 1), panel)).toMatchObject({ verdict: 'different', offByOne: 200, offByOneShift: 1 });
    const small = fileOf(range(0, 99), undefined, false);
    expect(compareByPosition(small, panel)).toMatchObject({ verdict: 'unknown', compared: 99, samePosition: 99 });

    const order = range(0, N).reverse();
    const shuffled = {
      id: order.map((j) => panel.id[j]!),
      chrom: order.map((j) => panel.chrom[j]!),
      pos: order.map((j) => panel.pos[j]!),
      a1: order.map((j) => panel.a1[j]!),
      a2: order.map((j) => panel.a2[j]!),
    };
    expect(compareByPosition(noIds(), shuffled)).toEqual(compareByPosition(noIds(), panel));

    const dup = noIds();
    for (const col of ['id', 'chrom', 'a1', 'a2'] as const) dup[col]!.push(dup[col]![0]!);
    dup.pos.push(dup.pos[0]!);
    expect(compareByPosition(dup, panel)).toMatchObject({ compared: 201, atPanelPosition: 201, samePosition: 200 });
  });
});

describe('checkGenomeBuild picks the basis', () => {
  it('rsIDs when ≥ 100 match, else positions; none without positions', () => {
    expect(checkGenomeBuild(fileOf(range(0, 300)), panel).basis).toBe('rsid');
    expect(checkGenomeBuild(fileOf(range(0, 300), undefined, false), panel)).toMatchObject({ basis: 'position', verdict: 'same', compared: 300, samePosition: 300 });
    const few = fileOf(range(0, 300));
    few.id = few.id!.map((id, k) => (k < 50 ? id : `x${k}`));
    expect(checkGenomeBuild(few, panel)).toMatchObject({ basis: 'position', verdict: 'same' });
    expect(checkGenomeBuild({ ...fileOf(range(0, 300)), chrom: null, pos: null }, panel)).toMatchObject({ basis: 'none', verdict: 'unknown' });
    // 50 rsIDs and no alleles: the rsID comparison, without a verdict
    expect(checkGenomeBuild({ ...few, a1: null, a2: null }, panel)).toMatchObject({ basis: 'rsid', matchedById: 50, verdict: 'unknown' });
  });
});

describe('build names and messages', () => {
  const shifted = compareByRsid(fileOf(range(0, 300), (p) => p + FAR), panel);
  const head = 'sumstats.tsv: positions agree with the LD panel for 0.0% of the 300 variants matched by rsID';
  const generic = "a UCSC chain file from the file's build to the panel's, e.g. hg38ToHg19.over.chain.gz or hg19ToHg38.over.chain.gz";
  const tail = "; pgsflow does not download it) or use an LD panel of the file's build.";

  it('canonical names and chain file names', () => {
    expect(['hg19', 'GRCh37.p13', ' b38 ', '37', 'hg18', 'grch38', 'T2T-CHM13', '', undefined].map(canonicalBuild)).toEqual([
      'GRCh37',
      'GRCh37',
      'GRCh38',
      'GRCh37',
      'NCBI36',
      'GRCh38',
      'T2T-CHM13',
      undefined,
      undefined,
    ]);
    expect(chainFileName('GRCh38', 'hg19')).toBe('hg38ToHg19.over.chain.gz');
    expect(chainFileName('37', 'GRCh38')).toBe('hg19ToHg38.over.chain.gz');
    expect(chainFileName('GRCh37', 'b37')).toBeUndefined();
    expect(chainFileName('CHM13', 'GRCh38')).toBeUndefined();
  });

  it('names each side as known or guessed', () => {
    expect(buildMismatchMessage('sumstats.tsv', shifted, { panelBuild: 'hg19' })).toBe(
      `${head}: the file looks like a different genome build (GRCh38?) than the panel (GRCh37). ` +
        `Lift it over with --chain FILE (a UCSC chain file from GRCh38 to GRCh37, e.g. hg38ToHg19.over.chain.gz${tail}`,
    );
    expect(buildMismatchMessage('sumstats.tsv', shifted)).toBe(
      `${head}: the file looks like a different genome build than the LD panel (one GRCh37 and the other GRCh38?). Lift it over with --chain FILE (${generic}${tail}`,
    );
    expect(buildMismatchMessage('sumstats.tsv', shifted, { fileBuild: 'GRCh37' })).toBe(
      `${head}: the LD panel looks like a different genome build (GRCh38?) than the file (GRCh37). ` +
        `Lift it over with --chain FILE (a UCSC chain file from GRCh37 to GRCh38, e.g. hg19ToHg38.over.chain.gz${tail}`,
    );
    expect(buildMismatchMessage('sumstats.tsv', shifted, { panelBuild: 'GRCh38', fileBuild: 'b37' })).toBe(
      `${head}: the file is GRCh37 and the panel GRCh38. Lift it over with --chain FILE (a UCSC chain file from GRCh37 to GRCh38, e.g. hg19ToHg38.over.chain.gz${tail}`,
    );
    expect(buildMismatchMessage('sumstats.tsv', shifted, { panelBuild: 'GRCh37', fileBuild: 'hg19' })).toBe(
      `${head}, although both are said to be GRCh37: one of them is not (check which build each really is). Lift it over with --chain FILE (${generic}${tail}`,
    );
    expect(buildMismatchMessage('sumstats.tsv', shifted, { panelBuild: 'T2T-CHM13' })).toBe(
      `${head}: the file looks like a different genome build than the panel (T2T-CHM13). Lift it over with --chain FILE (${generic}${tail}`,
    );
  });

  it('says 0-based instead when positions are one base off', () => {
    const c = compareByRsid(fileOf(range(0, 300), (p) => p - 1), panel);
    expect(buildMismatchMessage('sumstats.tsv', c, { panelBuild: 'GRCh37' })).toBe(
      `${head}, but 100.0% are one less than the panel's: the file's positions look 0-based (as in BED): add 1 to them. ` +
        'This is not a genome-build difference; a chain file will not fix it.',
    );
  });

  it('by position, hedged', () => {
    const c = compareByPosition(fileOf(range(0, 200), (p) => p + FAR, false), panel);
    expect(buildMismatchMessage('sumstats.tsv', c, { panelBuild: 'GRCh37' })).toBe(
      'sumstats.tsv: matching by position (the file has no rsIDs), only 0.0% of the 200 variants compared ' +
        "(the smaller of the file's and the panel's variants on the chromosomes both have) sit at a panel variant's position with the same alleles: " +
        'the file looks like a different genome build (GRCh38?) than the panel (GRCh37), or the two share almost no variants. ' +
        `Lift it over with --chain FILE (a UCSC chain file from GRCh38 to GRCh37, e.g. hg38ToHg19.over.chain.gz${tail}`,
    );
  });

  it('describes every verdict; refuses to word a refusal for a non-different one', () => {
    const same = compareByRsid(fileOf(range(0, 300)), panel);
    expect(describeBuildCheck('sumstats.tsv', same)).toBe(
      'sumstats.tsv: positions agree with the LD panel for 100.0% of the 300 variants matched by rsID: same genome build as the panel',
    );
    expect(() => buildMismatchMessage('sumstats.tsv', same)).toThrow(RangeError);
    const mixed = compareByRsid(fileOf(range(0, 300), (p, k) => (k < 31 ? p + FAR : p)), panel);
    expect(describeBuildCheck('sumstats.tsv', mixed)).toBe(
      'sumstats.tsv: positions agree with the LD panel for 89.7% of the 300 variants matched by rsID: ' +
        'neither the same build (≥ 90.0%) nor a different one (≤ 10.0%): two builds mixed, or unreliable rsIDs?',
    );
    expect(describeBuildCheck('sumstats.tsv', compareByRsid(fileOf(range(0, 99)), panel))).toBe(
      'sumstats.tsv: genome build not checked: only 99 variants matched by rsID (at least 100 needed)',
    );
    expect(describeBuildCheck('sumstats.tsv', compareByPosition(fileOf(range(0, 42), undefined, false), panel))).toBe(
      'sumstats.tsv: genome build not checked: only 42 variants to compare by position (at least 100 needed)',
    );
    expect(describeBuildCheck('sumstats.tsv', checkGenomeBuild({ ...fileOf(range(0, 9)), chrom: null, pos: null }, panel))).toBe(
      'sumstats.tsv: no positions, genome build not checked (variants are matched by ID only)',
    );
    expect(describeBuildCheck('sumstats.tsv', shifted, { panelBuild: 'GRCh37' })).toBe(buildMismatchMessage('sumstats.tsv', shifted, { panelBuild: 'GRCh37' }));
  });
});
