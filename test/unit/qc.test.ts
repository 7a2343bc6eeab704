// Summary-statistics QC rules and guards on hand-built tables with known answers: every rule
// removes exactly the rows built to fail it, in DESIGN §5.1 order, and nothing else.
import { describe, expect, it } from 'vitest';
import { GuardError } from '../../core/errors.js';
import { assertGuards } from '../../core/qc/guards.js';
import { explainVariant, qcReport } from '../../core/qc/qcSummary.js';
import { ORIENT_FLIPPED, ORIENT_FLIPPED_SWAPPED, ORIENT_SAME, ORIENT_SWAPPED, type QcOutcome, runQc } from '../../core/qc/runQc.js';
import { ruleOfCode } from '../../core/qc/rules.js';
import { type QcThresholdsInput, resolveQcThresholds } from '../../config/qcThresholds.js';
import type { QcPanel, QcVariants } from '../../core/qc/variants.js';
import { ConfigError } from '../../config/errors.js';
import { QC_RULES, type QcRule } from '../../contracts/qc.js';

const N0 = 10_000;
const PANEL_SIZE = 20;

interface PanelRow {
  id: string;
  a1: string;
  a2: string;
  freq: number;
}

/** rs1..rs20, A/G, A1Freq 0.21..0.40: far from every threshold. */
function basePanel(): PanelRow[] {
  return Array.from({ length: PANEL_SIZE }, (_, j) => ({ id: `rs${j + 1}`, a1: 'A', a2: 'G', freq: 0.2 + 0.01 * (j + 1) }));
}

function panelOf(rows: PanelRow[]): QcPanel {
  return { id: rows.map((r) => r.id), a1: rows.map((r) => r.a1), a2: rows.map((r) => r.a2), a1Freq: Float64Array.from(rows, (r) => r.freq) };
}

interface Row {
  snp: string;
  a1: string;
  a2: string;
  freq: number;
  b: number;
  se: number;
  p: number;
  n: number;
  info?: number;
}

/** se chosen so that v = 2f(1−f)(N·se² + b²) ≈ 1 for every good row. */
const seFor = (f: number, n = N0): number => 1 / Math.sqrt(2 * f * (1 - f) * n);

/** A row that passes every rule, matching panel row `j` (0-based) exactly. */
function good(panel: PanelRow[], j: number, over: Partial<Row> = {}): Row {
  const p = panel[j]!;
  return { snp: p.id, a1: p.a1, a2: p.a2, freq: p.freq, b: 0.001, se: seFor(p.freq), p: 0.5, n: N0, ...over };
}

function goodRows(panel: PanelRow[]): Row[] {
  return panel.map((_, j) => good(panel, j));
}

function variantsOf(rows: Row[], withInfo = false): QcVariants {
  return {
    snp: rows.map((r) => r.snp),
    a1: rows.map((r) => r.a1),
    a2: rows.map((r) => r.a2),
    freq: Float64Array.from(rows, (r) => r.freq),
    b: Float64Array.from(rows, (r) => r.b),
    se: Float64Array.from(rows, (r) => r.se),
    p: Float64Array.from(rows, (r) => r.p),
    n: Float64Array.from(rows, (r) => r.n),
    info: withInfo ? Float64Array.from(rows, (r) => r.info ?? NaN) : null,
    line: Int32Array.from(rows, (_, i) => i + 2),
    preRule: null,
    preDetail: new Map(),
    chrom: null,
    pos: null,
  };
}

function qc(rows: Row[], panel: PanelRow[] = basePanel(), t: QcThresholdsInput = {}, withInfo = false): QcOutcome {
  return runQc(variantsOf(rows, withInfo), panelOf(panel), resolveQcThresholds(t));
}

/** Removed count per rule, all rules listed. */
function removedBy(o: QcOutcome): Record<QcRule, number> {
  return Object.fromEntries(o.counts.map((c) => [c.rule, c.removed])) as Record<QcRule, number>;
}

