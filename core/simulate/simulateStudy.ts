// `pgsflow simulate`: a complete, ready-to-run study folder with known truth (DESIGN §6).
// Output is a pure function of the options: same seed ⇒ byte-identical files.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SIMULATE_DEFAULTS, type SimulateOptions, crossAncestryArchitecture, ldRhoFor, samplesFor } from '../../config/simulate.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { MISSING_DOSAGE } from '../genotypes/bedCodec.js';
import { Rng } from '../numeric/random/rng.js';
import { GAMMA, type TrueEffects, simulateEffects } from './effects.js';
import { type CallSink, type SampleId, bedSink, cohortFiles, dosageSink, iidOnly, studyCohort, writeDosageSidecars } from './cohortFiles.js';
import { type CrossAncestryEffects, crossAncestryEffects, realisedCorrelations } from './crossAncestry.js';
import { baldingNichols } from './frequencies.js';
import { type FounderPanel, loadFounders } from './founders.js';
import { type GenotypeSource, copulaSource, mosaicSource } from './genotypeSource.js';
import { type Combined, type EpistaticPair, chooseEpistaticPairs, combineGenetics, epistaticValues, pairDiagnostics, pairSnps, sampleFrequency, varianceSplit } from './interactions.js';
import { COVARIATE_EFFECTS, N_PCS, type Phenotypes, covariateColumn, simulateCovariates, simulatePhenotypes } from './phenotypes.js';
import { type VariantMap, syntheticVariantMap } from './variantMap.js';
import type { SimulationSummary } from '../../contracts/simulate.js';

export const STREAM_MISSING = 2;
export const ROLE_TARGET = 0;
const ROLE_REFERENCE = 1;

interface Cohort {
  ancestry: string;
  index: number;
  target: GenotypeSource;
  reference: GenotypeSource;
  /** Founders mode: the reference is the founders themselves, copied verbatim. */
  referenceIsFounders: boolean;
}

