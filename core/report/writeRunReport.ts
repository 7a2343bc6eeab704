// `pgsflow report`'s work on an open store: the HTML report and/or the exports of one run,
// written where the caller says. Run in the CLI when it can open the store, or in the worker
// that owns it (an `audit` request of kind 'report', answered by the store worker).
import { writeFileAtomic } from '../files/atomicWrite.js';
import type { Store } from '../store/store.js';
import { gatherExports, writeExports } from './exports.js';
import { gatherReport } from '../runRecords/reportData.js';
import { renderReport } from './renderReport.js';
import type { RunReportRequest, WrittenFile } from '../../contracts/audit.js';

export async function writeRunReport(store: Store, req: RunReportRequest): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  if (req.out !== undefined) {
    const html = renderReport(await gatherReport(store, req.runId));
    await writeFileAtomic(req.out, html);
    written.push({ path: req.out, what: `HTML report (${html.length} bytes)` });
  }
  if (req.exportsDir !== undefined) {
    const data = await gatherExports(store, req.runId, req.trait);
    written.push(...(await writeExports(req.exportsDir, data, req.genomeBuild ?? 'NR')));
  }
  return written;
}