/** Expect exactly `expected` removals (rules not named: 0) and the named rows removed by them. */
function expectRemoved(o: QcOutcome, expected: Partial<Record<QcRule, number>>): void {
  const want = Object.fromEntries(QC_RULES.map((r) => [r, expected[r] ?? 0]));
  expect(removedBy(o)).toEqual(want);
  // Counts chain: each rule's remaining is the next one's input.
  let left = o.inputRows;
  for (const c of o.counts) {
    expect(c.remaining).toBe(left - c.removed);
    left = c.remaining;
  }
  expect(o.kept.length).toBe(left);
}

/** The rule that removed the row at `index` (undefined = kept). */
const fateOf = (o: QcOutcome, index: number): QcRule | undefined => ruleOfCode(o.fate[index]!);

describe('qc rules, one at a time', () => {
  it('keeps a clean input whole, in panel order', () => {
    const panel = basePanel();
    const rows = goodRows(panel).reverse();
    const o = qc(rows, panel);
    expectRemoved(o, {});
    expect(Array.from(o.kept, (i) => rows[i]!.snp)).toEqual(panel.map((p) => p.id));
    expect(o.guards.every((g) => g.passed)).toBe(true);
    // N does not vary: the outlier rule is recorded as not applicable, not silently skipped.
    expect(o.counts.find((c) => c.rule === 'n_outlier')).toMatchObject({ applied: false, removed: 0 });
    expect(o.counts.find((c) => c.rule === 'info')).toMatchObject({ applied: false, note: 'no INFO column in the input' });
  });

  it('invalid_value: non-finite N, b, se, freq; N ≤ 0; p outside [0, 1]', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[0]!.n = NaN;
    rows[1]!.b = Infinity;
    rows[2]!.se = NaN;
    rows[3]!.freq = NaN;
    rows[4]!.p = 1.5;
    rows[5]!.p = -0.1;
    rows[6]!.n = 0;
    rows[7]!.freq = 1.2;
    const o = qc(rows, panel);
    expectRemoved(o, { invalid_value: 8 });
    for (let i = 0; i < 8; i++) expect(fateOf(o, i)).toBe('invalid_value');
    expect(o.detail.get(0)).toBe('invalid value: N = NA');
    expect(o.detail.get(4)).toBe('invalid value: p = 1.5 outside [0, 1]');
  });

  it('se_not_positive: se 0 and negative', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[3]!.se = 0;
    rows[9]!.se = -0.02;
    const o = qc(rows, panel);
    expectRemoved(o, { se_not_positive: 2 });
    expect(fateOf(o, 3)).toBe('se_not_positive');
    expect(fateOf(o, 9)).toBe('se_not_positive');
  });

  it('duplicate_id: every copy after the first', () => {
    const panel = basePanel();
    const rows = [...goodRows(panel), good(panel, 0), good(panel, 0, { b: 0.002 }), good(panel, 4)];
    const o = qc(rows, panel);
    expectRemoved(o, { duplicate_id: 3 });
    expect([fateOf(o, 0), fateOf(o, 20), fateOf(o, 21), fateOf(o, 22)]).toEqual([undefined, 'duplicate_id', 'duplicate_id', 'duplicate_id']);
    expect(o.detail.get(21)).toBe('same SNP ID as line 2 (first kept)');
  });

  it('duplicate_id: an invalid first copy does not count; the valid copy is kept', () => {
    const panel = basePanel();
    const rows = [...goodRows(panel), good(panel, 2)];
    rows[2]!.b = NaN;
    const o = qc(rows, panel);
    expectRemoved(o, { invalid_value: 1 });
    expect(fateOf(o, 20)).toBeUndefined();
  });

  it('not_in_panel', () => {
    const panel = basePanel();
    const rows = [...goodRows(panel), { ...good(panel, 0), snp: 'rs999' }, { ...good(panel, 1), snp: 'chr1:5:A:G' }];
    const o = qc(rows, panel);
    expectRemoved(o, { not_in_panel: 2 });
    expect(o.detail.get(20)).toBe('SNP ID not in the LD panel');
  });

  it('alleles: swapped re-oriented, strand complement flipped, flip + swap, mismatch removed', () => {
    const panel = basePanel(); // all A/G
    const rows = goodRows(panel);
    const f = panel[0]!.freq;
    rows[0] = good(panel, 0, { a1: 'G', a2: 'A', b: 0.003, freq: 1 - f }); // swapped
    rows[1] = good(panel, 1, { a1: 'T', a2: 'C', b: 0.004 }); // other strand
    rows[2] = good(panel, 2, { a1: 'C', a2: 'T', b: 0.005, freq: 1 - panel[2]!.freq }); // other strand, swapped
    rows[3] = good(panel, 3, { a1: 'A', a2: 'C' }); // A/C vs A/G
    rows[4] = good(panel, 4, { a1: 'A', a2: 'T' }); // A/T vs A/G
    rows[5] = good(panel, 5, { a1: 'g', a2: 'a', freq: 1 - panel[5]!.freq }); // lower case, swapped
    const o = qc(rows, panel);
    expectRemoved(o, { allele_mismatch: 2 });
    expect(o.reoriented).toEqual({ swapped: 2, strandFlipped: 1, flippedAndSwapped: 1 });
    expect([o.orientation[0], o.orientation[1], o.orientation[2], o.orientation[6]]).toEqual([ORIENT_SWAPPED, ORIENT_FLIPPED, ORIENT_FLIPPED_SWAPPED, ORIENT_SAME]);
    expect(o.b[0]).toBe(-0.003);
    expect(o.freq[0]).toBeCloseTo(f, 15);
    expect(o.b[1]).toBe(0.004);
    expect(o.b[2]).toBe(-0.005);
    expect(o.freq[2]).toBeCloseTo(panel[2]!.freq, 15);
    expect(fateOf(o, 3)).toBe('allele_mismatch');
    expect(o.detail.get(3)).toBe('alleles A/C, panel A/G: no match as given, swapped or on the other strand');
    expect(fateOf(o, 4)).toBe('allele_mismatch');
  });

  it('alleles: a strand-ambiguous panel pair is matched as given only, never flipped', () => {
    const panel = basePanel();
    panel[0] = { id: 'rs1', a1: 'A', a2: 'T', freq: 0.2 };
    const rows = goodRows(panel);
    rows[0] = good(panel, 0, { a1: 'C', a2: 'G' }); // C/G is not A/T on either strand
    const o = qc(rows, panel);
    expectRemoved(o, { allele_mismatch: 1 });
  });

  describe('ambiguous_strand under each policy', () => {
    // Four A/T or C/G SNPs (panel rows 0–3), built so each policy keeps a known subset.
    const panel = basePanel();
    panel[0] = { id: 'rs1', a1: 'A', a2: 'T', freq: 0.2 }; // GWAS 0.25: both clear of 0.5, same side → auto keeps
    panel[1] = { id: 'rs2', a1: 'C', a2: 'G', freq: 0.3 }; // GWAS 0.45: within 0.1 of 0.5 → auto drops
    panel[2] = { id: 'rs3', a1: 'T', a2: 'A', freq: 0.7 }; // GWAS A/T 0.25 swapped → 0.75: auto keeps
    panel[3] = { id: 'rs4', a1: 'G', a2: 'C', freq: 0.35 }; // GWAS 0.65: opposite sides → auto drops
    const rows = (): Row[] => {
      const r = goodRows(panel);
      r[0] = good(panel, 0, { freq: 0.25 });
      r[1] = good(panel, 1, { freq: 0.45 });
      r[2] = good(panel, 2, { a1: 'A', a2: 'T', freq: 0.25, b: 0.002 });
      r[3] = good(panel, 3, { freq: 0.65 });
      return r;
    };

    it('keep: none removed here (rs4 then fails the frequency filter)', () => {
      const o = qc(rows(), panel, { ambiguous: 'keep' });
      expectRemoved(o, { freq_diff: 1 });
      expect(fateOf(o, 3)).toBe('freq_diff');
      expect(o.ambiguousKept).toBe(4);
    });

    it('drop: all four', () => {
      const o = qc(rows(), panel, { ambiguous: 'drop' });
      expectRemoved(o, { ambiguous_strand: 4 });
      expect(o.detail.get(0)).toBe('A/T is strand-ambiguous (--ambiguous drop)');
    });

    it('auto (default): keeps rs1 and rs3, drops rs2 (near 0.5) and rs4 (orientation disagrees)', () => {
      const o = qc(rows(), panel);
      expectRemoved(o, { ambiguous_strand: 2 });
      expect([fateOf(o, 0), fateOf(o, 1), fateOf(o, 2), fateOf(o, 3)]).toEqual([undefined, 'ambiguous_strand', undefined, 'ambiguous_strand']);
      expect(o.detail.get(1)).toBe('C/G is strand-ambiguous and a frequency is within 0.1 of 0.5 (freq 0.45, panel 0.3)');
      expect(o.detail.get(3)).toBe('G/C is strand-ambiguous and the frequencies disagree on which allele is the minor one (freq 0.65, panel 0.35)');
      expect(o.b[2]).toBe(-0.002);
      expect(o.ambiguousKept).toBe(2);
    });
  });

  it('freq_diff: |freq − panel A1Freq| > 0.2, after re-orientation', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[0]!.freq = panel[0]!.freq + 0.25;
    rows[1]!.freq = panel[1]!.freq + 0.19; // inside
    rows[2] = good(panel, 2, { a1: 'G', a2: 'A', freq: panel[2]!.freq }); // swapped but freq not: 1 − f vs f
    const o = qc(rows, panel);
    expectRemoved(o, { freq_diff: 2 });
    expect(fateOf(o, 0)).toBe('freq_diff');
    expect(fateOf(o, 2)).toBe('freq_diff');
    expect(o.detail.get(0)).toBe('|freq 0.46 − panel 0.21| = 0.25 > 0.2');
    expect(removedBy(qc(rows, panel, { freqDiff: 0.3 })).freq_diff).toBe(1);
  });

  it('maf: minor allele frequency < 0.01 on either side', () => {
    const panel = basePanel();
    panel[0] = { ...panel[0]!, freq: 0.005 };
    panel[1] = { ...panel[1]!, freq: 0.995 };
    panel[2] = { ...panel[2]!, freq: 0.012 };
    const rows = goodRows(panel);
    const o = qc(rows, panel);
    expectRemoved(o, { maf: 2 });
    expect(o.detail.get(1)).toBe('MAF 0.005 < 0.01');
    expect(fateOf(o, 2)).toBeUndefined();
    expect(removedBy(qc(rows, panel, { maf: 0.02 })).maf).toBe(3);
  });

  it('info: < 0.9 removed when the column is present; a row without INFO is kept', () => {
    const panel = basePanel();
    const rows = goodRows(panel).map((r) => ({ ...r, info: 0.95 }));
    rows[0]!.info = 0.5;
    rows[1]!.info = 0.89;
    rows[2]!.info = NaN;
    const o = qc(rows, panel, {}, true);
    expectRemoved(o, { info: 2 });
    expect(o.counts.find((c) => c.rule === 'info')!.applied).toBe(true);
    expect(fateOf(o, 2)).toBeUndefined();
    expectRemoved(qc(rows, panel, {}, false), {});
  });

  it('n_outlier: N outside mean ± 3 SD', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    // mean = (19·10⁴ + 10⁵)/20 = 14,500, SD ≈ 20,125: 10⁵ is 4.25 SD out, the rest 0.22 SD.
    rows[7] = good(panel, 7, { n: 100_000, se: seFor(panel[7]!.freq, 100_000) });
    const o = qc(rows, panel);
    expectRemoved(o, { n_outlier: 1 });
    expect(fateOf(o, 7)).toBe('n_outlier');
    expect(o.stats.nMean).toBe(14_500);
    // A wider band keeps it.
    expectRemoved(qc(rows, panel, { nSd: 5 }), {});
  });

  it('variance_outlier: sqrt(v / median v) must lie in (0.5, 1.5)', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[0]!.se *= 1.6; // ratio ≈ 1.6: out
    rows[1]!.se *= 0.4; // ≈ 0.4: out
    rows[2]!.se *= 1.4; // ≈ 1.4: in
    rows[3]!.se *= 0.6; // ≈ 0.6: in
    const o = qc(rows, panel);
    expectRemoved(o, { variance_outlier: 2 });
    expect([fateOf(o, 0), fateOf(o, 1), fateOf(o, 2), fateOf(o, 3)]).toEqual(['variance_outlier', 'variance_outlier', undefined, undefined]);
    expect(o.detail.get(0)).toMatch(/^sqrt\(v \/ median v\) = 1\.6 outside \(0\.5, 1\.5\)/);
    // --rate2pq sets the half-width: 0.3 also takes the 1.4 and 0.6 rows.
    expectRemoved(qc(rows, panel, { rate2pq: 0.3 }), { variance_outlier: 4 });
  });

  it('applies the rules in order: a row failing several is counted once, by the first', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[0] = good(panel, 0, { a1: 'A', a2: 'C', freq: 0.9, n: 1e6 }); // mismatch, freq and N too
    rows[1] = good(panel, 1, { se: 0, freq: 0.9 });
    const o = qc(rows, panel);
    expectRemoved(o, { se_not_positive: 1, allele_mismatch: 1 });
  });

  it('explains a variant: removed, kept and re-oriented, absent', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    rows[0] = good(panel, 0, { a1: 'G', a2: 'A', freq: 1 - panel[0]!.freq, b: 0.5 });
    rows[1]!.freq = 0.9;
    rows.splice(2, 1); // rs3 missing
    const v = variantsOf(rows);
    const p = panelOf(panel);
    const o = runQc(v, p, resolveQcThresholds());
    expect(explainVariant(o, v, p, 'rs1')).toEqual([
      'rs1 (line 2, G/A, b 0.5, freq 0.79): kept as panel SNP 1 (A/G, A1Freq 0.21); A1/A2 swapped to the panel order (b → −b, freq → 1 − freq); now b -0.5, freq 0.21',
    ]);
    expect(explainVariant(o, v, p, 'rs2')).toEqual(['rs2 (line 3, A/G, b 0.001, freq 0.9): removed by freq_diff: |freq 0.9 − panel 0.22| = 0.68 > 0.2']);
    expect(explainVariant(o, v, p, 'rs3')).toEqual(['rs3: not in the summary statistics; it is panel SNP 3, so imputation would fill it']);
    expect(explainVariant(o, v, p, 'rs0')).toEqual(['rs0: neither in the summary statistics nor in the LD panel']);
  });
});