export async function simulateStudy(opts: SimulateOptions, outDir: string): Promise<SimulationSummary> {
  const started = Date.now();
  await mkdir(join(outDir, 'geno'), { recursive: true });
  await mkdir(join(outDir, 'ref'), { recursive: true });
  await mkdir(join(outDir, 'truth'), { recursive: true });

  let map: VariantMap;
  let effectFreq: Float64Array;
  let cohorts: Cohort[];
  let founders: FounderPanel | undefined;
  if (opts.founders && opts.founderPops) {
    founders = await loadFounders(opts.founders, opts.founderPops, opts.ancestries, opts.snps, opts.blockSnps);
    map = founders.map;
    effectFreq = founders.pooledFreq;
    cohorts = opts.ancestries.map((ancestry, a) => {
      const pop = founders!.populations[a]!;
      return {
        ancestry,
        index: a,
        target: mosaicSource(pop.dosages, pop.n, samplesFor(opts, a), opts.seed, cohortKey(a, ROLE_TARGET)),
        reference: identitySource(pop.dosages, pop.n),
        referenceIsFounders: true,
      };
    });
  } else {
    map = syntheticVariantMap(opts.snps ?? SIMULATE_DEFAULTS.snps, opts.blockSnps, opts.seed);
    const freqs = baldingNichols(map.id.length, opts.ancestries.length, opts.fst, opts.seed);
    effectFreq = freqs.ancestral;
    cohorts = opts.ancestries.map((ancestry, a) => ({
      ancestry,
      index: a,
      target: copulaSource(freqs.perAncestry[a]!, ldRhoFor(opts, a), samplesFor(opts, a), opts.seed, cohortKey(a, ROLE_TARGET)),
      reference: copulaSource(freqs.perAncestry[a]!, ldRhoFor(opts, a), opts.refSamples, opts.seed, cohortKey(a, ROLE_REFERENCE)),
      referenceIsFounders: false,
    }));
  }
  const nSnps = map.id.length;
  const effects = simulateEffects(nSnps, opts.annotations, opts.causalFraction, opts.seed);
  // --rg/--private-causal: effects per ancestry (crossAncestry.ts); absent, one shared set.
  const arch = crossAncestryArchitecture(opts);
  const cross = arch
    ? crossAncestryEffects(effects, cohorts.length, arch.rg, arch.privateCausal, opts.seed, founders ? (a, j) => polymorphic(founders!.populations[a]!.freq[j]!) : undefined)
    : null;
  // Per-allele effects: standardised effect / sqrt(2p(1−p)) at the shared (ancestral) frequency.
  const perAllele = (std: Float64Array): Float64Array => {
    const out = new Float64Array(nSnps);
    for (let j = 0; j < nSnps; j++) {
      const p = effectFreq[j]!;
      const het = 2 * p * (1 - p);
      out[j] = het > 0 ? std[j]! / Math.sqrt(het) : 0;
    }
    return out;
  };
  const betaAllele = perAllele(cross ? cross.betaStd[0]! : effects.betaStd);
  /** Per-allele effects of each cohort (the same array for all without --rg/--private-causal). */
  const betaOf: Float64Array[] = cohorts.map((_, a) => (cross && a > 0 ? perAllele(cross.betaStd[a]!) : betaAllele));

  // --epistasis F > 0: pairs of causal SNPs whose target genotypes are kept for their products.
  const pairs: EpistaticPair[] | null = (opts.epistasis ?? 0) > 0 ? chooseEpistaticPairs(effects.component, effectFreq, map.blocks, opts.seed) : null;
  const capture = pairs ? pairSnps(pairs) : null;
  const captured: Map<number, Uint8Array>[] = [];

  const files: string[] = [];
  const bim = bimText(map);
  const genetic: Float64Array[] = [];
  const format = opts.format ?? 'bed';
  const noise = opts.dosageNoise ?? 0;
  for (const c of cohorts) {
    const targetPrefix = join(outDir, 'geno', c.ancestry);
    const targetKey = cohortKey(c.index, ROLE_TARGET);
    const target =
      format === 'bed'
        ? bedSink(`${targetPrefix}.bed`, c.target.nSamples)
        : dosageSink({ format, prefix: targetPrefix, map, samples: targetIds(c.ancestry, c.target.nSamples), noise, seed: opts.seed, cohortKey: targetKey });
    const columns = new Map<number, Uint8Array>();
    captured.push(columns);
    genetic.push(writeCohort(target, c.target, map, betaOf[c.index]!, opts.missingRate, opts.seed, targetKey, capture ? { snps: capture, columns } : undefined));
    const refPrefix = join(outDir, 'ref', c.ancestry);
    const refKey = cohortKey(c.index, ROLE_REFERENCE);
    writeCohort(bedSink(`${refPrefix}.bed`, c.reference.nSamples), c.reference, map, null, c.referenceIsFounders ? 0 : opts.missingRate, opts.seed, refKey);
    for (const role of ['geno', 'ref'] as const) {
      if (role === 'geno' && format !== 'bed') {
        files.push(...cohortFiles(format, c.ancestry).map((f) => `geno/${f}`));
        continue; // the .psam waits for the simulated sex, like the .fam below
      }
      const prefix = join(outDir, role, c.ancestry);
      await writeFileAtomic(`${prefix}.bim`, bim);
      const n = role === 'geno' ? c.target.nSamples : c.reference.nSamples;
      const ids = role === 'geno' ? targetIds(c.ancestry, n) : founders ? founders.populations[c.index]!.ids : referenceIds(c.ancestry, n);
      await writeFileAtomic(`${prefix}.fam`, famText(ids, null));
      files.push(`${role}/${c.ancestry}.bed`, `${role}/${c.ancestry}.bim`, `${role}/${c.ancestry}.fam`);
    }
  }

  let phenos: Phenotypes[];
  let scale: number;
  let interactions: Interactions | null = null;
  if (opts.gxe === undefined && opts.epistasis === undefined) {
    // Scale effects so that var(g) = h² in the first ancestry's cohort; other ancestries keep
    // their own genetic variance (frequencies and LD differ) and get var(e) for the same h².
    scale = Math.sqrt(opts.h2 / sampleVariance(genetic[0]!));
    for (const b of new Set(betaOf)) for (let j = 0; j < nSnps; j++) b[j]! *= scale;
    phenos = cohorts.map((c, a) => {
      const g = genetic[a]!;
      for (let i = 0; i < g.length; i++) g[i]! *= scale;
      return simulatePhenotypes(g, opts.h2, opts.binaryPrevalence, a, opts.seed);
    });
  } else {
    // Interactions (interactions.ts): covariates first (G×E needs them; same draws as above), then
    // additive, epistatic and G×E parts scaled together so var(g) = h² in the first cohort.
    const drawn = cohorts.map((c, a) => simulateCovariates(c.target.nSamples, a, opts.seed));
    // Pair SNPs standardised at their frequencies in the first cohort (one function for all cohorts).
    const pairFreq = new Float64Array(nSnps);
    for (const j of capture ?? []) pairFreq[j] = sampleFrequency(captured[0]!.get(j)!);
    const epistatic = pairs ? cohorts.map((c, a) => epistaticValues(pairs, (j) => captured[a]!.get(j)!, pairFreq, c.target.nSamples)) : null;
    const gxe = opts.gxe;
    const combined = combineGenetics({
      h2: opts.h2,
      additive: genetic,
      epistatic,
      fraction: opts.epistasis ?? 0,
      gxe: gxe ? { slope: gxe.slope, covariate: drawn.map((d) => covariateColumn(d.covariates, gxe.covariate)) } : null,
    });
    scale = combined.additiveScale;
    for (const b of new Set(betaOf)) for (let j = 0; j < nSnps; j++) b[j]! *= scale;
    for (const p of pairs ?? []) p.gamma *= combined.epistaticScale;
    phenos = cohorts.map((_, a) => simulatePhenotypes(combined.cohorts[a]!.genetic, opts.h2, opts.binaryPrevalence, a, opts.seed, drawn[a]));
    const diagnostics = pairs ? pairDiagnostics(pairs, (j) => captured[0]!.get(j)!, pairFreq, cohorts[0]!.target.nSamples) : null;
    interactions = { pairs: pairs ?? [], pairFreq, combined, diagnostics };
  }
  // Rewrite the target .fam files with sex from the covariates (PLINK reads sex from .fam).
  for (const c of cohorts) {
    const ids = targetIds(c.ancestry, c.target.nSamples);
    const sex = phenos[c.index]!.covariates.sex;
    if (format === 'bed') await writeFileAtomic(join(outDir, 'geno', `${c.ancestry}.fam`), famText(ids, sex));
    else await writeDosageSidecars(format, join(outDir, 'geno', c.ancestry), map, ids, sex);
  }

  const binary = opts.binaryPrevalence !== undefined;
  await writeFileAtomic(join(outDir, 'pheno.tsv'), phenoText(cohorts, phenos, binary, false));
  await writeFileAtomic(join(outDir, 'covar.tsv'), covarText(cohorts, phenos, false));
  if (iidOnly(format)) {
    await writeFileAtomic(join(outDir, PHENO_IID), phenoText(cohorts, phenos, binary, true));
    await writeFileAtomic(join(outDir, COVAR_IID), covarText(cohorts, phenos, true));
  }
  await writeFileAtomic(join(outDir, 'annot.tsv'), annotText(map, effects));
  await writeFileAtomic(join(outDir, 'blocks.tsv'), blocksText(map));
  await writeFileAtomic(join(outDir, 'truth', 'effects.tsv'), cross ? crossEffectsText(map, cohorts, betaOf, cross) : effectsText(map, betaAllele, effects));
  const crossTruth = cross ? crossAncestryJson(opts, map, cohorts, cross, betaOf) : null;
  await writeFileAtomic(join(outDir, 'truth', 'params.json'), `${JSON.stringify(paramsJson(opts, effects, scale, cohorts, phenos, interactions !== null, crossTruth), null, 2)}\n`);
  if (interactions) {
    await writeFileAtomic(join(outDir, INTERACTION_JSON), `${JSON.stringify(interactionJson(opts, map, cohorts, phenos, interactions, cross !== null), null, 2)}\n`);
    await writeFileAtomic(join(outDir, GENETIC_TSV), geneticText(cohorts, interactions.combined));
  }
  files.push('pheno.tsv', 'covar.tsv', ...(iidOnly(format) ? [PHENO_IID, COVAR_IID] : []), 'annot.tsv', 'blocks.tsv', 'truth/effects.tsv', 'truth/params.json');
  if (interactions) files.push(INTERACTION_JSON, GENETIC_TSV);
  for (const [name, study] of studyFiles(opts)) {
    await writeFileAtomic(join(outDir, name), `${JSON.stringify(study, null, 2)}\n`);
    files.push(name);
  }
  return {
    outDir,
    nSnps,
    nBlocks: map.blocks.length,
    cohorts: cohorts.map((c, a) => ({
      ancestry: c.ancestry,
      samples: c.target.nSamples,
      referenceSamples: c.reference.nSamples,
      realisedH2: phenos[a]!.realisedH2,
      prevalence: phenos[a]!.realisedPrevalence,
      ...(interactions ? { share: cohortSplit(interactions.combined, phenos, a).share } : {}),
    })),
    pi: Array.from(effects.pi),
    ...(crossTruth
      ? { crossAncestry: { causalPerAncestry: crossTruth.causalPerAncestry, privateCausalPerAncestry: crossTruth.privateCausalPerAncestry, realisedRg: crossTruth.realisedRg } }
      : {}),
    files,
    seconds: (Date.now() - started) / 1000,
  };
}

