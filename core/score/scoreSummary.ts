// What a scoring run did, for the log (stderr), `--json` and provenance: how the weights
// matched (used, A1 flips, strand flips, ambiguous, absent, mismatched), where the imputation
// frequencies came from, who was scored.
import type { AlleleMismatch, MatchCounts, MatchedWeights } from '../alleles/matchAlleles.js';
import type { SampleSelection } from '../genotypes/sampleSelection.js';
import type { FrequencyReport, ScoredGenotypes } from './scoreGenotypes.js';

export interface ScoreReport {
  genotypes: string[];
  samples: number;
  scored: number;
  /** Lines of --keep / --folds naming samples not in the genotypes. */
  unknownKeep: number;
  unknownFolds: number;
  variants: number;
  scores: string[];
  /** Genotype variants carrying a weight in at least one score. */
  variantsUsed: number;
  weightFiles: MatchCounts[];
  mismatchExamples: AlleleMismatch[];
  absentExamples: string[];
  frequency: FrequencyReport;
  center: boolean;
  threads: number;
  seconds: number;
}

export function makeReport(r: {
  genotypes: string[];
  samples: number;
  variants: number;
  selection: SampleSelection;
  matched: MatchedWeights;
  scored: ScoredGenotypes;
  center: boolean;
  seconds: number;
}): ScoreReport {
  return {
    genotypes: r.genotypes,
    samples: r.samples,
    scored: r.selection.scored,
    unknownKeep: r.selection.unknownKeep,
    unknownFolds: r.selection.unknownFolds,
    variants: r.variants,
    scores: r.matched.names,
    variantsUsed: r.matched.variant.length,
    weightFiles: r.matched.counts,
    mismatchExamples: r.matched.mismatches,
    absentExamples: r.matched.absent,
    frequency: r.scored.frequency,
    center: r.center,
    threads: r.scored.threads,
    seconds: r.seconds,
  };
}

/** Human-readable lines for stderr. */
export function formatReport(r: ScoreReport): string {
  const out: string[] = [];
  out.push(`score: ${r.scored} of ${r.samples} samples, ${r.variants} variants in ${r.genotypes.join(', ')}`);
  for (const c of r.weightFiles) {
    const parts = [`${c.used} used`, `${c.swapped} on A2 (negated)`, `${c.flipped} strand-flipped`, `${c.ambiguous} strand-ambiguous kept`];
    if (c.ambiguousDropped > 0) parts.push(`${c.ambiguousDropped} strand-ambiguous dropped`);
    parts.push(`${c.absent} absent from the genotypes`, `${c.mismatched} with mismatched alleles`);
    out.push(`  ${c.file}: ${c.rows} weights: ${parts.join(', ')}`);
  }
  if (r.absentExamples.length > 0) out.push(`  absent, e.g.: ${r.absentExamples.slice(0, 5).join(', ')}`);
  for (const m of r.mismatchExamples.slice(0, 5)) {
    out.push(`  mismatched alleles: ${m.file}:${m.line} ${m.id} ${m.weightAlleles} vs genotypes ${m.genotypeAlleles}`);
  }
  out.push(`  ${r.variantsUsed} variants scored into ${r.scores.length} score(s): ${r.scores.join(', ')}${r.center ? ' (centred)' : ''}`);
  const f = r.frequency;
  if (f.source === 'file' || f.source === 'files-per-score') {
    const per = f.source === 'file' ? '' : ' (summed over the per-score files)';
    out.push(`  reference frequencies${per}: ${f.found} found (${f.swapped} given for A2), ${f.absent} absent, ${f.mismatched} with other alleles`);
  } else if (f.source !== 'none') {
    out.push(`  reference frequencies: ${f.found} of ${r.variantsUsed} variants`);
  }
  if (f.fromSamples > 0) out.push(`  ${f.fromSamples} variants impute missing calls from the scored samples' frequencies (--allow-sample-freq)`);
  if (r.unknownKeep > 0) out.push(`  --keep names ${r.unknownKeep} samples not in the genotypes`);
  if (r.unknownFolds > 0) out.push(`  --folds names ${r.unknownFolds} samples not in the genotypes`);
  out.push(`  ${r.threads} thread(s), ${r.seconds.toFixed(2)} s`);
  return `${out.join('\n')}\n`;
}
