// QC outputs on disk: the cleaned COJO .ma (panel alleles and order), F.qc.json and
// F.removed.tsv. Written in pieces through a temp file and renamed, so a crash never leaves
// half a file and ten million rows never have to fit in one string.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AtomicFileWriter, writeFileAtomic } from '../files/atomicWrite.js';
import { exact } from './numberFormat.js';
import { removedRows } from './qcSummary.js';
import type { QcOutcome } from './runQc.js';
import { ruleOfCode } from './rules.js';
import type { QcPanel, QcVariants } from './variants.js';
import type { QcReport } from '../../contracts/qc.js';

const LINES_PER_WRITE = 1 << 14;

async function writeLines(path: string, header: string, count: number, line: (k: number) => string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const w = new AtomicFileWriter(path);
  try {
    const enc = new TextEncoder();
    let batch: string[] = [header];
    for (let k = 0; k < count; k++) {
      batch.push(line(k));
      if (batch.length >= LINES_PER_WRITE) {
        w.write(enc.encode(`${batch.join('\n')}\n`));
        batch = [];
      }
    }
    if (batch.length > 0) w.write(enc.encode(`${batch.join('\n')}\n`));
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** COJO .ma of the surviving rows: the panel's A1/A2, b and freq of its A1, panel order. */
export async function writeCleanedMa(path: string, o: QcOutcome, v: QcVariants, panel: QcPanel): Promise<void> {
  await writeLines(path, 'SNP A1 A2 freq b se p N', o.kept.length, (k) => {
    const i = o.kept[k]!;
    const j = o.panelIndex[i]!;
    return `${panel.id[j]} ${panel.a1[j]} ${panel.a2[j]} ${exact(o.freq[i]!)} ${exact(o.b[i]!)} ${exact(v.se[i]!)} ${exact(v.p[i]!)} ${exact(v.n[i]!)}`;
  });
}

/** `SNP rule detail`, tab-separated (details contain spaces), grouped by rule. */
export async function writeRemovedTsv(path: string, o: QcOutcome, v: QcVariants): Promise<void> {
  const rows = removedRows(o);
  await writeLines(path, 'SNP\trule\tdetail', rows.length, (k) => {
    const i = rows[k]!;
    return `${v.snp[i]}\t${ruleOfCode(o.fate[i]!)}\t${o.detail.get(i) ?? ''}`;
  });
}

export async function writeQcJson(path: string, report: QcReport, inputs: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ inputs, ...report }, null, 2)}\n`);
}
