// One cohort's dosage files (one, or one per chromosome) as a single variant sequence: every file
// must hold the same samples in the same order, as PLINK 2 requires when it merges them.
import { BadInputError } from '../errors.js';
import type { DosageChunk, DosageReadSummary, DosageSource, GenotypeSamples, SkippedRecords } from './dosageSource.js';

export interface DosageCohort {
  format: DosageSource['format'];
  samples: GenotypeSamples;
  sources: DosageSource[];
  /** Every file read (for hashes and messages). */
  files: string[];
}

export function combineDosageSources(sources: readonly DosageSource[]): DosageCohort {
  const first = sources[0];
  if (!first) throw new BadInputError('(none)', 'no genotype file given');
  for (const s of sources.slice(1)) checkSameSamples(s, first);
  return { format: first.format, samples: first.samples, sources: [...sources], files: sources.flatMap((s) => s.files) };
}

/** Read every file in order, numbering variants across them; skipped records summed by reason. */
export async function readDosageCohort(c: DosageCohort, chunkVariants: number, onChunk: (chunk: DosageChunk) => void | Promise<void>): Promise<DosageReadSummary> {
  let offset = 0;
  const skipped = new Map<string, SkippedRecords>();
  for (const s of c.sources) {
    const base = offset;
    const summary = await s.read(chunkVariants, (chunk) => onChunk({ ...chunk, firstVariant: base + chunk.firstVariant }));
    offset += summary.variants;
    for (const k of summary.skipped) {
      const prev = skipped.get(k.reason);
      if (!prev) skipped.set(k.reason, { ...k, examples: [...k.examples] });
      else {
        prev.count += k.count;
        prev.examples.push(...k.examples.slice(0, Math.max(0, 5 - prev.examples.length)));
      }
    }
  }
  return { variants: offset, skipped: [...skipped.values()] };
}

function checkSameSamples(s: DosageSource, first: DosageSource): void {
  const a = s.samples;
  const b = first.samples;
  const where = s.files[0] ?? '?';
  if (a.iid.length !== b.iid.length) {
    throw new BadInputError(where, `${a.iid.length} samples, but ${first.files[0] ?? '?'} has ${b.iid.length}: the files of one cohort must hold the same samples`);
  }
  for (let i = 0; i < a.iid.length; i++) {
    if (a.iid[i] !== b.iid[i] || a.fid[i] !== b.fid[i]) {
      throw new BadInputError(where, `sample ${i + 1} is '${a.fid[i]} ${a.iid[i]}', but '${b.fid[i]} ${b.iid[i]}' in ${first.files[0] ?? '?'}: the files of one cohort must list the same samples in the same order`);
    }
  }
}
