// QC inside a study: a GWAS set from the `gwas` table against a panel's `ld_panel_snps`, the
// same rules as the file path (runQc). The cleaned set `<gwasSet>/qc` (source 'qc', panel
// alleles, order and positions) and the qc_counts / qc_removed rows land in one transaction,
// replacing any earlier result for the same run, scope and set (a retry writes no duplicates).
// A failed guard throws before anything is written.
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { assertGuards } from './guards.js';
import { qcReport, removedRows } from './qcSummary.js';
import { completeFromPanel } from './panelCompletion.js';
import { rowPositions } from '../alleles/variantPosition.js';
import { type QcOutcome, runQc } from './runQc.js';
import { ruleCode, ruleOfCode } from './rules.js';
import { type QcThresholdsInput, resolveQcThresholds } from '../../config/qcThresholds.js';
import { type QcPanel, type QcVariants, requireSampleSize } from './variants.js';
import type { QcReport, QcRequest, QcRule, QcSummary } from '../../contracts/qc.js';

export const qcOutputSet = (gwasSet: string): string => `${gwasSet}/qc`;

export async function qcInStore(store: Store, req: QcRequest): Promise<QcSummary> {
  const { runId, scope, gwasSet, panel: panelName, ...thresholdInput } = req;
  const thresholds = resolveQcThresholds(thresholdInput, 'qc request');
  const variants = await gwasFromStore(store, gwasSet);
  const panel = await panelFromStore(store, panelName);
  completeFromPanel(variants, panel, await isZOnly(store, gwasSet));
  const outcome = runQc(variants, panel, thresholds, `GWAS set '${gwasSet}'`);
  const report = qcReport(outcome);
  assertGuards(report.guards);
  const outputSet = qcOutputSet(gwasSet);
  await store.transaction(async (tx) => {
    const key = { r: runId, sc: scope, g: gwasSet };
    await tx.run(`DELETE FROM gwas WHERE gwas_set = $s`, { s: outputSet });
    await tx.run(`DELETE FROM qc_counts WHERE run_id = $r AND scope = $sc AND gwas_set = $g`, key);
    await tx.run(`DELETE FROM qc_removed WHERE run_id = $r AND scope = $sc AND gwas_set = $g`, key);
    for (const r of report.rules) {
      await tx.run(`INSERT INTO qc_counts VALUES ($r, $sc, $g, $rule, $removed, $remaining, $position)`, {
        ...key,
        rule: r.rule,
        removed: r.removed,
        remaining: r.remaining,
        position: r.position,
      });
    }
    const removed = await tx.appender('qc_removed');
    for (const i of removedRows(outcome)) {
      removed.appendVarchar(runId);
      removed.appendVarchar(scope);
      removed.appendVarchar(gwasSet);
      removed.appendVarchar(variants.snp[i]!);
      removed.appendVarchar(ruleOfCode(outcome.fate[i]!)!);
      removed.appendVarchar(outcome.detail.get(i) ?? '');
      removed.endRow();
    }
    appendCleaned(await tx.appender('gwas'), outputSet, outcome, variants, panel);
  });
  return { gwasSet, outputSet, ...report };
}

function appendCleaned(a: import('@duckdb/node-api').DuckDBAppender, set: string, o: QcOutcome, v: QcVariants, panel: QcPanel): void {
  for (let k = 0; k < o.kept.length; k++) {
    const i = o.kept[k]!;
    const j = o.panelIndex[i]!;
    a.appendVarchar(set);
    a.appendInteger(k);
    a.appendVarchar(panel.id[j]!);
    a.appendVarchar(panel.chrom![j]!);
    a.appendInteger(panel.physPos![j]!);
    a.appendVarchar(panel.a1[j]!);
    a.appendVarchar(panel.a2[j]!);
    a.appendDouble(o.freq[i]!);
    a.appendDouble(o.b[i]!);
    a.appendDouble(v.se[i]!);
    a.appendDouble(v.p[i]!);
    a.appendDouble(v.n[i]!);
    a.appendVarchar('qc');
    a.endRow();
  }
}

const num = (x: number | null): number => (x === null ? NaN : x);

