import { resolve } from 'node:path';
import { type GwasFilesRequest, gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { type Command, EXIT_OK, UsageError, intOpt, listOpt, stringOpt } from '../command.js';
import { GENOTYPE_GREEDY_OPTIONS, GENOTYPE_HELP, GENOTYPE_OPTIONS, genotypeInput, genotypeUsage } from '../genotypeOptions.js';
import { announceKernels } from '../kernelNotice.js';

export const gwasCommand: Command = {
  name: 'gwas',
  summary: 'fold GWAS of a cross-validation in one pass over the genotypes (or one GWAS)',
  help: `Usage: pgsflow gwas ${genotypeUsage(20)}
                    --pheno F --pheno-name COL [--covar F [--covar-name C,…]]
                    [--folds K --fold-seed S | --keep F] [--model linear|logistic] --out DIR [--json]

Per-variant regression of the phenotype on the A1 dosage (A1 = .bim 5th column, PLINK 2's ALT)
with an intercept and the covariates, equal to plink2 --glm omit-ref hide-covar on each
training set, on the same files. A sample with a missing genotype or dosage at a variant is
left out of that variant's regressions, as plink2 --glm does. With --folds K: samples with
complete data are split into K seeded folds (stratified by case status for --model logistic)
and the K training-set GWAS are computed from one pass over the genotypes; DIR/folds.tsv
(FID IID fold, folds 1..K) and DIR/fold<k>.ma. Without --folds: DIR/gwas.ma (on the --keep
samples if given). Variants without an estimate (constant, collinear, non-converged) go to
DIR/<name>.errors.tsv.
  --covar-name C,…   covariate columns (default: every numeric column of --covar)
  --model            linear (default) or logistic (phenotype 1/2 = control/case, or 0/1)

${GENOTYPE_HELP}`,
  greedyOptions: GENOTYPE_GREEDY_OPTIONS,
  options: {
    ...GENOTYPE_OPTIONS,
    pheno: { type: 'string' },
    'pheno-name': { type: 'string' },
    covar: { type: 'string' },
    'covar-name': { type: 'string', multiple: true },
    folds: { type: 'string' },
    'fold-seed': { type: 'string' },
    keep: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(parsed, ctx) {
    const need = (name: string): string => {
      const v = stringOpt(parsed, name);
      if (!v) throw new UsageError(`gwas: --${name} is required`);
      return v;
    };
    const genotypes = genotypeInput(parsed, 'gwas');
    const model = stringOpt(parsed, 'model') ?? 'linear';
    if (model !== 'linear' && model !== 'logistic') throw new UsageError(`gwas: --model must be linear or logistic, got '${model}'`);
    const k = intOpt(parsed, 'folds', 2, 1000);
    const seed = intOpt(parsed, 'fold-seed', 0, 2 ** 31 - 1);
    const keep = stringOpt(parsed, 'keep');
    announceKernels((line) => ctx.stderr(`${line}\n`));
    if (k !== undefined && keep !== undefined) throw new UsageError('gwas: --folds and --keep are alternatives');
    if (seed !== undefined && k === undefined) throw new UsageError('gwas: --fold-seed needs --folds');
    const covar = stringOpt(parsed, 'covar');
    const covarNames = listOpt(parsed, 'covar-name');
    if (covarNames && !covar) throw new UsageError('gwas: --covar-name needs --covar');
    const req: GwasFilesRequest = {
      ...(genotypes.kind === 'bfile' ? { bfiles: genotypes.paths } : { genotypes }),
      pheno: need('pheno'),
      phenoName: need('pheno-name'),
      model,
      outDir: resolve(need('out')),
      ...(covar ? { covar } : {}),
      ...(covarNames ? { covarNames } : {}),
      ...(keep ? { keep } : {}),
      ...(k !== undefined ? { folds: { k, seed: seed ?? 1 } } : {}),
    };
    const summary = await gwasOnFiles(req);
    if (parsed.values.json === true) ctx.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      ctx.stdout(
        `${summary.gwas} ${summary.model} GWAS of ${summary.variants} variants on ${summary.samples} samples` +
          ` (${summary.covariates.length} covariates) in ${summary.seconds.toFixed(1)} s → ${summary.outDir}\n`,
      );
      const ex = summary.excluded;
      const dropped = ex.missingPhenotype + ex.missingCovariate + ex.notKept + ex.notInPhenotypeFile;
      if (dropped > 0) ctx.stdout(`  excluded samples: ${JSON.stringify(ex)}\n`);
      for (const k of summary.skipped) ctx.stdout(`  ${k.count} record(s) set aside: ${k.reason}${k.examples.length > 0 ? ` (e.g. ${k.examples.join(', ')})` : ''}\n`);
      if (summary.failedVariants.some((n) => n > 0)) ctx.stdout(`  variants without an estimate per GWAS: ${summary.failedVariants.join(', ')}\n`);
    }
    return EXIT_OK;
  },
};
