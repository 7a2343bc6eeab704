// The scoring kernel over dosages (cohorts from pgen / VCF / BGEN): the same score as the .bed
// kernel (scoreKernel.ts), score_is = offset_s + Σ_j w_js · (x̃_ij − μ_js), with x̃ the ALT dosage
// (units / 16384, exact) and a missing dosage replaced by 2f — what `plink2 --score` computes on
// dosages. ALLELE_CT counts 2 per non-missing row; the named dosage sums the named alleles'
// dosages (fractional, as PLINK 2 prints it). Rows are added in model order sample by sample, so
// the sums do not depend on how the genotypes arrive in chunks.
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { type NativeDosageScoreKernel, chooseDosageScoreKernel, dosageScoreThreads } from './nativeDosageScore.js';
import { ALL_SCORES, NAMED_A1, NAMED_A2, SKIP_SAMPLE, type ScoreModel, type ScoreSums, checkModel } from './scoreKernel.js';

/** The native kernel's "no per-sample choice" (an empty array). */
const NO_CHOICE = new Int32Array(0);

/**
 * The native kernel's asynchronous form (native/dosageScore.c): `startAsync` takes addRows'
 * arguments and returns at once with a promise the main thread resolves when its threads are
 * done, so the event loop runs meanwhile — DuckDB's callbacks with the next chunks among them.
 * A build without it runs addRows.
 */
interface AsyncDosageScoreKernel {
  startAsync?: (...args: Parameters<NativeDosageScoreKernel['addRows']>) => Promise<undefined>;
}

export class DosageScoreAccumulator {
  private readonly s: number;
  private readonly acc: Float64Array;
  private readonly observed: Int32Array;
  private readonly namedDosage: Float64Array;
  /** Per row being added: w (per score), the value added for a missing dosage, μ. */
  private readonly w: Float64Array;
  private readonly mu: Float64Array;
  private readonly missingTerm: Float64Array;
  private nextRow = 0;
  private finished = false;
  /** A chunk is being added (calls must not overlap: each awaits the one before). */
  private busy = false;

  constructor(
    readonly model: ScoreModel,
    readonly nSamples: number,
    readonly sampleScore: Int32Array | null,
  ) {
    checkModel(model);
    if (sampleScore && sampleScore.length !== nSamples) throw new Error(`sampleScore has ${sampleScore.length} entries for ${nSamples} samples`);
    this.s = model.nScores;
    this.acc = new Float64Array(nSamples * this.s);
    this.observed = new Int32Array(nSamples);
    this.namedDosage = new Float64Array(nSamples);
    this.w = new Float64Array(this.s);
    this.mu = new Float64Array(this.s);
    this.missingTerm = new Float64Array(this.s);
  }

  /**
   * Feed variants [firstVariant, firstVariant + nVariants): `dosage` holds nVariants × nSamples.
   * Resolves once the chunk is added, so the chunk may be borrowed memory (the store's); the
   * caller awaits each call before the next.
   */
  async addChunk(dosage: Uint16Array, firstVariant: number, nVariants: number): Promise<void> {
    if (this.finished) throw new Error('score accumulator already finished');
    if (this.busy) throw new Error('score: addChunk called before the previous chunk was added');
    const n = this.nSamples;
    if (dosage.length < nVariants * n) throw new Error(`score: a dosage chunk of ${nVariants} variants needs ${nVariants * n} values`);
    const variant = this.model.variant;
    if (this.nextRow < variant.length && variant[this.nextRow]! < firstVariant) {
      throw new Error(`score: chunk at variant ${firstVariant} skipped variant ${variant[this.nextRow]} (chunks must come in order)`);
    }
    const end = firstVariant + nVariants;
    const native = chooseDosageScoreKernel();
    if (native) {
      const first = this.nextRow;
      let last = first;
      while (last < variant.length && variant[last]! < end) last++;
      const k = last - first;
      if (k === 0) return;
      const s = this.s;
      const rowAt = new Int32Array(k);
      const w = new Float64Array(k * s);
      const mu = new Float64Array(k * s);
      const mt = new Float64Array(k * s);
      for (let j = 0; j < k; j++) {
        rowAt[j] = (variant[first + j]! - firstVariant) * n;
        this.rowTerms(first + j, w.subarray(j * s, (j + 1) * s), mu.subarray(j * s, (j + 1) * s), mt.subarray(j * s, (j + 1) * s));
      }
      const args: Parameters<NativeDosageScoreKernel['addRows']> = [
        dosage, n, rowAt, this.model.named.subarray(first, last), w, mu, mt, s, this.sampleScore ?? NO_CHOICE, this.acc, this.observed, this.namedDosage, dosageScoreThreads(),
      ];
      // The next chunks arrive (DuckDB reads them, or a reader decodes them) while this one is
      // added: the main thread is free while the kernel's threads run.
      const kernel = native as NativeDosageScoreKernel & AsyncDosageScoreKernel;
      this.nextRow = last;
      if (!kernel.startAsync) {
        native.addRows(...args);
        return;
      }
      this.busy = true;
      try {
        await kernel.startAsync(...args);
      } finally {
        this.busy = false;
      }
      return;
    }
    for (; this.nextRow < variant.length && variant[this.nextRow]! < end; this.nextRow++) {
      this.addRow(this.nextRow, dosage, (variant[this.nextRow]! - firstVariant) * n);
    }
  }

