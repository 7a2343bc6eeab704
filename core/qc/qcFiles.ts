// `pgsflow qc` on files: summary statistics (COJO .ma or GWAS-SSF) against an SBayesRC LD
// folder's snp.info. The report and removed list are written even when a guard fails (they
// are how the user finds out why); the cleaned file only when every guard passed.
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readLdFolder } from '../formats/ldFolder.js';
import { readSumstats } from '../formats/sumstats.js';
import { assertGuards } from './guards.js';
import { readInfoColumn } from './infoColumn.js';
import { explainVariant, qcReport } from './qcSummary.js';
import { runQc } from './runQc.js';
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
}

export interface QcFilesResult {
  report: QcReport;
  /** Files written, absolute. */
  files: string[];
  /** One line per row of each explained SNP. */
  explanations: string[];
  /** INFO rule: whether the input had an INFO column. */
  infoColumn: boolean;
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
  const table = await readSumstats(req.sumstats);
  const info = await readInfoColumn(req.sumstats, table);
  const variants = variantsFromSumstats(req.sumstats, table, info);
  const folder = await readLdFolder(req.ld);
  const panel = panelFromSnpTable(folder.snps);

  const outcome = runQc(variants, panel, thresholds);
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
  const result = { report, files, explanations, infoColumn: info !== null };
  onResult?.(result);
  assertGuards(report.guards);
  return result;
}
