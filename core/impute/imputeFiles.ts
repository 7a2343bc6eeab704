// `pgsflow impute`: summary statistics + SBayesRC LD folder → a .ma covering every panel SNP in
// panel order (DESIGN §5.2). Blocks are streamed: one eigen file and one block's workspace in
// memory at a time; observed SNPs are copied through as written.
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BadInputError } from '../errors.js';
import { AtomicFileWriter, writeFileAtomic } from '../files/atomicWrite.js';
import { readEigenBlock, readLdFolder } from '../formats/ldFolder.js';
import { truncateEigen } from '../ld/eigenCutoff.js';
import { readSumstats } from '../formats/sumstats.js';
import type { LdFolder, SumstatsTable } from '../formats/types.js';
import { type Alignment, alignToPanel, alignedZ } from '../alleles/alignToPanel.js';
import { type BlockImputation, imputeBlockZ, workspaceBytes } from './conditionalZ.js';
import { imputedStats } from './imputedStats.js';
import { IMPUTED_HEADER, type PanelSnp, imputedLine, notImputableLine, observedLine } from './imputedRows.js';
import { imputationScale } from './imputationScale.js';
import { observedText } from './observedText.js';
import { type BlockReport, type ImputeReport, summaryOf } from './imputeSummary.js';
import type { ImputationScale, ImputeRequest, ImputeSummary } from '../../contracts/impute.js';

export const DEFAULT_IMPUTE_CUTOFF = 0.995;

export interface ImputeProgress {
  /** 1-based block just written, of `blocks`. */
  block: number;
  blocks: number;
  imputed: number;
}

export const reportPath = (out: string): string => `${out}.impute.json`;

const seconds = (from: number): number => (performance.now() - from) / 1000;

export async function imputeOnFiles(req: ImputeRequest, onBlock?: (p: ImputeProgress) => void): Promise<ImputeSummary> {
  const started = performance.now();
  const cutoff = req.cutoff ?? DEFAULT_IMPUTE_CUTOFF;
  if (!(cutoff > 0 && cutoff <= 1)) throw new BadInputError(req.ld, `eigen cut-off must be in (0, 1], got ${cutoff}`);
  if (resolve(req.out) === resolve(req.sumstats)) throw new BadInputError(req.out, 'the output would replace the summary statistics it is made from');
  const panel = await readLdFolder(req.ld);
  const stats = await readSumstats(req.sumstats, req.read);
  const align = alignToPanel(stats, panel.snps, join(req.ld, 'snp.info'));
  const c = align.counts;
  if (align.usedRows.length === 0) {
    throw new BadInputError(
      req.sumstats,
      `no SNP can be used with the LD panel ${req.ld}: ${c.notInPanel} not in the panel, ${c.alleleMismatch} with other alleles, ` +
        `${c.missingValues} without freq or N, of ${c.rows} (wrong panel, or IDs in another naming scheme?)`,
    );
  }
  // v_j is symmetric in f ↔ 1 − f and b ↔ −b, so the rows need no re-orientation here.
  const scale = imputationScale(align.usedRows, stats);
  const text = await observedText(req.sumstats, stats, align);
  const readSeconds = seconds(started);

  const nBlocks = panel.info.block.length;
  const blocks: BlockReport[] = [];
  let monomorphic = 0;
  let blocksWithoutObserved = 0;
  const imputeStarted = performance.now();
  await mkdir(dirname(req.out), { recursive: true });
  const writer = new AtomicFileWriter(req.out);
  try {
    writer.write(Buffer.from(IMPUTED_HEADER));
    for (let b = 0; b < nBlocks; b++) {
      const done = await imputeOneBlock({ panel, stats, align, text, scale, cutoff }, b);
      writer.write(Buffer.from(done.lines));
      blocks.push(done.report);
      monomorphic += done.monomorphic;
      if (done.report.observed === 0) blocksWithoutObserved++;
      onBlock?.({ block: b + 1, blocks: nBlocks, imputed: done.report.imputed });
    }
    writer.commit();
  } catch (e) {
    writer.abort();
    throw e;
  }

  const sum = (f: (x: BlockReport) => number): number => blocks.reduce((s, x) => s + f(x), 0);
  const report: ImputeReport = {
    out: req.out,
    report: reportPath(req.out),
    sumstats: req.sumstats,
    ld: req.ld,
    cutoff,
    input: { ...c, duplicatesMerged: stats.duplicates.reduce((s, d) => s + d.lines.length - 1, 0), setAside: stats.rejected.length },
    scale,
    totals: {
      panelSnps: panel.snps.id.length,
      observed: sum((x) => x.observed),
      imputed: sum((x) => x.imputed),
      notImputable: sum((x) => x.notImputable),
      blocksWithoutObserved,
      monomorphic,
    },
    maxWorkspaceBytes: blocks.reduce((s, x) => Math.max(s, x.workspaceBytes), 0),
    seconds: { read: readSeconds, impute: seconds(imputeStarted), total: seconds(started) },
    blocks,
  };
  await writeFileAtomic(report.report, `${JSON.stringify(report, null, 2)}\n`);
  return summaryOf(report);
}

