// The score table: FID IID ALLELE_CT NAMED_ALLELE_DOSAGE_SUM SCORE_<name>…, tab-separated, one
// row per scored sample in .fam order, full double precision (shortest round-trip decimal);
// NA where a sample was not scored with a column (the fold trick). Written atomically.
import { AtomicFileWriter } from '../files/atomicWrite.js';
import { SKIP_SAMPLE, type ScoreSums } from './scoreKernel.js';

export interface ScoreTable {
  names: readonly string[];
  fid: readonly string[];
  iid: readonly string[];
  sampleScore: Int32Array | null;
  sums: ScoreSums;
}

export function scoreHeader(names: readonly string[]): string {
  return ['FID', 'IID', 'ALLELE_CT', 'NAMED_ALLELE_DOSAGE_SUM', ...names.map((n) => `SCORE_${n}`)].join('\t');
}

export function writeScores(path: string, t: ScoreTable): void {
  const s = t.names.length;
  const out = new AtomicFileWriter(path);
  const encoder = new TextEncoder();
  try {
    const lines: string[] = [scoreHeader(t.names)];
    const flush = (): void => {
      out.write(encoder.encode(`${lines.join('\n')}\n`));
      lines.length = 0;
    };
    for (let i = 0; i < t.fid.length; i++) {
      if (t.sampleScore?.[i] === SKIP_SAMPLE) continue;
      let line = `${t.fid[i]}\t${t.iid[i]}\t${t.sums.alleleCount[i]}\t${t.sums.namedDosage[i]}`;
      for (let c = 0; c < s; c++) {
        const v = t.sums.scores[i * s + c]!;
        line += Number.isNaN(v) ? '\tNA' : `\t${v}`;
      }
      lines.push(line);
      if (lines.length >= 4096) flush();
    }
    if (lines.length > 0) flush();
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