describe('qc guards', () => {
  const failed = (o: QcOutcome): string[] => o.guards.filter((g) => !g.passed).map((g) => g.guard);
  const guardError = (o: QcOutcome): GuardError => {
    try {
      assertGuards(o.guards);
    } catch (e) {
      if (e instanceof GuardError) return e;
      throw e;
    }
    throw new Error('expected a GuardError');
  };

  it('frequency filter removing > 25% of the variants reaching it: wrong frequency column, ancestry or build', () => {
    const panel = basePanel();
    const rows = goodRows(panel);
    for (let j = 0; j < 6; j++) rows[j]!.freq = 1 - panel[j]!.freq; // the other allele's frequency: 6/20 = 30%
    const o = qc(rows, panel);
    expect(failed(o)).toEqual(['freq_drop']);
    expect(guardError(o).message).toBe(
      "QC guard failed: the allele-frequency filter removed 6 of 20 variants (30.0% > 25.0%): frequency column may be the other allele's, or the panel is another ancestry or build",
    );
    // 5 of 20 = 25% is not more than 25%.
    rows[5]!.freq = panel[5]!.freq;
    expect(failed(qc(rows, panel))).toEqual([]);
    expect(failed(qc(goodRows(panel).map((r, j) => (j < 6 ? { ...r, freq: 1 - r.freq } : r)), panel, { maxFreqDrop: 0.5 }))).toEqual([]);
  });

  it('fewer than 70% of panel SNPs left: only when no imputation is planned', () => {
    const panel = basePanel();
    const rows = goodRows(panel).slice(0, 13); // 65%
    const planned = qc(rows, panel);
    expect(failed(planned)).toEqual([]);
    expect(planned.guards.find((g) => g.guard === 'panel_coverage')).toMatchObject({ evaluated: false, passed: true, value: 0.65 });
    const o = qc(rows, panel, { noImpute: true });
    expect(failed(o)).toEqual(['panel_coverage']);
    expect(guardError(o).message).toMatch(/only 13 of the panel's 20 SNPs remain after QC \(65\.0% < 70\.0%\) and no imputation is planned: the summary statistics may use other SNP IDs or another build/);
    expect(failed(qc(goodRows(panel).slice(0, 14), panel, { noImpute: true }))).toEqual([]);
  });

  it('median |z| > 50: se is not a standard error', () => {
    const panel = basePanel();
    const rows = goodRows(panel).map((r, j) => ({ ...r, b: j % 2 === 0 ? 0.2 : -0.2, se: 0.002 })); // |z| = 100
    const o = qc(rows, panel);
    expect(failed(o)).toContain('median_abs_z');
    expect(guardError(o).message).toContain('median |b/se| is 100 (> 50): se is probably not a standard error');
  });

  it('b looks like odds ratios: all positive, median near 1', () => {
    const panel = basePanel();
    const rows = goodRows(panel).map((r, j) => ({ ...r, b: 0.95 + 0.005 * j, se: 0.05 }));
    const o = qc(rows, panel);
    expect(failed(o)).toContain('odds_ratio');
    expect(guardError(o).message).toContain('the effect column looks like odds ratios, not log odds ratios');
    // log(OR) around 0 is fine.
    expect(failed(qc(goodRows(panel), panel))).not.toContain('odds_ratio');
  });

  it('nothing left', () => {
    const panel = basePanel();
    const rows = goodRows(panel).map((r) => ({ ...r, snp: `x${r.snp}` }));
    const o = qc(rows, panel);
    expect(failed(o)).toEqual(['none_left']);
    expect(guardError(o).message).toMatch(/no variant survived QC/);
  });

  it('reports every rule with its threshold, and the guards evaluated', () => {
    const r = qcReport(qc(goodRows(basePanel())));
    expect(r.rules.map((x) => [x.position, x.rule, x.threshold])).toEqual([
      [1, 'non_autosomal', null],
      [2, 'allele_not_snv', null],
      [3, 'same_alleles', null],
      [4, 'multi_allelic', null],
      [5, 'missing_value', null],
      [6, 'duplicate_variant', null],
      [7, 'not_lifted', null],
      [8, 'invalid_value', null],
      [9, 'se_not_positive', 0],
      [10, 'duplicate_id', null],
      [11, 'not_in_panel', null],
      [12, 'allele_mismatch', null],
      [13, 'ambiguous_strand', 'auto'],
      [14, 'freq_diff', 0.2],
      [15, 'maf', 0.01],
      [16, 'info', 0.9],
      [17, 'n_outlier', 3],
      [18, 'variance_outlier', 0.5],
    ]);
    expect(r.guards.map((g) => g.guard)).toEqual(['genome_build', 'odds_ratio', 'median_abs_z', 'freq_drop', 'panel_coverage', 'none_left']);
    expect(r.status).toBe('passed');
  });

  it('thresholds are validated', () => {
    expect(() => resolveQcThresholds({ freqDiff: -1 })).toThrow(ConfigError);
    expect(() => resolveQcThresholds({ ambiguous: 'maybe' as 'keep' })).toThrow(ConfigError);
    expect(resolveQcThresholds()).toMatchObject({ freqDiff: 0.2, maf: 0.01, info: 0.9, nSd: 3, rate2pq: 0.5, ambiguous: 'auto', maxFreqDrop: 0.25, noImpute: false });
  });
});