  /** Row r's weights, μ and what a missing dosage adds, per score; whether any weight is non-zero. */
  private rowTerms(r: number, w: Float64Array, mu: Float64Array, missingTerm: Float64Array): boolean {
    const { s, model } = this;
    const perScoreFreq = model.freq.length !== model.variant.length;
    let any = false;
    for (let c = 0; c < s; c++) {
      const wt = model.weights[r * s + c]!;
      const f = perScoreFreq ? model.freq[r * s + c]! : model.freq[r]!;
      w[c] = wt;
      mu[c] = model.center ? 2 * f : 0;
      // A zero weight adds exactly 0, even where f is unknown (NaN), as in the .bed kernel.
      missingTerm[c] = wt === 0 ? 0 : wt * (2 * f - mu[c]!);
      if (wt !== 0) any = true;
    }
    return any;
  }

  private addRow(r: number, dosage: Uint16Array, at: number): void {
    const { s, model, w, mu, missingTerm, acc } = this;
    const any = this.rowTerms(r, w, mu, missingTerm);
    const named = model.named[r]!;
    const choice = this.sampleScore;
    for (let i = 0; i < this.nSamples; i++) {
      const pick = choice ? choice[i]! : ALL_SCORES;
      if (pick === SKIP_SAMPLE) continue;
      const units = dosage[at + i]!;
      const missing = units === DOSAGE_MISSING;
      if (!missing) {
        const x = units / DOSAGE_SCALE;
        this.observed[i]!++;
        if (named & NAMED_A1) this.namedDosage[i]! += x;
        if (named & NAMED_A2) this.namedDosage[i]! += 2 - x;
        if (!any) continue;
        if (pick >= 0) {
          if (w[pick] !== 0) acc[i * s + pick]! += w[pick]! * (x - mu[pick]!);
        } else for (let c = 0; c < s; c++) if (w[c] !== 0) acc[i * s + c]! += w[c]! * (x - mu[c]!);
      } else if (any) {
        if (pick >= 0) acc[i * s + pick]! += missingTerm[pick]!;
        else for (let c = 0; c < s; c++) acc[i * s + c]! += missingTerm[c]!;
      }
    }
  }

  finish(): ScoreSums {
    if (this.busy) throw new Error('score: finish called while a chunk is being added');
    if (this.nextRow !== this.model.variant.length) throw new Error(`score: genotypes ended before variant ${this.model.variant[this.nextRow]}`);
    this.finished = true;
    const { s, nSamples } = this;
    const scores = new Float64Array(nSamples * s).fill(NaN);
    const alleleCount = new Int32Array(nSamples);
    const namedDosage = new Float64Array(nSamples);
    for (let i = 0; i < nSamples; i++) {
      const pick = this.sampleScore ? this.sampleScore[i]! : ALL_SCORES;
      if (pick === SKIP_SAMPLE) continue;
      alleleCount[i] = 2 * this.observed[i]!;
      namedDosage[i] = this.namedDosage[i]!;
      for (let c = 0; c < s; c++) if (pick < 0 || pick === c) scores[i * s + c] = this.acc[i * s + c]! + this.model.offset[c]!;
    }
    return { sampleStart: 0, sampleEnd: nSamples, nScores: s, scores, alleleCount, namedDosage };
  }
}
