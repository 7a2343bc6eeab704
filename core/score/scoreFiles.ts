// `pgsflow score` on PLINK files: one or more filesets with the same samples (e.g. one per
// chromosome), any number of weight files and columns, one pass over the genotypes.
import { availableParallelism } from 'node:os';
import { BadInputError } from '../errors.js';
import type { FamTable } from '../formats/types.js';
import { type BedSource, forEachBedWindow } from './bedWindows.js';
import { readFrequencyFile } from './frequencyFile.js';
import { type AmbiguousWeightPolicy, type GenotypeVariants, matchAlleles } from '../alleles/matchAlleles.js';
import { openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import { selectSamples } from '../genotypes/sampleSelection.js';
import { type ScoreReport, makeReport } from './scoreSummary.js';
import { scoreGenotypes } from './scoreGenotypes.js';
import type { ScoreSums } from './scoreKernel.js';
import type { FrequencySource } from './scoreModel.js';
import { ScoreWorkers, scoreThreads } from './scoreRunner.js';
import { readWeights } from './weights.js';

export interface ScoreFilesOptions {
  bfiles: string[];
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
}

interface Genotypes {
  fam: FamTable;
  variants: GenotypeVariants;
  sources: BedSource[];
  bytesPerVariant: number;
}

/** The filesets as scoring reads them: only IDs and alleles of the .bim are kept. */
async function openGenotypes(prefixes: readonly string[]): Promise<Genotypes> {
  const g = await openGenotypeFiles(prefixes);
  return {
    fam: g.fam,
    variants: { id: g.bim.id, a1: g.bim.a1, a2: g.bim.a2 },
    sources: g.filesets.map((f) => ({ bed: f.paths.bed, firstVariant: f.first, nVariants: f.count })),
    bytesPerVariant: g.bytesPerVariant,
  };
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
  const geno = await openGenotypes(opts.bfiles);
  const nSamples = geno.fam.fid.length;
  // Workers load while the weights are read (guessing ten columns, e.g. ten folds; a job
  // that turns out smaller leaves them idle).
  const possible = opts.threads ?? scoreThreads(nSamples, geno.variants.id.length, 10, availableParallelism());
  const workers = possible > 1 ? new ScoreWorkers(possible - 1) : null;
  try {
    const weights = await readWeights(opts.weights);
    const matched = matchAlleles(geno.variants, weights, { ambiguous: opts.ambiguous ?? 'keep' });
    if (matched.variant.length === 0) {
      throw new BadInputError(opts.weights.join(', '), `no weight matched a genotype variant (IDs e.g. ${matched.absent.slice(0, 3).join(', ') || 'none'}; alleles mismatched: ${matched.counts.reduce((a, c) => a + c.mismatched, 0)})`);
    }
    const selection = await selectSamples(geno.fam, weights.names.length, opts.keep, opts.folds);
    if (selection.scored === 0) throw new BadInputError(opts.folds ?? opts.keep ?? '', 'no sample of the genotypes is selected for scoring');
    const frequencies = await frequencySource(opts.freq, weights.names.length);
    const scored = await scoreGenotypes({
      geno: geno.variants,
      samples: geno.fam,
      matched,
      frequencies,
      allowSampleFreq: opts.allowSampleFreq ?? false,
      center: opts.center ?? false,
      sampleScore: selection.sampleScore,
      workers,
      source: geno.sources.length === 1 ? geno.sources[0]!.bed : `${geno.sources[0]!.bed} (and ${geno.sources.length - 1} more)`,
      freqSource: freqPaths.length > 0 ? freqPaths.join(', ') : opts.weights.join(', '),
      threads: opts.threads,
      feed: (variants, shared, onChunk) => forEachBedWindow(geno.sources, geno.bytesPerVariant, variants, shared, onChunk),
    });
    return {
      names: weights.names,
      fid: geno.fam.fid,
      iid: geno.fam.iid,
      sampleScore: selection.sampleScore,
      sums: scored.sums,
      report: makeReport({
        genotypes: opts.bfiles,
        samples: nSamples,
        variants: geno.variants.id.length,
        selection,
        matched,
        scored,
        center: opts.center ?? false,
        seconds: (Date.now() - started) / 1000,
      }),
    };
  } finally {
    await workers?.close();
  }
}
