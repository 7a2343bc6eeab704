// Which samples get which score: `--keep` (PLINK keep list: FID IID, or IID alone) and
// `--folds` (FID IID fold, folds 1..K as `pgsflow gwas` writes them: a sample in fold k is
// scored only with the k-th score, the weights trained without it).
import { BadInputError } from '../errors.js';
import { findColumns, parseInteger, scanLines, scanTable, tabIfHeaderHasTab } from '../formats/text.js';
import { ALL_SCORES, SKIP_SAMPLE } from '../score/scoreKernel.js';

export interface SampleIds {
  fid: readonly string[];
  iid: readonly string[];
}

export interface SampleSelection {
  /** Per .fam sample: a score column, ALL_SCORES or SKIP_SAMPLE; null when every sample gets every score. */
  sampleScore: Int32Array | null;
  scored: number;
  /** Lines of the keep / folds files naming samples absent from the genotypes. */
  unknownKeep: number;
  unknownFolds: number;
}

const key = (fid: string, iid: string): string => `${fid}\t${iid}`;

/** Samples named in a PLINK keep file, as a per-sample mask. */
export async function readKeep(path: string, samples: SampleIds): Promise<{ keep: Uint8Array; unknown: number }> {
  const byPair = new Map<string, number>();
  const byIid = new Map<string, number[]>();
  samples.fid.forEach((f, i) => {
    byPair.set(key(f, samples.iid[i]!), i);
    const list = byIid.get(samples.iid[i]!);
    if (list) list.push(i);
    else byIid.set(samples.iid[i]!, [i]);
  });
  const keep = new Uint8Array(samples.fid.length);
  let unknown = 0;
  let first = true;
  await scanLines(path, 'whitespace', (f) => {
    const head = f[0]!.toLowerCase().replace(/^#/, '');
    if (first && (head === 'fid' || head === 'iid')) {
      first = false;
      return;
    }
    first = false;
    if (f.length === 1) {
      const hits = byIid.get(f[0]!);
      if (!hits) unknown++;
      else hits.forEach((i) => (keep[i] = 1));
    } else {
      // Further columns are ignored, as PLINK does.
      const i = byPair.get(key(f[0]!, f[1]!));
      if (i === undefined) unknown++;
      else keep[i] = 1;
    }
  });
  return { keep, unknown };
}

/** Fold per sample (0-based), −1 for samples not in the file; K = the largest fold. */
export async function readFolds(path: string, samples: SampleIds): Promise<{ fold: Int32Array; k: number; unknown: number }> {
  const index = new Map<string, number>();
  samples.fid.forEach((f, i) => index.set(key(f, samples.iid[i]!), i));
  const fold = new Int32Array(samples.fid.length).fill(-1);
  let k = 0;
  let unknown = 0;
  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const cols = findColumns(path, header.map((h, i) => (i === 0 ? h.replace(/^#/, '') : h)), { fid: { name: 'FID' }, iid: { name: 'IID' }, fold: { name: 'fold' } });
    const seen = new Map<string, number>();
    return (f, line) => {
      const id = key(f[cols.fid] ?? '', f[cols.iid] ?? '');
      const value = parseInteger(path, f[cols.fold] ?? '', 'fold', line, cols.fold + 1, 1, 1_000_000);
      const before = seen.get(id);
      if (before !== undefined) throw new BadInputError(path, `sample ${id.replace('\t', ' ')} listed twice (lines ${before} and ${line})`, line, 1);
      seen.set(id, line);
      k = Math.max(k, value);
      const i = index.get(id);
      if (i === undefined) unknown++;
      else fold[i] = value - 1;
    };
  });
  return { fold, k, unknown };
}

/** Combine keep and folds into the kernel's per-sample score choice. */
export async function selectSamples(samples: SampleIds, nScores: number, keepPath?: string, foldsPath?: string): Promise<SampleSelection> {
  const n = samples.fid.length;
  if (!keepPath && !foldsPath) return { sampleScore: null, scored: n, unknownKeep: 0, unknownFolds: 0 };
  const choice = new Int32Array(n).fill(ALL_SCORES);
  let unknownKeep = 0;
  let unknownFolds = 0;
  if (keepPath) {
    const { keep, unknown } = await readKeep(keepPath, samples);
    unknownKeep = unknown;
    keep.forEach((k, i) => {
      if (!k) choice[i] = SKIP_SAMPLE;
    });
  }
  if (foldsPath) {
    const { fold, k, unknown } = await readFolds(foldsPath, samples);
    unknownFolds = unknown;
    if (k > nScores) {
      throw new BadInputError(foldsPath, `folds go up to ${k} but there are ${nScores} scores: give one weight column per fold, in fold order`);
    }
    fold.forEach((f, i) => {
      if (choice[i] !== SKIP_SAMPLE) choice[i] = f >= 0 ? f : SKIP_SAMPLE;
    });
  }
  let scored = 0;
  for (const c of choice) if (c !== SKIP_SAMPLE) scored++;
  return { sampleScore: choice, scored, unknownKeep, unknownFolds };
}