/** PRNG key of a cohort: ancestry index and role (0 target, 1 reference); tests rebuild the streams with it. */
export function cohortKey(ancestry: number, role: number): number {
  return ancestry * 2 + role;
}

/** The founders' own genotypes as a source (reference panel = founders). */
function identitySource(dosages: Uint8Array, n: number): GenotypeSource {
  return {
    nSamples: n,
    fillBlock(block, _b, out) {
      out.set(dosages.subarray(block.first * n, block.end * n));
    },
  };
}

/**
 * Generate one cohort block by block, hand its calls to `sink`, and return each sample's genetic
 * value Σ β_j x_ij computed from the complete genotypes (missing calls are masked afterwards).
 */
function writeCohort(
  sink: CallSink,
  source: GenotypeSource,
  map: VariantMap,
  beta: Float64Array | null,
  missingRate: number,
  seed: number,
  key: number,
  capture?: { snps: Int32Array; columns: Map<number, Uint8Array> },
): Float64Array {
  const n = source.nSamples;
  let next = 0; // into capture.snps (ascending), as blocks come in order
  const maxBlock = map.blocks.reduce((m, b) => Math.max(m, b.end - b.first), 0);
  const dos = new Uint8Array(maxBlock * n);
  const g = new Float64Array(n);
  try {
    map.blocks.forEach((block, b) => {
      source.fillBlock(block, b, dos);
      const m = block.end - block.first;
      if (beta) {
        for (let j = 0; j < m; j++) {
          const bj = beta[block.first + j]!;
          if (bj === 0) continue;
          const off = j * n;
          for (let i = 0; i < n; i++) {
            const d = dos[off + i]!;
            if (d !== MISSING_DOSAGE) g[i]! += bj * d;
          }
        }
      }
      if (capture) {
        for (; next < capture.snps.length && capture.snps[next]! < block.end; next++) {
          const j = capture.snps[next]! - block.first;
          capture.columns.set(capture.snps[next]!, dos.slice(j * n, (j + 1) * n)); // complete calls, before masking
        }
      }
      if (missingRate > 0) maskMissing(dos, m * n, missingRate, Rng.stream(seed, STREAM_MISSING, key, b));
      sink.writeBlock(dos, block.first, m);
    });
    sink.commit();
  } catch (e) {
    sink.abort();
    throw e;
  }
  return g;
}

