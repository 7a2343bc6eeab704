// `pgsflow qc` on files: summary statistics (COJO .ma or GWAS-SSF) against an SBayesRC LD
// folder's snp.info. The report and removed list are written even when a guard fails (they
// are how the user finds out why); the cleaned file only when every guard passed.
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readLdFolder } from '../formats/ldFolder.js';
import type { SumstatsReadOptions } from '../../contracts/sumstats.js';
import { readSumstats } from '../formats/sumstats.js';
import { assertGuards } from './guards.js';
import { explainVariant, qcReport } from './qcSummary.js';
import { type PanelCompletion, completeFromPanel } from './panelCompletion.js';
import { describeSumstatsColumns } from '../formats/sumstatsSummary.js';
import { runQc } from './runQc.js';
import { liftRows } from './liftRows.js';
import { describeLiftCounts } from '../genomeBuild/liftover.js';
import { type QcThresholdsInput, resolveQcThresholds } from '../../config/qcThresholds.js';
import { panelFromSnpTable, variantsFromSumstats } from './variants.js';
import { writeCleanedMa, writeQcJson, writeRemovedTsv } from './writeQcFiles.js';
import type { QcReport } from '../../contracts/qc.js';

export interface QcFilesRequest {
  sumstats: string;
  ld: string;
  /** Cleaned .ma; the report goes to `<out>.qc.json`, the removed list to `<out>.removed.tsv`. */
  out: string;
  thresholds?: QcThresholdsInput;
  /** SNP IDs whose fate to explain. */
  explain?: readonly string[];
  /** How to read the summary statistics (column overrides, --n, --max-bad-rows). */
  read?: SumstatsReadOptions;
  /** A UCSC chain file lifting the summary statistics' positions to the panel's build. */
  chain?: string;
}

export interface QcFilesResult {
  report: QcReport;
  /** Files written, absolute. */
  files: string[];
  /** One line per row of each explained SNP. */
  explanations: string[];
  /** INFO rule: whether the input had an INFO column. */
  infoColumn: boolean;
  /** How the file was read: its dialect and column mapping, and what was derived. */
  reading: { columns: string; derived: string[]; fromPanel: PanelCompletion; liftover: string | null };
}

export const qcJsonPath = (out: string): string => `${out}.qc.json`;
export const removedTsvPath = (out: string): string => `${out}.removed.tsv`;

/**
 * Run QC and write its files. A failed guard throws its GuardError after the report is
 * written; `onResult` sees the result first (e.g. to print explanations either way).
 */
export async function qcOnFiles(req: QcFilesRequest, onResult?: (r: QcFilesResult) => void): Promise<QcFilesResult> {
  const thresholds = resolveQcThresholds(req.thresholds ?? {});
  const out = resolve(req.out);
  const table = await readSumstats(req.sumstats, req.read);
  const variants = variantsFromSumstats(req.sumstats, table);
  const lift = req.chain !== undefined ? await liftRows(variants, req.chain, req.sumstats) : null;
  const folder = await readLdFolder(req.ld);
  const panel = panelFromSnpTable(folder.snps);
  const fromPanel = completeFromPanel(variants, panel, table.zOnly);

  const outcome = runQc(variants, panel, thresholds, req.sumstats);
  const report = qcReport(outcome);
  const files = [qcJsonPath(out), removedTsvPath(out)];
  await writeQcJson(files[0]!, report, { sumstats: resolve(req.sumstats), ld: resolve(req.ld), out });
  await writeRemovedTsv(files[1]!, outcome, variants);
  if (report.status === 'passed') {
    await writeCleanedMa(out, outcome, variants, panel);
    files.unshift(out);
  } else {
    // A cleaned file from an earlier run must not pass for this run's result.
    await rm(out, { force: true });
  }
  const explanations = (req.explain ?? []).flatMap((snp) => explainVariant(outcome, variants, panel, snp));
  const result = { report, files, explanations, infoColumn: table.info !== null, reading: { columns: describeSumstatsColumns(table), derived: table.derived, fromPanel, liftover: lift ? describeLiftCounts(lift) : null } };
  onResult?.(result);
  assertGuards(report.guards);
  return result;
}
