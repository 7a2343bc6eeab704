// What QC tells the user: the per-rule report (F.qc.json, the activity's summary), the removed
// list (one reason per variant) and the fate of one variant (--explain).
import { short } from './numberFormat.js';
import { ORIENT_FLIPPED, ORIENT_FLIPPED_SWAPPED, ORIENT_SAME, ORIENT_SWAPPED, type QcOutcome } from './runQc.js';
import { ruleOfCode } from './rules.js';
import type { QcThresholds } from '../../config/qcThresholds.js';
import { type QcPanel, type QcVariants, rowLabel } from './variants.js';
import type { QcReport } from '../../contracts/qc.js';
import type { QcRule, GuardOutcome } from '../../contracts/qc.js';

function ruleThreshold(rule: QcRule, t: QcThresholds): number | string | null {
  switch (rule) {
    case 'se_not_positive':
      return 0;
    case 'ambiguous_strand':
      return t.ambiguous;
    case 'freq_diff':
      return t.freqDiff;
    case 'maf':
      return t.maf;
    case 'info':
      return t.info;
    case 'n_outlier':
      return t.nSd;
    case 'variance_outlier':
      return t.rate2pq;
    default:
      return null;
  }
}

export function qcReport(o: QcOutcome): QcReport {
  return {
    status: o.guards.every((g) => g.passed) ? 'passed' : 'failed',
    inputRows: o.inputRows,
    panelSnps: o.panelSnps,
    remaining: o.kept.length,
    panelCoverage: o.panelSnps > 0 ? o.kept.length / o.panelSnps : 0,
    rules: o.counts.map((c, k) => ({ position: k + 1, ...c, threshold: ruleThreshold(c.rule, o.thresholds) })),
    reoriented: o.reoriented,
    ambiguousKept: o.ambiguousKept,
    matchedByPosition: o.matchedByPosition,
    thresholds: o.thresholds,
    guards: o.guards,
    stats: o.stats,
  };
}

/** Removed rows grouped by rule (in rule order), input order within a rule. */
export function removedRows(o: QcOutcome): Int32Array {
  const byRule: number[][] = o.counts.map(() => []);
  for (let i = 0; i < o.fate.length; i++) if (o.fate[i] !== 0) byRule[o.fate[i]! - 1]!.push(i);
  return Int32Array.from(byRule.flat());
}

const ORIENTATION_TEXT: Record<number, string> = {
  [ORIENT_SAME]: 'alleles as in the panel',
  [ORIENT_SWAPPED]: 'A1/A2 swapped to the panel order (b → −b, freq → 1 − freq)',
  [ORIENT_FLIPPED]: 'alleles on the other strand, complemented to the panel',
  [ORIENT_FLIPPED_SWAPPED]: 'alleles on the other strand and swapped: complemented, b → −b, freq → 1 − freq',
};

/** The fate of every row with this SNP ID, one line each. */
export function explainVariant(o: QcOutcome, v: QcVariants, panel: QcPanel, snp: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < v.snp.length; i++) {
    if (v.snp[i] !== snp) continue;
    const where = `${snp} (${rowLabel(v, i)}, ${v.a1[i]}/${v.a2[i]}, b ${short(v.b[i]!)}, freq ${short(v.freq[i]!)})`;
    const rule = ruleOfCode(o.fate[i]!);
    if (rule !== undefined) {
      lines.push(`${where}: removed by ${rule}: ${o.detail.get(i) ?? ''}`);
      continue;
    }
    const j = o.panelIndex[i]!;
    lines.push(
      `${where}: kept as panel SNP ${j + 1} (${panel.a1[j]}/${panel.a2[j]}, A1Freq ${short(panel.a1Freq[j]!)}); ` +
        `${ORIENTATION_TEXT[o.orientation[i]!] ?? ''}; now b ${short(o.b[i]!)}, freq ${short(o.freq[i]!)}`,
    );
  }
  if (lines.length === 0) {
    const j = panel.id.indexOf(snp);
    lines.push(
      j >= 0
        ? `${snp}: not in the summary statistics; it is panel SNP ${j + 1}, so imputation would fill it`
        : `${snp}: neither in the summary statistics nor in the LD panel`,
    );
  }
  return lines;
}

/** One line per rule for the terminal. */
export function formatQcSummary(r: QcReport): string[] {
  const width = Math.max(...r.rules.map((x) => x.rule.length));
  const out = [`QC of ${r.inputRows} variants against a panel of ${r.panelSnps}: ${r.remaining} remain (${(100 * r.panelCoverage).toFixed(1)}% of the panel)`];
  for (const x of r.rules) {
    const note = x.applied ? '' : `  (not applied: ${x.note ?? ''})`;
    out.push(`  ${x.rule.padEnd(width)}  removed ${String(x.removed).padStart(8)}  remaining ${String(x.remaining).padStart(8)}${note}`);
  }
  const re = r.reoriented;
  out.push(`  re-oriented to the panel: ${re.swapped} swapped, ${re.strandFlipped} strand-flipped, ${re.flippedAndSwapped} both; ${r.ambiguousKept} strand-ambiguous kept${r.matchedByPosition > 0 ? `; ${r.matchedByPosition} matched by position and alleles (named by the panel's ID)` : ''}`);
  for (const g of r.guards) if (!g.passed) out.push(`  guard ${g.guard} FAILED: ${g.message}`);
  return out;
}