/** Set each call missing with probability r, by geometric skips (one draw per missing call). */
function maskMissing(dos: Uint8Array, len: number, r: number, rng: Rng): void {
  const logq = Math.log(1 - r);
  let i = Math.floor(Math.log(rng.uniform()) / logq);
  while (i < len) {
    dos[i] = MISSING_DOSAGE;
    i += 1 + Math.floor(Math.log(rng.uniform()) / logq);
  }
}

function sampleVariance(x: Float64Array): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return s / (x.length - 1);
}

function pad(i: number): string {
  return String(i + 1).padStart(6, '0');
}

function targetIds(ancestry: string, n: number): SampleId[] {
  return Array.from({ length: n }, (_, i) => ({ fid: `${ancestry}_${pad(i)}`, iid: `${ancestry}_${pad(i)}` }));
}

function referenceIds(ancestry: string, n: number): { fid: string; iid: string }[] {
  return Array.from({ length: n }, (_, i) => ({ fid: `${ancestry}_ref_${pad(i)}`, iid: `${ancestry}_ref_${pad(i)}` }));
}

function famText(ids: { fid: string; iid: string }[], sex: Uint8Array | null): string {
  return ids.map((s, i) => `${s.fid} ${s.iid} 0 0 ${sex ? sex[i] : 0} -9\n`).join('');
}