export async function gwasFromStore(store: Store, gwasSet: string): Promise<QcVariants> {
  const snp: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const cols: number[][] = [[], [], [], [], []]; // freq b se p n
  const chrom: string[] = [];
  const pos: number[] = [];
  let withPos = 0;
  await store.forEachBatch<[string, string, string, number | null, number, number, number, number | null, string | null, number | null]>(
    `SELECT snp, a1, a2, freq, b, se, p, n, chrom, pos FROM gwas WHERE gwas_set = $s ORDER BY idx`,
    { s: gwasSet },
    (rows) => {
      for (const r of rows) {
        snp.push(r[0]);
        a1.push(r[1]);
        a2.push(r[2]);
        for (let c = 0; c < 5; c++) cols[c]!.push(num(r[3 + c] as number | null));
        chrom.push(r[8] ?? '');
        pos.push(r[9] ?? 0);
        if (r[9] !== null) withPos++;
      }
    },
  );
  const source = `store gwas set '${gwasSet}'`;
  if (snp.length === 0) throw new BadInputError(store.paths.database, `no GWAS set '${gwasSet}' in the store (ingest it, or check the name)`);
  // Rows the reader set aside at ingest: QC removes them at their rule (values NaN).
  const rejected = await store.all<{ line: number; snp: string; rule: string; detail: string }>(
    `SELECT line, snp, rule, detail FROM gwas_rejected WHERE gwas_set = $s ORDER BY line`,
    { s: gwasSet },
  );
  const rows = snp.length;
  const preRule = rejected.length > 0 ? new Uint8Array(rows + rejected.length) : null;
  const preDetail = new Map<number, string>();
  rejected.forEach((r, k) => {
    const code = ruleCode(r.rule as QcRule);
    if (code === 0) throw new BadInputError(store.paths.database, `GWAS set '${gwasSet}': unknown QC rule '${r.rule}' in gwas_rejected`);
    snp.push(r.snp);
    a1.push('');
    a2.push('');
    for (const c of cols) c.push(NaN);
    chrom.push('');
    pos.push(0);
    preRule![rows + k] = code;
    preDetail.set(rows + k, `line ${r.line}: ${r.detail}`);
  });
  const [freq, b, se, p, n] = cols.map((c) => Float64Array.from(c)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  // Positions from the columns, else from positional IDs (1:1066403:T:C and the like).
  const positions = withPos > 0 ? { chrom, pos: Int32Array.from(pos) } : rowPositions(snp, null, null);
  const v: QcVariants = { snp, a1, a2, freq, b, se, p, n, info: null, line: null, preRule, preDetail, chrom: positions?.chrom ?? null, pos: positions?.pos ?? null };
  requireSampleSize(source, v);
  return v;
}

export async function panelFromStore(store: Store, panel: string): Promise<QcPanel> {
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const freq: number[] = [];
  const chrom: string[] = [];
  const pos: number[] = [];
  await store.forEachBatch<[string, string, string, number, string, number]>(
    `SELECT id, a1, a2, a1_freq, chrom, phys_pos FROM ld_panel_snps WHERE panel = $p ORDER BY idx`,
    { p: panel },
    (rows) => {
      for (const r of rows) {
        id.push(r[0]);
        a1.push(r[1].toUpperCase());
        a2.push(r[2].toUpperCase());
        freq.push(r[3]);
        chrom.push(r[4]);
        pos.push(r[5]);
      }
    },
  );
  if (id.length === 0) throw new BadInputError(store.paths.database, `no LD panel '${panel}' in the store (ingest it with --ld, or check the name)`);
  return { id, a1, a2, a1Freq: Float64Array.from(freq), chrom, physPos: Int32Array.from(pos) };
}

/** Whether the set was ingested from a Z-only file without frequencies (b holds Z, se NaN). */
async function isZOnly(store: Store, gwasSet: string): Promise<boolean> {
  const rows = await store.all<{ details_json: string | null }>(`SELECT details_json FROM ingests WHERE dataset = $d AND kind = 'sumstats'`, { d: gwasSet });
  const details = rows[0]?.details_json ? (JSON.parse(rows[0].details_json) as { zOnly?: unknown }) : null;
  return details?.zOnly === true;
}
