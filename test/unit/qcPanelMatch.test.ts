// Matching summary statistics to the LD panel beyond IDs: by chromosome, position and alleles
// when the file names variants by position; the genome-build guard; and `--chain` liftover.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveQcThresholds } from '../../config/qcThresholds.js';
import { readSumstats } from '../../core/formats/sumstats.js';
import { liftRows } from '../../core/qc/liftRows.js';
import { qcReport } from '../../core/qc/qcSummary.js';
import { runQc } from '../../core/qc/runQc.js';
import { type QcPanel, variantsFromSumstats } from '../../core/qc/variants.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('qc-panel-match');
afterAll(() => tmp.cleanup());
let k = 0;
const file = (text: string, ext = 'tsv'): string => {
  const p = join(tmp.dir, `${k++}.${ext}`);
  writeFileSync(p, text);
  return p;
};

// 300 panel SNPs on chromosome 1 at 20,000 + 100 j, non-ambiguous pairs.
const PAIRS: [string, string][] = [['A', 'G'], ['C', 'T'], ['A', 'C'], ['G', 'T']];
const M = 300;
const panel: QcPanel = {
  id: Array.from({ length: M }, (_, j) => `rs${j}`),
  a1: Array.from({ length: M }, (_, j) => PAIRS[j % 4]![0]),
  a2: Array.from({ length: M }, (_, j) => PAIRS[j % 4]![1]),
  a1Freq: new Float64Array(M).fill(0.3),
  chrom: new Array<string>(M).fill('1'),
  physPos: Int32Array.from({ length: M }, (_, j) => 20_000 + 100 * j),
};
const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
const thresholds = resolveQcThresholds({ ambiguous: 'keep', noImpute: true });

describe('matching by position and alleles', () => {
  it('finds panel SNPs under positional IDs, counts swaps and strand flips, names them by the panel ID', async () => {
    // Row j: panel SNP j under a positional ID in one of three spellings; every 3rd swapped, every 5th on the other strand.
    const rows = Array.from({ length: M }, (_, j) => {
      const pos = 20_000 + 100 * j;
      let [a1, a2] = [panel.a1[j]!, panel.a2[j]!];
      if (j % 3 === 0) [a1, a2] = [a2, a1];
      if (j % 5 === 0) [a1, a2] = [COMP[a1]!, COMP[a2]!];
      const id = j % 3 === 0 ? `1:${pos}:${a2}:${a1}` : j % 3 === 1 ? `chr1_${pos}_${a2}_${a1}` : `1:${pos}_${a2}_${a1}`;
      const freq = j % 3 === 0 ? 0.7 : 0.3;
      return [id, a1, a2, freq, j % 3 === 0 ? -0.01 : 0.01, 0.005, 0.045, 10000].join('\t');
    });
    // One at a panel position with other alleles; one at no panel position.
    rows.push(['1:20000:A:T', 'T', 'A', 0.3, 0.01, 0.005, 0.045, 10000].join('\t'));
    rows.push(['1:19999:A:G', 'G', 'A', 0.3, 0.01, 0.005, 0.045, 10000].join('\t'));
    const t = await readSumstats(file(`SNP\tA1\tA2\tfreq\tb\tse\tp\tN\n${rows.join('\n')}\n`));
    const v = variantsFromSumstats('pos.tsv', t);
    expect(v.chrom?.slice(0, 3)).toEqual(['1', '1', '1']);
    const o = runQc(v, panel, thresholds, 'pos.tsv');
    const r = qcReport(o);
    expect(r.matchedByPosition).toBe(M);
    // Swapped: j % 3 == 0 (100 rows); flipped: j % 5 == 0 (60); both: j % 15 == 0 (20).
    expect(r.reoriented).toEqual({ swapped: 80, strandFlipped: 40, flippedAndSwapped: 20 });
    expect(r.rules.find((x) => x.rule === 'not_in_panel')!.removed).toBe(2);
    expect(o.detail.get(M)).toMatch(/panel SNP at 1:20000 has other alleles/);
    expect(o.detail.get(M + 1)).toBe('SNP ID not in the LD panel, nor a panel SNP at its position');
    // The kept rows are panel SNPs, in panel order, under the panel's IDs.
    expect(Array.from(o.kept, (i) => panel.id[o.panelIndex[i]!])).toEqual(panel.id);
    expect(o.b[0]).toBe(0.01); // swapped back to the panel's A1
  });

  it('an ID the panel has wins over another row at its position', async () => {
    // (With position columns the reader already sets the second aside as a duplicate_variant.)
    const text = `SNP\tA1\tA2\tfreq\tb\tse\tp\tN\nrs0\tA\tG\t0.3\t0.01\t0.005\t0.045\t10000\n1:20000:G:A\tA\tG\t0.3\t0.01\t0.005\t0.045\t10000\n`;
    const o = runQc(variantsFromSumstats('f', await readSumstats(file(text), { maxBadRows: 1 })), panel, thresholds);
    expect(qcReport(o).matchedByPosition).toBe(0);
    expect(o.detail.get(1)).toMatch(/other alleles \(or is matched by another row\)/);
  });
});

describe('genome build', () => {
  const SHIFT = 1_000_000;
  const rsFile = (shift: number): string =>
    file(
      `SNP\tCHR\tPOS\tA1\tA2\tfreq\tb\tse\tp\tN\n${panel.id
        .map((id, j) => [id, '1', panel.physPos![j]! + shift, panel.a1[j], panel.a2[j], 0.3, 0.01, 0.005, 0.045, 10000].join('\t'))
        .join('\n')}\n`,
    );

  it('passes a file in the panel build, refuses one in another, naming the way out', async () => {
    const same = qcReport(runQc(variantsFromSumstats('same.tsv', await readSumstats(rsFile(0))), panel, thresholds, 'same.tsv'));
    expect(same.guards[0]).toMatchObject({ guard: 'genome_build', evaluated: true, passed: true, value: 1 });
    const other = qcReport(runQc(variantsFromSumstats('other.tsv', await readSumstats(rsFile(SHIFT))), panel, thresholds, 'other.tsv'));
    expect(other.status).toBe('failed');
    expect(other.guards[0]).toMatchObject({ guard: 'genome_build', evaluated: true, passed: false, value: 0 });
    expect(other.guards[0]!.message).toMatch(/^other\.tsv: positions agree with the LD panel for 0\.0% of the 300 variants matched by rsID: .*different genome build.*--chain FILE/);
  });

  it('--chain lifts the positions to the panel build; positions outside the chain are not_lifted', async () => {
    // Source chr1 (SHIFT + 20,000, SHIFT + 39,900]: the first 250 panel positions map back by −SHIFT; the last 50 are in no block.
    const size = 250 * 100;
    const chain = file(`chain 1000 chr1 249250621 + ${SHIFT + 19_999} ${SHIFT + 19_999 + size} chr1 248956422 + 19999 ${19_999 + size} 1\n${size}\n\n`, 'chain');
    const v = variantsFromSumstats('other.tsv', await readSumstats(rsFile(SHIFT)));
    const counts = await liftRows(v, chain, 'other.tsv');
    expect(counts).toMatchObject({ rows: 300, lifted: 250, unmapped: { gap: 50 } });
    const r = qcReport(runQc(v, panel, thresholds, 'other.tsv'));
    expect(r.guards[0]).toMatchObject({ guard: 'genome_build', passed: true });
    expect(r.rules.find((x) => x.rule === 'not_lifted')!.removed).toBe(50);
    expect(r.remaining).toBe(250);
  });
});