function bimText(map: VariantMap): string {
  const lines: string[] = new Array(map.id.length);
  for (let j = 0; j < map.id.length; j++) lines[j] = `${map.chrom[j]}\t${map.id[j]}\t0\t${map.pos[j]}\t${map.a1[j]}\t${map.a2[j]}\n`;
  return lines.join('');
}

function num(x: number, digits = 6): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

/** IID-only copies of pheno.tsv and covar.tsv, for VCF and BGEN cohorts (which have no FIDs). */
const PHENO_IID = 'pheno_iid.tsv';
const COVAR_IID = 'covar_iid.tsv';

/** The ID columns of a sample table: 'FID IID', or PLINK 2's '#IID' alone. */
const idHeader = (iidOnly: boolean): string => (iidOnly ? '#IID' : 'FID\tIID');
const idCells = (s: SampleId, iidOnly: boolean): string => (iidOnly ? s.iid : `${s.fid}\t${s.iid}`);

function phenoText(cohorts: Cohort[], phenos: Phenotypes[], binary: boolean, iidOnly: boolean): string {
  const rows = [`${idHeader(iidOnly)}\tancestry\ttrait${binary ? '\ttrait_binary' : ''}\n`];
  cohorts.forEach((c, a) => {
    const p = phenos[a]!;
    targetIds(c.ancestry, c.target.nSamples).forEach((s, i) => {
      rows.push(`${idCells(s, iidOnly)}\t${c.ancestry}\t${num(p.trait[i]!)}${binary ? `\t${p.binary![i]}` : ''}\n`);
    });
  });
  return rows.join('');
}

function covarText(cohorts: Cohort[], phenos: Phenotypes[], iidOnly: boolean): string {
  const pcs = Array.from({ length: N_PCS }, (_, k) => `PC${k + 1}`);
  const rows = [`${idHeader(iidOnly)}\tsex\tage\t${pcs.join('\t')}\n`];
  cohorts.forEach((c, a) => {
    const cov = phenos[a]!.covariates;
    targetIds(c.ancestry, c.target.nSamples).forEach((s, i) => {
      const pcVals = cov.pcs.map((col) => num(col[i]!, 4)).join('\t');
      rows.push(`${idCells(s, iidOnly)}\t${cov.sex[i]}\t${num(cov.age[i]!, 1)}\t${pcVals}\n`);
    });
  });
  return rows.join('');
}

function annotText(map: VariantMap, effects: TrueEffects): string {
  const { names, columns, binary } = effects.annotations;
  const rows = [`SNP\t${names.join('\t')}\n`];
  for (let j = 0; j < map.id.length; j++) {
    let line = map.id[j]!;
    for (let k = 0; k < names.length; k++) line += `\t${binary[k] ? columns[k]![j] : num(columns[k]![j]!, 4)}`;
    rows.push(`${line}\n`);
  }
  return rows.join('');
}

function blocksText(map: VariantMap): string {
  return ['Block\tChrom\tStartBP\tEndBP\n', ...map.blocks.map((b, i) => `${i + 1}\t${b.chrom}\t${b.startBp}\t${b.endBp}\n`)].join('');
}

function effectsText(map: VariantMap, beta: Float64Array, effects: TrueEffects): string {
  const rows = ['SNP\tA1\tbeta\tcomponent\n'];
  for (let j = 0; j < map.id.length; j++) {
    const b = beta[j]!;
    rows.push(`${map.id[j]}\t${map.a1[j]}\t${b === 0 ? '0' : b.toPrecision(10)}\t${effects.component[j]}\n`);
  }
  return rows.join('');
}

const DOSAGE_MODEL = 'target dosages = clamp(g + dosageNoise·N(0,1), 0, 2) per called genotype g (ALT = A1 count), to the nearest 1/16384; phenotypes use g';

