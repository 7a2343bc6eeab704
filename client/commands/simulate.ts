import { resolve } from 'node:path';
import { SIMULATED_COVARIATES, SIMULATE_DEFAULTS, parseSimulateOptions } from '../../config/simulate.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { type Command, EXIT_OK, UsageError, intOpt, listOpt, numberOpt, stringOpt } from '../command.js';

const D = SIMULATE_DEFAULTS;

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'write a complete simulated study folder with known truth',
  help: `Usage: pgsflow simulate --out DIR [options]

Writes geno/<ANC>.bed/.bim/.fam (target cohorts), ref/<ANC>.* (LD reference samples),
pheno.tsv, covar.tsv, annot.tsv, blocks.tsv, truth/effects.tsv, truth/params.json (with
--gxe/--epistasis also truth/interaction.json, truth/genetic.tsv), study.json (ten-fold CV on
the first ancestry) and, with ≥ 2 ancestries, a cross-ancestry study per further ancestry, all
ancestries training: study-cross-ancestry.json targets the second, study-cross-ancestry-<ANC>.json
each later one. Same options and seed ⇒ byte-identical files.

  --ancestries A,B        ancestries, one cohort each (default ${D.ancestries.join(',')})
  --samples N[,N…]        target samples per ancestry (default ${D.samples.join(',')})
  --ref-samples N         LD reference samples per ancestry (default ${D.refSamples}; founders mode: the founders)
  --snps N                SNPs (default ${D.snps}; founders mode: every founder SNP)
  --block-snps N          SNPs per LD block (default ${D.blockSnps})
  --ld-rho R[,R…]         AR(1) latent correlation of neighbouring SNPs, one for all or one per
                          ancestry (default ${D.ldRho}; founders mode: the founders' own LD)
  --fst F                 Balding–Nichols F_ST between ancestries (default ${D.fst})
  --founders PREFIX…      block-mosaic of real genotypes; PREFIX may hold {1..22}
  --founder-pops FILE…    founder ID lists, population = file name before _IDs (EUR_IDs.txt)
  --causal-fraction F     expected fraction of causal SNPs (default ${D.causalFraction})
  --h2 H                  SNP heritability (default ${D.h2})
  --annotations N         functional annotations besides the intercept (default ${D.annotations})
  --binary K              also write trait_binary by liability threshold at prevalence K
  --missing-rate R        fraction of genotype calls set missing (default ${D.missingRate})
  --format F              target cohorts as bed (default), pgen (.pgen/.pvar/.psam), vcf (.vcf.gz)
                          or bgen (v1.2, ref-first); ref/ stays .bed. VCF and BGEN hold IIDs only,
                          so their studies read pheno_iid.tsv and covar_iid.tsv ('#IID' tables)
  --dosage-noise S        with --format pgen|vcf|bgen: dosages clamp(g + S·N(0,1), 0, 2) around the
                          hard calls g (phenotypes still from g); default hard calls only
  --gxe C:S               gene–environment interaction: the genetic deviation g − mean(g) scaled by
                          (1 + S·z), z = covariate C (${SIMULATED_COVARIATES[0]}, ${SIMULATED_COVARIATES[1]}, PC1…PC10 as in covar.tsv)
                          standardised within its cohort (mean 0, SD 1), so S is per SD of C; e.g.
                          age:0.5 (G×E then takes about S²/(1 + S²) of the genetic variance)
  --epistasis F           a fraction F (0 ≤ F < 1) of the genetic variance from products of
                          standardised genotypes of pairs of causal SNPs (pairs from the seed, half
                          within an LD block, half across blocks), the additive part 1 − F
                          With either option h² stays as asked (var(g) = h² in the first cohort, g
                          including them); truth/interaction.json holds the realised split and the
                          pairs, truth/genetic.tsv each sample's additive, epistatic and G×E parts
  --rg R                  cross-ancestry correlation of causal effects (−1 ≤ R ≤ 1; with A > 2
                          ancestries R ≥ −1/(A − 1)): shared causal variants have standardised
                          effects correlated R between every two ancestries (default: equal
                          effects, as R = 1); the first ancestry keeps the effects it has without --rg
  --private-causal F      a fraction F (0 ≤ F < 1) of each ancestry's causal variants are causal in
                          that ancestry only (round(F·m) of its m; every ancestry has m causal
                          variants; default 0). With --rg or --private-causal, truth/effects.tsv has
                          beta_<ANC> and component_<ANC> per ancestry and causal_in (all, an
                          ancestry or none); truth/params.json's crossAncestry block holds the
                          realised effect correlations and each ancestry's private causal SNPs
  --seed S                (default ${D.seed})
  --json                  print the summary as JSON`,
  greedyOptions: ['founders', 'founder-pops'],
  options: {
    out: { type: 'string' },
    ancestries: { type: 'string' },
    samples: { type: 'string' },
    'ref-samples': { type: 'string' },
    snps: { type: 'string' },
    'block-snps': { type: 'string' },
    'ld-rho': { type: 'string' },
    fst: { type: 'string' },
    founders: { type: 'string', multiple: true },
    'founder-pops': { type: 'string', multiple: true },
    'causal-fraction': { type: 'string' },
    h2: { type: 'string' },
    annotations: { type: 'string' },
    binary: { type: 'string' },
    'missing-rate': { type: 'string' },
    format: { type: 'string' },
    'dosage-noise': { type: 'string' },
    gxe: { type: 'string' },
    epistasis: { type: 'string' },
    rg: { type: 'string' },
    'private-causal': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(parsed, ctx) {
    const out = stringOpt(parsed, 'out');
    if (!out) throw new UsageError('simulate: --out DIR is required');
    const ints = (name: string): number[] | undefined =>
      listOpt(parsed, name)?.map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n)) throw new UsageError(`--${name} expects integers, got '${x}'`);
        return n;
      });
    const raw = {
      ancestries: listOpt(parsed, 'ancestries'),
      samples: ints('samples'),
      refSamples: intOpt(parsed, 'ref-samples', 1, 1e9),
      snps: intOpt(parsed, 'snps', 1, 1e9),
      blockSnps: intOpt(parsed, 'block-snps', 1, 1e9),
      ldRho: ldRhoOpt(listOpt(parsed, 'ld-rho')),
      fst: numberOpt(parsed, 'fst'),
      founders: listOpt(parsed, 'founders'),
      founderPops: listOpt(parsed, 'founder-pops'),
      causalFraction: numberOpt(parsed, 'causal-fraction'),
      h2: numberOpt(parsed, 'h2'),
      annotations: intOpt(parsed, 'annotations', 0, 1000),
      binaryPrevalence: numberOpt(parsed, 'binary'),
      missingRate: numberOpt(parsed, 'missing-rate'),
      format: stringOpt(parsed, 'format'),
      dosageNoise: numberOpt(parsed, 'dosage-noise'),
      gxe: stringOpt(parsed, 'gxe'),
      epistasis: numberOpt(parsed, 'epistasis'),
      rg: numberOpt(parsed, 'rg'),
      privateCausal: numberOpt(parsed, 'private-causal'),
      seed: intOpt(parsed, 'seed', 0, 2 ** 31 - 1),
    };
    const opts = parseSimulateOptions(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
    const summary = await simulateStudy(opts, resolve(out));
    if (parsed.values.json === true) ctx.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      ctx.stdout(`simulated ${summary.nSnps} SNPs in ${summary.nBlocks} blocks into ${summary.outDir} (${summary.seconds.toFixed(1)} s)\n`);
      for (const c of summary.cohorts) {
        const prev = c.prevalence === null ? '' : `, prevalence ${c.prevalence.toFixed(3)}`;
        const s = c.share;
        const split = s ? ` (additive ${s.additive.toFixed(3)}, epistatic ${s.epistatic.toFixed(3)}, G×E ${s.gxe.toFixed(3)})` : '';
        ctx.stdout(`  ${c.ancestry}: ${c.samples} samples, ${c.referenceSamples} reference, realised h² ${c.realisedH2.toFixed(3)}${split}${prev}\n`);
      }
      const x = summary.crossAncestry;
      if (x) {
        ctx.stdout(`  causal variants per ancestry ${x.causalPerAncestry}, ${x.privateCausalPerAncestry} of them private\n`);
        for (const r of x.realisedRg) {
          const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
          ctx.stdout(`  realised effect correlation ${r.ancestries.join('–')}: ${f(r.standardised)} over ${r.sharedCausal} shared causal variants (${f(r.causalUnion)} over all causal)\n`);
        }
      }
    }
    return EXIT_OK;
  },
};

/** --ld-rho R or R,R,…: one number for all ancestries (recorded as a number), or a list. */
function ldRhoOpt(items: string[] | undefined): number | number[] | undefined {
  if (items === undefined) return undefined;
  const values = items.map((x) => {
    const n = Number(x);
    if (x.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--ld-rho expects numbers, got '${x}'`);
    return n;
  });
  return values.length === 1 ? values[0] : values;
}
