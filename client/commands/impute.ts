import { resolve } from 'node:path';
import { DEFAULT_IMPUTE_CUTOFF, imputeOnFiles } from '../../core/impute/imputeFiles.js';
import { type Command, EXIT_OK, UsageError, numberOpt, stringOpt } from '../command.js';
import { SUMSTATS_OPTIONS, SUMSTATS_OPTIONS_HELP, sumstatsReadOptions } from '../sumstatsOptions.js';

export const imputeCommand: Command = {
  name: 'impute',
  summary: 'impute summary statistics of panel SNPs missing from a GWAS (SBayesRC impute)',
  help: `Usage: pgsflow impute --sumstats F --ld DIR --out F [--cutoff ${DEFAULT_IMPUTE_CUTOFF}] [--json]

Per LD block, z of the panel SNPs absent from the summary statistics are imputed from the
observed ones: ẑ_I = R̃_IT R̃_TT⁻¹ z_T with R̃ = U Λ Uᵀ + 0.1·I from the panel's eigen data.
Imputed SNPs get N = median N, se from the median implied phenotypic variance at the panel
frequency, b = ẑ·se. Blocks without an observed SNP get b = 0, se = 1, p = 1.
Alleles must be the panel's: swapped pairs are re-oriented, other mismatches dropped (counted).

  --sumstats F   COJO .ma or GWAS-SSF summary statistics (after QC)
  --ld DIR       SBayesRC LD folder (ldm.info, snp.info, block<B>.eigen.bin)
  --out F        imputed .ma, every panel SNP in panel order, columns
                 SNP A1 A2 freq b se p N r2 info: r2 = 1 observed (numbers as given),
                 0 imputed, −1 not imputable; info = imputation quality R̃_IT R̃_TT⁻¹ R̃_TI
                 in [0, 1] (1 observed, 0 not imputable). Report: F.impute.json
  --cutoff C     eigenvalue cut-off for R̃ (default ${DEFAULT_IMPUTE_CUTOFF}, at most the panel's)
  --json         print the run summary as JSON on stdout
${SUMSTATS_OPTIONS_HELP}`,
  options: {
    sumstats: { type: 'string' },
    ld: { type: 'string' },
    out: { type: 'string' },
    cutoff: { type: 'string' },
    json: { type: 'boolean' },
    ...SUMSTATS_OPTIONS,
  },
  async run(parsed, ctx) {
    const need = (name: string): string => {
      const v = stringOpt(parsed, name);
      if (!v) throw new UsageError(`impute: --${name} is required`);
      return v;
    };
    const cutoff = numberOpt(parsed, 'cutoff');
    if (cutoff !== undefined && !(cutoff > 0 && cutoff <= 1)) throw new UsageError(`impute: --cutoff must be in (0, 1], got ${cutoff}`);
    const summary = await imputeOnFiles({
      sumstats: resolve(need('sumstats')),
      ld: resolve(need('ld')),
      out: resolve(need('out')),
      ...(cutoff !== undefined ? { cutoff } : {}),
      read: sumstatsReadOptions(parsed, 'impute'),
    });
    if (parsed.values.json === true) {
      ctx.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      return EXIT_OK;
    }
    const t = summary.totals;
    const i = summary.input;
    ctx.stdout(
      `${t.panelSnps} panel SNPs: ${t.observed} observed, ${t.imputed} imputed, ${t.notImputable} not imputable` +
        ` (${t.blocksWithoutObserved} blocks without an observed SNP, ${t.monomorphic} monomorphic)` +
        ` in ${summary.seconds.total.toFixed(1)} s → ${summary.out}\n`,
    );
    if (i.setAside > 0) ctx.stdout(`  ${i.setAside} rows set aside while reading (indels, NA values, non-autosomal, …; \`pgsflow qc\` lists them)\n`);
    const dropped = i.notInPanel + i.alleleMismatch + i.missingValues;
    if (i.swapped > 0 || dropped > 0) {
      ctx.stdout(
        `  input rows ${i.rows}: ${i.swapped} re-oriented to the panel alleles; dropped ${i.notInPanel} not in the panel,` +
          ` ${i.alleleMismatch} allele mismatches, ${i.missingValues} without freq or N\n`,
      );
    }
    ctx.stdout(`  N = ${summary.scale.nMed}, V_p = ${summary.scale.vP.toPrecision(6)}; report ${summary.report}\n`);
    return EXIT_OK;
  },
};