interface RunInputs {
  panel: LdFolder;
  stats: SumstatsTable;
  align: Alignment;
  text: string[];
  scale: ImputationScale;
  cutoff: number;
}

/** Block b (0-based): its output lines in panel order and its report row. */
async function imputeOneBlock(run: RunInputs, b: number): Promise<{ lines: string; report: BlockReport; monomorphic: number }> {
  const started = performance.now();
  const { panel, stats, align, text, scale } = run;
  const { info, snps } = panel;
  const first = info.startIdx[b]!;
  const m = info.numSnps[b]!;
  const observed: number[] = [];
  const missing: number[] = [];
  for (let j = 0; j < m; j++) (align.row[first + j]! >= 0 ? observed : missing).push(j);

  // Eigen data are read only for blocks with something to impute and something to impute from.
  let result: BlockImputation | null = null;
  let k = 0;
  let workspace = 0;
  if (observed.length > 0 && missing.length > 0) {
    const file = panel.eigenFiles[b]!;
    const eigen = truncateEigen(await readEigenBlock(file, m), run.cutoff, file);
    k = eigen.k;
    workspace = workspaceBytes(observed.length, missing.length, k);
    const zObserved = Float64Array.from(observed, (j) => alignedZ(stats, align, first + j));
    result = imputeBlockZ(eigen, { observed: Int32Array.from(observed), zObserved, missing: Int32Array.from(missing) });
    if (!result) throw new BadInputError(file, 'the regularised LD of the observed SNPs is not positive definite: corrupt eigen data?');
  }

  const lines = new Array<string>(m);
  const slot = new Int32Array(m).fill(-1); // block-local SNP → its position in `missing`
  missing.forEach((j, i) => (slot[j] = i));
  let imputed = 0;
  let monomorphic = 0;
  for (let j = 0; j < m; j++) {
    const g = first + j;
    const snp: PanelSnp = { id: snps.id[g]!, a1: snps.a1[g]!, a2: snps.a2[g]!, freq: snps.a1Freq[g]! };
    if (align.row[g]! >= 0) {
      lines[j] = observedLine(snp, text[g]!);
      continue;
    }
    const s = result ? imputedStats(result.z[slot[j]!]!, snp.freq, scale) : null;
    if (s) {
      lines[j] = imputedLine(snp, s, scale.nMed, result!.quality[slot[j]!]!);
      imputed++;
    } else {
      lines[j] = notImputableLine(snp, scale.nMed);
      if (result) monomorphic++;
    }
  }
  const report: BlockReport = {
    block: b + 1,
    chrom: info.chrom[b]!,
    snps: m,
    observed: observed.length,
    imputed,
    notImputable: missing.length - imputed,
    k,
    workspaceBytes: workspace,
    seconds: seconds(started),
  };
  return { lines: lines.join(''), report, monomorphic };
}