function paramsJson(opts: SimulateOptions, effects: TrueEffects, scale: number, cohorts: Cohort[], phenos: Phenotypes[], interactions: boolean, cross: ReturnType<typeof crossAncestryJson> | null) {
  const sigma2g = scale * scale;
  return {
    generator: 'pgsflow simulate',
    seed: opts.seed,
    options: opts,
    h2: opts.h2,
    gamma: Array.from(GAMMA),
    /** Effect variances per component on the standardised scale after scaling: γ_k·σ²_g. */
    componentVariances: Array.from(GAMMA, (g) => g * sigma2g),
    sigma2g,
    pi: Array.from(effects.pi),
    causalSnps: effects.component.reduce((n, k) => n + (k > 0 ? 1 : 0), 0),
    annotations: effects.annotations.names,
    alpha: effects.alpha.map((a) => Array.from(a)),
    covariateEffects: COVARIATE_EFFECTS,
    ...((opts.dosageNoise ?? 0) > 0 ? { dosageModel: DOSAGE_MODEL } : {}),
    // With --gxe/--epistasis: varG below is var(g) of the whole genetic value; its split is there.
    ...(interactions ? { interactionTruth: INTERACTION_JSON } : {}),
    // With --rg/--private-causal: pi, causalSnps, componentVariances above describe the first ancestry.
    ...(cross ? { crossAncestry: cross } : {}),
    cohorts: cohorts.map((c, a) => ({
      ancestry: c.ancestry,
      samples: c.target.nSamples,
      referenceSamples: c.reference.nSamples,
      varG: phenos[a]!.varG,
      varE: phenos[a]!.varE,
      realisedH2: phenos[a]!.realisedH2,
      liabilityThreshold: phenos[a]!.threshold,
      realisedPrevalence: phenos[a]!.realisedPrevalence,
    })),
  };
}

const INTERACTION_JSON = 'truth/interaction.json';
const GENETIC_TSV = 'truth/genetic.tsv';

interface Interactions {
  /** With final γ (after scaling). */
  pairs: EpistaticPair[];
  /** Standardisation frequencies of the pair SNPs (A1, first cohort's sample). */
  pairFreq: Float64Array;
  combined: Combined;
  diagnostics: ReturnType<typeof pairDiagnostics> | null;
}

const INTERACTION_MODEL = [
  'g = A + E + X per cohort; y = g + covariate effects + e with var(e) = var(g)(1 − h²)/h²',
  'A = Σ_j beta_j x_j (truth/effects.tsv; x_j = the A1 dosage before --missing-rate masks calls; a missing founder call counts 0)',
  'E = Σ_pairs gamma · z_a · z_b, z_j = (x_j − 2 freq_j)/sqrt(2 freq_j (1 − freq_j)), freq_j = A1 frequency in the first cohort (z_j = 0 for a missing founder call; pairs below)',
  'X = slope · z_C · (A + E − geneticMean), z_C = (C − covariateMean)/covariateSd within the cohort (sample SD): the genetic deviation scaled by (1 + slope · z_C)',
  'scaled on the first cohort: var(A) : var(E) = (1 − F) : F and var(g) = h²',
];

function cohortSplit(combined: Combined, phenos: Phenotypes[], a: number) {
  const p = phenos[a]!;
  return varianceSplit(combined.cohorts[a]!, p.varE, p.varG / p.realisedH2);
}

