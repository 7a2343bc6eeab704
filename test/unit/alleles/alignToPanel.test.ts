// The panel alignment's policy over the shared allele orientation: same or swapped pairs are
// used, a strand flip is a mismatch (QC complements; this step only re-checks).
import { describe, expect, it } from 'vitest';
import { alignToPanel } from '../../../core/alleles/alignToPanel.js';
import type { LdSnpTable, SumstatsTable } from '../../../core/formats/types.js';

const PANEL: [id: string, a1: string, a2: string][] = [
  ['rs1', 'A', 'G'],
  ['rs2', 'A', 'G'],
  ['rs3', 'A', 'G'],
  ['rs4', 'A', 'T'],
  ['rs5', 'A', 'G'],
];

function panel(): LdSnpTable {
  const m = PANEL.length;
  return {
    chrom: PANEL.map(() => '22'),
    id: PANEL.map((s) => s[0]),
    index: Int32Array.from(PANEL, (_, i) => i),
    genPos: new Float64Array(m),
    physPos: Int32Array.from(PANEL, (_, i) => 1000 + i),
    a1: PANEL.map((s) => s[1]),
    a2: PANEL.map((s) => s[2]),
    a1Freq: new Float64Array(m).fill(0.3),
    n: new Float64Array(m).fill(1000),
    block: new Int32Array(m).fill(1),
  };
}

function stats(rows: [snp: string, a1: string, a2: string][]): SumstatsTable {
  const k = rows.length;
  return {
    dialect: 'cojo',
    columns: {},
    split: 'whitespace',
    derived: [],
    snp: rows.map((r) => r[0]),
    a1: rows.map((r) => r[1]),
    a2: rows.map((r) => r[2]),
    freq: new Float64Array(k).fill(0.3),
    b: new Float64Array(k).fill(0.1),
    se: new Float64Array(k).fill(0.05),
    p: new Float64Array(k).fill(0.05),
    n: new Float64Array(k).fill(1000),
    zOnly: false,
    info: null,
    chrom: null,
    pos: null,
    line: Int32Array.from(rows, (_, i) => i + 2),
    freqFromPanel: false,
    duplicates: [],
    rejected: [],
    dataRows: k,
  };
}

describe('alignToPanel', () => {
  it('uses same and swapped pairs, counts strand flips and other pairs as mismatches', () => {
    const a = alignToPanel(
      stats([
        ['rs1', 'A', 'G'], // same
        ['rs2', 'G', 'A'], // swapped
        ['rs3', 'T', 'C'], // the panel's pair on the other strand
        ['rs4', 'T', 'A'], // ambiguous A/T: read as swapped, as given
        ['rs5', 'A', 'C'], // another pair
        ['rs9', 'A', 'G'], // not in the panel
      ]),
      panel(),
      'snp.info',
    );
    expect(a.counts).toEqual({ rows: 6, matched: 1, swapped: 2, notInPanel: 1, alleleMismatch: 2, missingValues: 0 });
    expect(Array.from(a.row)).toEqual([0, 1, -1, 3, -1]);
    expect(Array.from(a.swapped)).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(a.usedRows)).toEqual([0, 1, 3]);
  });
});
