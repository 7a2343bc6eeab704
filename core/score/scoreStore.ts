// Scoring a cohort held in the store (the workflow path): variants and samples from the
// `variants` / `samples` tables, genotypes streamed chunk by chunk from `genotypes`, the same
// kernel as `pgsflow score` on PLINK files. Frequencies are passed in (the workflow computes
// them on each fold's training samples); they never default to the scored samples.
import { BadInputError } from '../errors.js';
import { cohortLayout, forEachGenotypeChunk } from '../genotypes/storeGenotypes.js';
import { packHardCallDosages } from '../genotypes/hardCallDosages.js';
import type { Store } from '../store/store.js';
import { type AmbiguousWeightPolicy, type GenotypeVariants, matchAlleles } from '../alleles/matchAlleles.js';
import { SKIP_SAMPLE } from './scoreKernel.js';
import type { ScoreResult } from './scoreFiles.js';
import { scoreGenotypes } from './scoreGenotypes.js';
import type { FrequencySource } from './scoreModel.js';
import { makeReport } from './scoreSummary.js';
import type { ScoreWorkers } from './scoreRunner.js';
import { type WeightSet, readWeights } from './weights.js';

export interface ScoreStoreOptions {
  cohort: string;
  /** Weight files, or weights already read. */
  weights: readonly string[] | WeightSet;
  /** Reference frequencies (default none: a missing call at a weighted variant is then an error). */
  frequencies?: FrequencySource;
  allowSampleFreq?: boolean;
  center?: boolean;
  /** Per store sample (idx order): score column, ALL_SCORES or SKIP_SAMPLE; e.g. each sample's fold. */
  sampleScore?: Int32Array | null;
  ambiguous?: AmbiguousWeightPolicy;
  workers?: ScoreWorkers | null;
}

async function storeVariants(store: Store, cohort: string): Promise<GenotypeVariants> {
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  await store.forEachBatch<[string, string, string]>(
    'SELECT id, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx',
    { c: cohort },
    (rows) => {
      for (const [i, x, y] of rows) {
        id.push(i);
        a1.push(x);
        a2.push(y);
      }
    },
  );
  return { id, a1, a2 };
}

async function storeSamples(store: Store, cohort: string): Promise<{ fid: string[]; iid: string[] }> {
  const fid: string[] = [];
  const iid: string[] = [];
  await store.forEachBatch<[string, string]>('SELECT fid, iid FROM samples WHERE cohort = $c ORDER BY idx', { c: cohort }, (rows) => {
    for (const [f, i] of rows) {
      fid.push(f);
      iid.push(i);
    }
  });
  return { fid, iid };
}

export async function scoreStore(store: Store, opts: ScoreStoreOptions): Promise<ScoreResult> {
  const started = Date.now();
  // The weight files are parsed while DuckDB reads the variant and sample tables.
  const [geno, samples, weights] = await Promise.all([
    storeVariants(store, opts.cohort),
    storeSamples(store, opts.cohort),
    Array.isArray(opts.weights) ? readWeights(opts.weights as readonly string[]) : Promise.resolve(opts.weights as WeightSet),
  ]);
  if (geno.id.length === 0 || samples.fid.length === 0) {
    throw new BadInputError(store.paths.database, `cohort '${opts.cohort}' has no ${geno.id.length === 0 ? 'variants' : 'samples'} in the store`);
  }
  const matched = matchAlleles(geno, weights, { ambiguous: opts.ambiguous ?? 'keep' });
  if (matched.variant.length === 0) throw new BadInputError(weights.files.map((f) => f.path).join(', '), `no weight matched a variant of cohort '${opts.cohort}'`);
  const sampleScore = opts.sampleScore ?? null;
  if (sampleScore && sampleScore.length !== samples.fid.length) {
    throw new Error(`sampleScore has ${sampleScore.length} entries for the ${samples.fid.length} samples of '${opts.cohort}'`);
  }
  const source = `${store.paths.database} (cohort ${opts.cohort})`;
  const layout = await cohortLayout(store, opts.cohort);
  const scored = await scoreGenotypes({
    geno,
    samples,
    matched,
    frequencies: opts.frequencies ?? { kind: 'none' },
    allowSampleFreq: opts.allowSampleFreq ?? false,
    center: opts.center ?? false,
    sampleScore,
    workers: opts.workers ?? null,
    source,
    freqSource: source,
    // Dosages that are all hard calls go through the .bed kernel: the .bed's numbers, bit for bit.
    kind: layout.hardCallsOnly ? 'hardcall' : 'dosage',
    feed: async (_variants, _shared, onChunk) => {
      await forEachGenotypeChunk(store, opts.cohort, (c) =>
        onChunk(c.dosage && layout.hardCallsOnly ? packHardCallDosages(c.dosage, c.nVariants, layout.nSamples) : c.packed, c.firstVariant, c.nVariants),
      );
    },
  });
  let nScored = 0;
  for (let i = 0; i < samples.fid.length; i++) if (sampleScore?.[i] !== SKIP_SAMPLE) nScored++;
  return {
    names: weights.names,
    fid: samples.fid,
    iid: samples.iid,
    sampleScore,
    sums: scored.sums,
    report: makeReport({
      genotypes: [source],
      samples: samples.fid.length,
      variants: geno.id.length,
      selection: { sampleScore, scored: nScored, unknownKeep: 0, unknownFolds: 0 },
      matched,
      scored,
      center: opts.center ?? false,
      seconds: (Date.now() - started) / 1000,
    }),
  };
}