function interactionJson(opts: SimulateOptions, map: VariantMap, cohorts: Cohort[], phenos: Phenotypes[], it: Interactions, perAncestryEffects: boolean) {
  const blockOf = (j: number): number => map.blocks.findIndex((b) => j >= b.first && j < b.end) + 1;
  const diag = it.diagnostics;
  return {
    generator: 'pgsflow simulate',
    model: perAncestryEffects ? INTERACTION_MODEL.map((l, i) => (i === 1 ? l.replace('Σ_j beta_j x_j (truth/effects.tsv;', "Σ_j beta_j x_j with the cohort's own effects (truth/effects.tsv beta_<ancestry>;") : l)) : INTERACTION_MODEL,
    h2: opts.h2,
    epistasis:
      opts.epistasis === undefined
        ? null
        : {
            fraction: opts.epistasis,
            pairs: it.pairs.length,
            cisPairs: it.pairs.filter((p) => p.kind === 'cis').length,
            transPairs: it.pairs.filter((p) => p.kind === 'trans').length,
            /** First cohort: squared correlation of E with the pairs' per-pair linear fits (a lower bound on a linear model's R² for E). */
            linearInPairSnps: diag ? diag.linearInPairSnps : null,
          },
    gxe:
      opts.gxe === undefined
        ? null
        : {
            covariate: opts.gxe.covariate,
            slope: opts.gxe.slope,
            centring: cohorts.map((c, a) => ({ ancestry: c.ancestry, ...it.combined.gxeCentring![a]! })),
          },
    additiveScale: it.combined.additiveScale,
    epistaticScale: it.combined.epistaticScale,
    /** Realised per cohort; share = variance / var(g + e), so share.genetic is the realised h². */
    cohorts: cohorts.map((c, a) => ({ ancestry: c.ancestry, samples: c.target.nSamples, ...cohortSplit(it.combined, phenos, a) })),
    /** r and linearR2 in the first cohort. */
    pairs: it.pairs.map((p, k) => ({
      snpA: map.id[p.a],
      snpB: map.id[p.b],
      a1A: map.a1[p.a],
      a1B: map.a1[p.b],
      freqA: it.pairFreq[p.a],
      freqB: it.pairFreq[p.b],
      gamma: p.gamma,
      kind: p.kind,
      blockA: blockOf(p.a),
      blockB: blockOf(p.b),
      distanceBp: p.kind === 'cis' ? map.pos[p.b]! - map.pos[p.a]! : null,
      r: diag!.perPair[k]!.r,
      linearR2: diag!.perPair[k]!.linearR2,
    })),
  };
}

/** Per-sample truth: the genetic value and its parts (FID IID as in pheno.tsv). */
function geneticText(cohorts: Cohort[], combined: Combined): string {
  const rows = ['FID\tIID\tancestry\tadditive\tepistatic\tgxe\tgenetic\n'];
  cohorts.forEach((c, a) => {
    const p = combined.cohorts[a]!;
    targetIds(c.ancestry, c.target.nSamples).forEach((s, i) => {
      rows.push(`${s.fid}\t${s.iid}\t${c.ancestry}\t${num(p.additive[i]!, 8)}\t${num(p.epistatic[i]!, 8)}\t${num(p.gxe[i]!, 8)}\t${num(p.genetic[i]!, 8)}\n`);
    });
  });
  return rows.join('');
}

function studyFiles(opts: SimulateOptions): [string, unknown][] {
  const format = opts.format ?? 'bed';
  const cohorts = opts.ancestries.map((a) => studyCohort(format, a, opts.dosageNoise ?? 0));
  const reference = Object.fromEntries(opts.ancestries.map((a) => [a, [`ref/${a}`]]));
  const binary = opts.binaryPrevalence !== undefined;
  const pheno = iidOnly(format) ? PHENO_IID : 'pheno.tsv';
  const covar = iidOnly(format) ? COVAR_IID : 'covar.tsv';
  const inputs = {
    cohorts,
    phenotype: binary
      ? { file: pheno, column: 'trait_binary', type: 'binary', prevalence: opts.binaryPrevalence }
      : { file: pheno, column: 'trait', type: 'quantitative' },
    covariates: { file: covar, columns: ['sex', 'age', ...Array.from({ length: N_PCS }, (_, k) => `PC${k + 1}`)] },
    ...(opts.annotations > 0 ? { annotations: 'annot.tsv' } : {}),
    ld: { type: 'build', blocks: 'blocks.tsv', reference },
  };
  const first = opts.ancestries[0]!;
  const out: [string, unknown][] = [
    [
      'study.json',
      {
        name: `sim_${first}_cv`,
        seed: opts.seed,
        inputs,
        design: { type: 'cross-validation', folds: 10, ancestry: first },
        // With annotations, SBayesR is fitted on the same folds as the baseline (as in the paper).
        ...(opts.annotations > 0 ? { sbayesrc: { baseline: true } } : {}),
      },
    ],
  ];
  opts.ancestries.slice(1).forEach((target, k) => {
    out.push([
      crossAncestryStudyFile(opts.ancestries, k + 1)!,
      { name: `sim_${target}_multi`, seed: opts.seed, inputs, design: { type: 'cross-ancestry', train: opts.ancestries, target, tuningFraction: 0.5 } },
    ]);
  });
  return out;
}

/**
 * The cross-ancestry study file targeting ancestry `targetIndex` ≥ 1 (every ancestry trains):
 * study-cross-ancestry.json for the second ancestry, study-cross-ancestry-<ANC>.json for each
 * further one; null for the first ancestry (it is the cross-validation study's).
 */
