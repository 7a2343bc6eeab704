// One scoring job over any genotype source (PLINK files or the store): resolve frequencies,
// optionally take the missing ones from the scored samples (an extra pass, opt-in), run the
// kernel, and refuse to return scores that a missing call without a frequency made undefined.
import { BadInputError } from '../errors.js';
import type { GenotypeVariants, MatchedWeights } from '../alleles/matchAlleles.js';
import { DosageSampleFrequencies, SampleFrequencies } from './sampleFrequencies.js';
import { DosageScoreAccumulator } from './dosageScoreKernel.js';
import { type GenotypeKind, dosageView } from '../genotypes/storeGenotypes.js';
import type { SampleIds } from '../genotypes/sampleSelection.js';
import { SKIP_SAMPLE, type ScoreModel, type ScoreSums } from './scoreKernel.js';
import { type FrequencySource, buildScoreModel, fillFrequencies, requireCentringFrequencies, resolveFrequencies } from './scoreModel.js';
import { type ScoreWorkers, startScoring } from './scoreRunner.js';

/**
 * Streams genotypes of (at least) the given variants, in order; `shared` asks for
 * SharedArrayBuffer-backed chunks. The bytes are .bed codes for hard calls, or uint16
 * little-endian ALT dosages (1/16384 units) for a dosage source (`ScoreJob.kind`).
 */
export type ChunkFeeder = (
  variants: Int32Array,
  shared: boolean,
  onChunk: (packed: Uint8Array, firstVariant: number, nVariants: number) => Promise<void>,
) => Promise<void>;

export interface ScoreJob {
  geno: GenotypeVariants;
  samples: SampleIds;
  matched: MatchedWeights;
  frequencies: FrequencySource;
  /** Impute missing calls at variants without a reference frequency from the scored samples. */
  allowSampleFreq: boolean;
  center: boolean;
  sampleScore: Int32Array | null;
  feed: ChunkFeeder;
  /** What the fed bytes hold (default hard calls). */
  kind?: GenotypeKind;
  workers: ScoreWorkers | null;
  /** Threads to use, this one included (default: as many as the job is worth and `workers` allow). */
  threads?: number | undefined;
  /** Names the genotypes in error messages (a .bed, a store cohort). */
  source: string;
  /** Names the frequency source in error messages. */
  freqSource: string;
}

export interface FrequencyReport {
  source: FrequencySource['kind'];
  /** Rows with a reference frequency / matched in a --freq file. */
  found: number;
  swapped: number;
  absent: number;
  mismatched: number;
  /** Rows whose frequency came from the scored samples (--allow-sample-freq). */
  fromSamples: number;
}

export interface ScoredGenotypes {
  model: ScoreModel;
  sums: ScoreSums;
  threads: number;
  frequency: FrequencyReport;
}

export async function scoreGenotypes(job: ScoreJob): Promise<ScoredGenotypes> {
  const { matched, samples } = job;
  const nSamples = samples.fid.length;
  const resolved = resolveFrequencies(job.frequencies, job.geno, matched);
  const rows = matched.variant.length;
  const frequency: FrequencyReport = {
    source: job.frequencies.kind,
    found: resolved.alignment ? resolved.alignment.found : rows - resolved.unknown,
    swapped: resolved.alignment?.swapped ?? 0,
    absent: resolved.alignment ? resolved.alignment.absent : resolved.unknown,
    mismatched: resolved.alignment?.mismatched ?? 0,
    fromSamples: 0,
  };
  if (job.allowSampleFreq && resolved.unknown > 0) {
    if (job.kind === 'dosage') {
      const counter = new DosageSampleFrequencies(matched.variant, nSamples, job.sampleScore);
      await job.feed(matched.variant, false, async (bytes, first, n) => counter.addChunk(dosageView(bytes), first, n));
      fillFrequencies(resolved.freq, counter.finish());
    } else {
      const counter = new SampleFrequencies(matched.variant, nSamples, job.sampleScore);
      await job.feed(matched.variant, false, async (packed, first, n) => counter.addChunk(packed, first, n));
      fillFrequencies(resolved.freq, counter.finish());
    }
    frequency.fromSamples = resolved.unknown;
  }
  const model = buildScoreModel(matched, resolved.freq, job.center);
  requireCentringFrequencies(model, job.geno, job.freqSource);

  if (job.kind === 'dosage') {
    // No worker threads here: the native dosage kernel runs tiles of samples on every core itself, and
    // adds a chunk while the feed reads the next (DosageScoreAccumulator.addChunk).
    const acc = new DosageScoreAccumulator(model, nSamples, job.sampleScore);
    await job.feed(matched.variant, false, async (bytes, first, n) => acc.addChunk(dosageView(bytes), first, n));
    const sums = acc.finish();
    checkDefined(sums, job);
    return { model, sums, threads: 1, frequency };
  }
  const run = await startScoring(model, nSamples, job.sampleScore, job.workers, job.threads);
  await job.feed(matched.variant, run.threads > 1, (packed, first, n) => run.addChunk(packed, first, n));
  const sums = await run.finish();
  checkDefined(sums, job);
  return { model, sums, threads: run.threads, frequency };
}

/** A NaN score means a missing call at a variant without a frequency to impute it from. */
function checkDefined(sums: ScoreSums, job: ScoreJob): void {
  const s = sums.nScores;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < sums.sampleEnd - sums.sampleStart; i++) {
    const choice = job.sampleScore?.[i];
    if (choice === SKIP_SAMPLE) continue;
    for (let c = 0; c < s; c++) {
      if (choice !== undefined && choice >= 0 && choice !== c) continue;
      if (Number.isNaN(sums.scores[i * s + c])) {
        if (bad++ === 0) first = i;
        break;
      }
    }
  }
  if (bad === 0) return;
  const who = `${job.samples.fid[first]} ${job.samples.iid[first]}`;
  throw new BadInputError(
    job.source,
    `${bad} sample(s) (e.g. ${who}) have missing genotypes at weighted variants without a reference allele frequency to impute them: ` +
      'pass --freq FILE with A1 frequencies from the training or reference samples (a plink2 .afreq, or SNP FREQ), ' +
      "or --allow-sample-freq to impute from the scored samples' own frequencies (which leaks them into their scores)",
  );
}
