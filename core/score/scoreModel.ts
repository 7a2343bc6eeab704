// Matched weights + reference frequencies + centring → the kernel's ScoreModel. Frequencies come
// from training or reference samples (a --freq file, or per-variant arrays the workflow computed
// on each fold's training samples); the scored samples' own frequencies only on explicit request.
import { BadInputError } from '../errors.js';
import { type FrequencyAlignment, type FrequencyTable, alignFrequencies } from './frequencyFile.js';
import type { GenotypeVariants, MatchedWeights } from '../alleles/matchAlleles.js';
import type { ScoreModel } from './scoreKernel.js';

export type FrequencySource =
  /** A --freq file, matched by ID and alleles. */
  | { kind: 'file'; table: FrequencyTable }
  /** One --freq file per score (each fold's training samples). */
  | { kind: 'files-per-score'; tables: FrequencyTable[] }
  /** A1 frequency per genotype variant (e.g. computed on training samples). */
  | { kind: 'variants'; freq: Float64Array }
  /** One such array per score: fold k's weights impute with fold k's training frequencies. */
  | { kind: 'variants-per-score'; freq: Float64Array[] }
  | { kind: 'none' };

export interface ResolvedFrequencies {
  /** rows, or rows × nScores for per-score sources; NaN = unknown. */
  freq: Float64Array;
  alignment: FrequencyAlignment | null;
  /** Rows (any score) without a frequency. */
  unknown: number;
}

export function resolveFrequencies(source: FrequencySource, geno: GenotypeVariants, m: MatchedWeights): ResolvedFrequencies {
  const rows = m.variant.length;
  const s = m.names.length;
  let freq: Float64Array;
  let alignment: FrequencyAlignment | null = null;
  switch (source.kind) {
    case 'file':
      alignment = alignFrequencies(source.table, geno, m.variant);
      freq = alignment.freq;
      break;
    case 'files-per-score': {
      if (source.tables.length !== s) throw new Error(`${source.tables.length} frequency files for ${s} scores`);
      freq = new Float64Array(rows * s);
      const total: FrequencyAlignment = { freq, found: 0, swapped: 0, absent: 0, mismatched: 0 };
      source.tables.forEach((t, c) => {
        const a = alignFrequencies(t, geno, m.variant);
        for (let r = 0; r < rows; r++) freq[r * s + c] = a.freq[r]!;
        total.found += a.found;
        total.swapped += a.swapped;
        total.absent += a.absent;
        total.mismatched += a.mismatched;
      });
      alignment = total;
      break;
    }
    case 'variants':
      if (source.freq.length !== geno.id.length) throw new Error(`${source.freq.length} frequencies for ${geno.id.length} variants`);
      freq = Float64Array.from(m.variant, (v) => source.freq[v]!);
      break;
    case 'variants-per-score':
      if (source.freq.length !== s) throw new Error(`${source.freq.length} frequency arrays for ${s} scores`);
      freq = new Float64Array(rows * s);
      source.freq.forEach((f, c) => {
        if (f.length !== geno.id.length) throw new Error(`${f.length} frequencies for ${geno.id.length} variants (score ${c + 1})`);
        for (let r = 0; r < rows; r++) freq[r * s + c] = f[m.variant[r]!]!;
      });
      break;
    case 'none':
      freq = new Float64Array(rows).fill(NaN);
      break;
  }
  const perScore = freq.length !== rows;
  let unknown = 0;
  for (let r = 0; r < rows; r++) {
    let any = false;
    for (let c = 0; c < (perScore ? s : 1); c++) {
      const f = freq[perScore ? r * s + c : r]!;
      if (!(f >= 0 && f <= 1)) any = true;
    }
    if (any) unknown++;
  }
  return { freq, alignment, unknown };
}

/** Fill unknown frequencies (NaN) from `fallback` (one per row), in place. */
export function fillFrequencies(freq: Float64Array, fallback: Float64Array): void {
  const rows = fallback.length;
  const s = freq.length / rows;
  for (let i = 0; i < freq.length; i++) if (Number.isNaN(freq[i])) freq[i] = fallback[Math.floor(i / s)]!;
}

export function buildScoreModel(m: MatchedWeights, freq: Float64Array, center: boolean): ScoreModel {
  return {
    nScores: m.names.length,
    variant: m.variant,
    weights: m.weights,
    freq,
    named: m.named,
    // Weights on A2 add 2w per variant uncentred; centred they need nothing (see matchAlleles).
    offset: center ? new Float64Array(m.names.length) : m.a2Offset,
    center,
  };
}

/** Centring needs μ = 2f for every weighted variant, missing calls or not. */
export function requireCentringFrequencies(model: ScoreModel, geno: GenotypeVariants, source: string): void {
  if (!model.center) return;
  const rows = model.variant.length;
  const s = model.nScores;
  const perScore = model.freq.length !== rows;
  let count = 0;
  let example = '';
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < s; c++) {
      const f = model.freq[perScore ? r * s + c : r]!;
      if (model.weights[r * s + c] !== 0 && !(f >= 0 && f <= 1)) {
        if (count++ === 0) example = geno.id[model.variant[r]!]!;
        break;
      }
    }
  }
  if (count > 0) {
    throw new BadInputError(
      source,
      `centring needs a reference A1 frequency for every weighted variant, and ${count} have none (e.g. '${example}'): ` +
        'give --freq with frequencies from the training or reference samples, or --allow-sample-freq',
    );
  }
}
