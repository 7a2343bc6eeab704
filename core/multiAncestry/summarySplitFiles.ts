// The in-silico split (pseudoSplit.ts) on files: a target GWAS on its LD panel → a training and a
// validation .ma over the same panel SNPs, one eigen block in memory at a time. The training half
// refits the target ancestry; the validation half scores every ancestry's fit (summaryMixingFiles.ts).
// SNPs the GWAS lacks (or whose alleles are not the panel's) enter the split as r = 0 at the
// median N, so each block's draw is the same whatever the GWAS covers, and are left out of both
// halves. Orientation: every written row is on the panel's A1.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { orient } from '../alleles/alleleOrientation.js';
import { BadInputError } from '../errors.js';
import { AtomicFileWriter } from '../files/atomicWrite.js';
import { readLdFolder } from '../formats/ldFolder.js';
import { readSumstats } from '../formats/sumstats.js';
import type { LdFolder, SumstatsTable } from '../formats/types.js';
import { normalTwoSidedP } from '../numeric/stats/distributions.js';
import { median } from '../numeric/stats/median.js';
import { DEFAULT_TRAIN_FRACTION, halfSummaryStats, pseudoSplitBlock, readPanelBlock, summaryCorrelations } from './pseudoSplit.js';
import type { SummarySplitRequest, SummarySplitSummary } from '../../contracts/summaryWeighting.js';

export const SPLIT_HEADER = 'SNP A1 A2 freq b se p N\n';

/** Per panel SNP: the GWAS's b, se, N, A1 frequency on the panel's A1 (present = 0: absent). */
export interface PanelGwas {
  b: Float64Array;
  se: Float64Array;
  n: Float64Array;
  freq: Float64Array;
  present: Uint8Array;
}

/** The GWAS rows on the panel's SNPs, each on the panel's A1 (a strand flip counts as a match). */
export function gwasOnPanel(stats: SumstatsTable, panel: LdFolder): PanelGwas {
  const m = panel.snps.id.length;
  const out: PanelGwas = { b: new Float64Array(m), se: new Float64Array(m), n: new Float64Array(m), freq: new Float64Array(m).fill(NaN), present: new Uint8Array(m) };
  const row = new Map<string, number>();
  stats.snp.forEach((id, i) => row.set(id, i));
  for (let j = 0; j < m; j++) {
    const i = row.get(panel.snps.id[j]!);
    if (i === undefined) continue;
    const o = orient(stats.a1[i]!, stats.a2[i], panel.snps.a1[j]!, panel.snps.a2[j]!);
    if (o === 'mismatch') continue;
    const b = stats.b[i]!;
    const se = stats.se[i]!;
    const n = stats.n[i]!;
    if (!Number.isFinite(b) || !(se > 0) || !Number.isFinite(se) || !(n > 0) || !Number.isFinite(n)) continue;
    const same = o === 'a1' || o === 'flip-a1';
    out.b[j] = same ? b : -b;
    out.se[j] = se;
    out.n[j] = n;
    const f = stats.freq[i]!;
    out.freq[j] = Number.isFinite(f) ? (same ? f : 1 - f) : panel.snps.a1Freq[j]!;
    out.present[j] = 1;
  }
  return out;
}

export async function splitSumstatsOnFiles(req: SummarySplitRequest, onBlock?: (block: number, blocks: number) => void): Promise<SummarySplitSummary> {
  const started = performance.now();
  const trainFraction = req.trainFraction ?? DEFAULT_TRAIN_FRACTION;
  const panel = await readLdFolder(req.ld);
  const stats = await readSumstats(req.sumstats);
  const g = gwasOnPanel(stats, panel);
  const m = g.present.length;
  const presentIdx: number[] = [];
  for (let j = 0; j < m; j++) if (g.present[j]) presentIdx.push(j);
  if (presentIdx.length === 0) throw new BadInputError(req.sumstats, `no row matches a SNP of the LD panel ${req.ld} with its alleles and finite b, se > 0, N > 0`);
  const nMed = median(Float64Array.from(presentIdx, (j) => g.n[j]!));
  const n = Float64Array.from(g.n, (v, j) => (g.present[j] ? v : nMed));
  const { r, scale } = summaryCorrelations(
    Float64Array.from(g.b, (v, j) => (g.present[j] ? v : 0)),
    Float64Array.from(g.se, (v, j) => (g.present[j] ? v : 1)),
    n,
  );

  await mkdir(dirname(req.outTrain), { recursive: true });
  await mkdir(dirname(req.outValid), { recursive: true });
  const writers = [new AtomicFileWriter(req.outTrain), new AtomicFileWriter(req.outValid)] as const;
  const nTrain: number[] = [];
  const nValid: number[] = [];
  const blocks = panel.info.numSnps.length;
  try {
    for (const w of writers) w.write(Buffer.from(SPLIT_HEADER));
    let first = 0;
    for (let b = 0; b < blocks; b++) {
      const mb = panel.info.numSnps[b]!;
      const eigen = await readPanelBlock(panel, b);
      const split = pseudoSplitBlock(eigen, b, r.subarray(first, first + mb), n.subarray(first, first + mb), { seed: req.seed, trainFraction });
      const sc = scale.subarray(first, first + mb);
      const halves = [halfSummaryStats(split.rTrain, split.nTrain, sc), halfSummaryStats(split.rValid, split.nValid, sc)] as const;
      halves.forEach((h, k) => {
        let text = '';
        for (let t = 0; t < mb; t++) {
          const j = first + t;
          if (!g.present[j]) continue;
          const p = normalTwoSidedP(h.b[t]! / h.se[t]!);
          text += `${panel.snps.id[j]} ${panel.snps.a1[j]} ${panel.snps.a2[j]} ${g.freq[j]} ${h.b[t]} ${h.se[t]} ${p} ${h.n[t]}\n`;
          (k === 0 ? nTrain : nValid).push(h.n[t]!);
        }
        writers[k]!.write(Buffer.from(text));
      });
      first += mb;
      onBlock?.(b + 1, blocks);
    }
    for (const w of writers) w.commit();
  } catch (e) {
    for (const w of writers) w.abort();
    throw e;
  }
  return {
    outTrain: req.outTrain,
    outValid: req.outValid,
    trainFraction,
    snps: presentIdx.length,
    absent: m - presentIdx.length,
    nTrain: median(Float64Array.from(nTrain)),
    nValid: median(Float64Array.from(nValid)),
    blocks,
    seconds: (performance.now() - started) / 1000,
  };
}
