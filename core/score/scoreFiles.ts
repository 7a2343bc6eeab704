// `pgsflow score` on genotype files: PLINK 1 filesets (one, or one per chromosome with the same
// samples) or dosage files (pgen, VCF/BCF, BGEN), any number of weight files and columns, one
// pass over the genotypes (dosage files: one more to list their variants, scoreFileGenotypes.ts).
import { availableParallelism } from 'node:os';
import { BadInputError } from '../errors.js';
import { readFrequencyFile } from './frequencyFile.js';
import { type AmbiguousWeightPolicy, matchAlleles } from '../alleles/matchAlleles.js';
import type { DosageInput } from '../genotypes/genotypeInput.js';
import { selectSamples } from '../genotypes/sampleSelection.js';
import { type ScoreFileGenotypes, openBedScoreGenotypes, openDosageScoreGenotypes } from './scoreFileGenotypes.js';
import { type ScoreReport, makeReport } from './scoreSummary.js';
import { scoreGenotypes } from './scoreGenotypes.js';
import type { ScoreSums } from './scoreKernel.js';
import type { FrequencySource } from './scoreModel.js';
import { ScoreWorkers, scoreThreads } from './scoreRunner.js';
import { readWeights } from './weights.js';

export interface ScoreFilesOptions {
  /** PLINK 1 prefixes. */
  bfiles?: string[];
  /** Dosage files instead of `bfiles` (exactly one of the two). */
  genotypes?: DosageInput;
  weights: string[];
  center?: boolean;
  /**
   * Reference A1 frequencies (.afreq, .frq or SNP FREQ) for missing calls and centring: one
   * file for every score, or one per score (fold k's training frequencies for fold k's weights).
   */
  freq?: string | string[];
  allowSampleFreq?: boolean;
  /** PLINK keep list (FID IID). */
  keep?: string;
  /** FID IID fold (1..K): fold k is scored with the k-th score only. */
  folds?: string;
  ambiguous?: AmbiguousWeightPolicy;
  /** Threads, this one included (default: as many as the job is worth, up to all cores). */
  threads?: number;
}

export interface ScoreResult {
  names: string[];
  fid: string[];
  iid: string[];
  /** Per sample: column, ALL_SCORES or SKIP_SAMPLE (null: all samples, all scores). */
  sampleScore: Int32Array | null;
  sums: ScoreSums;
  report: ScoreReport;
  /** Dosage files only: whether they held hard calls only (then scored as a .bed), records set aside. */
  dosage?: ScoreFileGenotypes['dosage'];
}

function openGenotypes(opts: ScoreFilesOptions): Promise<ScoreFileGenotypes> {
  const bfiles = opts.bfiles ?? [];
  if ((bfiles.length > 0) === (opts.genotypes !== undefined)) {
    throw new BadInputError(bfiles[0] ?? opts.genotypes?.paths[0] ?? '(none)', 'give PLINK 1 filesets or dosage files (pgen, VCF/BCF, BGEN), exactly one of them');
  }
  return opts.genotypes ? openDosageScoreGenotypes(opts.genotypes) : openBedScoreGenotypes(bfiles);
}

async function frequencySource(freq: string | string[] | undefined, nScores: number): Promise<FrequencySource> {
  const paths = freq === undefined ? [] : Array.isArray(freq) ? freq : [freq];
  if (paths.length === 0) return { kind: 'none' };
  if (paths.length === 1) return { kind: 'file', table: await readFrequencyFile(paths[0]!) };
  if (paths.length !== nScores) {
    throw new BadInputError(paths[0]!, `${paths.length} frequency files for ${nScores} scores: give one file, or one per score in score order`);
  }
  const tables = [];
  for (const p of paths) tables.push(await readFrequencyFile(p));
  return { kind: 'files-per-score', tables };
}

export async function scoreFiles(opts: ScoreFilesOptions): Promise<ScoreResult> {
  const started = Date.now();
  const freqPaths = opts.freq === undefined ? [] : Array.isArray(opts.freq) ? opts.freq : [opts.freq];
  const geno = await openGenotypes(opts);
  const nSamples = geno.samples.fid.length;
  // Workers load while the weights are read (guessing ten columns, e.g. ten folds; a job
  // that turns out smaller leaves them idle). The dosage kernel runs in this thread alone.
  const possible = geno.kind === 'dosage' ? 1 : (opts.threads ?? scoreThreads(nSamples, geno.variants.id.length, 10, availableParallelism()));
  const workers = possible > 1 ? new ScoreWorkers(possible - 1) : null;
  try {
    const weights = await readWeights(opts.weights);
    const matched = matchAlleles(geno.variants, weights, { ambiguous: opts.ambiguous ?? 'keep' });
    if (matched.variant.length === 0) {
      throw new BadInputError(opts.weights.join(', '), `no weight matched a genotype variant (IDs e.g. ${matched.absent.slice(0, 3).join(', ') || 'none'}; alleles mismatched: ${matched.counts.reduce((a, c) => a + c.mismatched, 0)})`);
    }
    const selection = await selectSamples(geno.samples, weights.names.length, opts.keep, opts.folds);
    if (selection.scored === 0) throw new BadInputError(opts.folds ?? opts.keep ?? '', 'no sample of the genotypes is selected for scoring');
    const frequencies = await frequencySource(opts.freq, weights.names.length);
    const scored = await scoreGenotypes({
      geno: geno.variants,
      samples: geno.samples,
      matched,
      frequencies,
      allowSampleFreq: opts.allowSampleFreq ?? false,
      center: opts.center ?? false,
      sampleScore: selection.sampleScore,
      workers,
      source: geno.source,
      freqSource: freqPaths.length > 0 ? freqPaths.join(', ') : opts.weights.join(', '),
      threads: geno.kind === 'dosage' ? 1 : opts.threads,
      kind: geno.kind,
      feed: geno.feed,
    });
    return {
      names: weights.names,
      fid: geno.samples.fid,
      iid: geno.samples.iid,
      sampleScore: selection.sampleScore,
      sums: scored.sums,
      report: makeReport({
        genotypes: geno.inputs,
        samples: nSamples,
        variants: geno.variants.id.length,
        selection,
        matched,
        scored,
        center: opts.center ?? false,
        seconds: (Date.now() - started) / 1000,
      }),
      ...(geno.dosage ? { dosage: geno.dosage } : {}),
    };
  } finally {
    await workers?.close();
  }
}