export function crossAncestryStudyFile(ancestries: readonly string[], targetIndex: number): string | null {
  if (targetIndex < 1 || targetIndex >= ancestries.length) return null;
  return targetIndex === 1 ? 'study-cross-ancestry.json' : `study-cross-ancestry-${ancestries[targetIndex]}.json`;
}

/** Every study file the simulator writes for these ancestries, in the order written. */
export function simulatedStudyFiles(ancestries: readonly string[]): string[] {
  return ['study.json', ...ancestries.slice(1).map((_, k) => crossAncestryStudyFile(ancestries, k + 1)!)];
}

/** A SNP varies in a founder population (its frequency is strictly between 0 and 1). */
function polymorphic(p: number): boolean {
  return p > 0 && p < 1;
}

/** Per-ancestry truth: beta_<A> and component_<A> for every ancestry, and where each SNP is causal. */
function crossEffectsText(map: VariantMap, cohorts: Cohort[], betaOf: Float64Array[], cross: CrossAncestryEffects): string {
  const names = cohorts.map((c) => c.ancestry);
  const rows = [`SNP\tA1\t${names.map((a) => `beta_${a}`).join('\t')}\t${names.map((a) => `component_${a}`).join('\t')}\tcausal_in\n`];
  for (let j = 0; j < map.id.length; j++) {
    const betas = betaOf.map((b) => (b[j] === 0 ? '0' : b[j]!.toPrecision(10))).join('\t');
    const comps = cross.component.map((c) => c[j]).join('\t');
    const where = cross.shared[j] ? 'all' : cross.privateOf[j]! >= 0 ? names[cross.privateOf[j]!]! : 'none';
    rows.push(`${map.id[j]}\t${map.a1[j]}\t${betas}\t${comps}\t${where}\n`);
  }
  return rows.join('');
}

const CROSS_ANCESTRY_MODEL = [
  'every ancestry has the same number m of causal variants: m − q shared (causal in all), q = round(privateCausal · m) private (causal in that ancestry only)',
  "the first ancestry's causal variants and standardised effects are the single-ancestry draw; its q private ones are q of them chosen at random",
  'shared variants: the same component k in every ancestry, standardised effects (β_1 … β_A) ~ N(0, γ_k Σ), Σ = (1 − rg) I + rg 11ᵀ (rg = 1: equal effects)',
  "another ancestry's private variants: drawn without replacement from the SNPs causal in no other ancestry (founders: and varying in that ancestry's founders), with probability ∝ Φ(a_jᵀα_0), components by the probit steps α_1…α_3, effects N(0, γ_k)",
  'per-allele effects (truth/effects.tsv beta_<ancestry>) = standardised / sqrt(2p(1 − p)) at the shared effect frequency, one h² scale for all ancestries (var(g) = h² in the first cohort)',
];

/** truth/params.json's crossAncestry block: the architecture, the private causal sets and the realised correlations. */
function crossAncestryJson(opts: SimulateOptions, map: VariantMap, cohorts: Cohort[], cross: CrossAncestryEffects, betaOf: Float64Array[]) {
  const names = cohorts.map((c) => c.ancestry);
  const nSnps = map.id.length;
  const pi = (a: number): number[] => {
    const counts = new Array<number>(5).fill(0);
    for (let j = 0; j < nSnps; j++) counts[cross.component[a]![j]!]! += 1;
    return counts.map((c) => c / nSnps);
  };
  return {
    model: CROSS_ANCESTRY_MODEL,
    rg: opts.rg ?? 1,
    privateCausal: opts.privateCausal ?? 0,
    causalPerAncestry: cross.causalCount,
    sharedCausal: cross.sharedCount,
    privateCausalPerAncestry: cross.privateCount,
    /** Realised fraction q/m of each ancestry's causal variants that are private. */
    realisedPrivateFraction: cross.causalCount > 0 ? cross.privateCount / cross.causalCount : 0,
    /** Realised correlation of the effects per pair of ancestries (null when undefined, e.g. no shared variants). */
    realisedRg: realisedCorrelations(names, cross, betaOf),
    ancestries: names.map((a, k) => ({
      ancestry: a,
      pi: pi(k),
      privateCausalSnps: map.id.filter((_, j) => cross.privateOf[j] === k),
    })),
  };
}
