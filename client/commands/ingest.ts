import { parseArgs } from 'node:util';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { expandRanges } from '../../core/formats/pathPatterns.js';
import { Store } from '../../core/store/store.js';
import { loadEnv } from '../../config/env.js';
import { type Command, EXIT_OK, UsageError } from '../command.js';
import { INGEST_KINDS, type IngestInput, type IngestKind, isGenotypeKind } from '../../contracts/ingest.js';
import { sumstatsReadOptions } from '../sumstatsOptions.js';

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'validate input files and load them into the store',
  help: `Usage: pgsflow ingest --store DIR (--bfile P… [--ancestry A] | --pfile P… [--ancestry A] |
                      --vcf F… [--dosage-field DS|GP|HDS] [--ancestry A] |
                      --bgen F… [--sample F] [--ref-first|--ref-last] [--ancestry A] | --sumstats F [--name N] [--columns R=C,…] [--n N] [--max-bad-rows F] |
                      --pheno F [--pheno-name C] [--minus9 missing|value] |
                      --covar F [--covar-names C,…] [--minus9 missing|value] |
                      --annot F | --blocks F | --ld DIR)… [--json]

Validates every input completely, then writes each in one transaction:
  --bfile P…     PLINK 1 fileset(s) of one cohort (several per-chromosome prefixes allowed;
                 a prefix may hold {1..22}); --ancestry A names its ancestry
  --pfile P…     PLINK 2 fileset(s) (.pgen, .pvar or .pvar.zst, .psam): dosages when present
  --vcf F…       VCF or BCF (.vcf, .vcf.gz, .bcf); --dosage-field DS|GP|HDS (default: DS when
                 the header declares it, else GT hard calls)
  --bgen F…      BGEN v1.2/1.3 (layout 2, zlib or zstd); --sample F an Oxford .sample (default:
                 the BGEN's own sample IDs); --ref-first (default) or --ref-last says which
                 allele is REF, the other is counted (ALT)
                 Dosages are kept as PLINK 2 keeps them (1/16384 of an allele); multi-allelic
                 records are set aside and counted. VCF/BGEN samples have no FID: it is '0',
                 as plink2 writes it
  --sumstats F   GWAS summary statistics in any common dialect (COJO .ma, GWAS-SSF, PLINK 2, REGENIE,
                 SAIGE, BOLT-LMM, METAL, fastGWA, LDSC, …; gzip allowed): README "Summary statistics".
                 Rows with indels, X, NA values, … are set aside and counted by QC
  --columns R=C,…, --n N, --max-bad-rows F
                 how to read the --sumstats before them (column roles, sample size, the fraction
                 of unusable rows still accepted, default 0.01)
  --pheno F      phenotypes (FID IID …; NA, '.', a blank TSV cell and -9 are missing)
  --covar F      covariates (FID IID …; NA, '.' and a blank TSV cell are missing)
  --annot F      SBayesRC annotations (SNP, intercept, annotation columns)
  --blocks F     LD blocks (Block Chrom StartBP EndBP, or BED chr start end)
  --ld DIR       an SBayesRC LD folder (ldm.info, snp.info, block<B>.eigen.bin)
  --name N       dataset name of the input before it (default: from the file name)
  --pheno-name C, --covar-names C,…
                 column(s) of the --pheno/--covar before it that must be there and numeric
                 (the phenotype, the covariates): any other value in them is refused
  --minus9 missing|value
                 whether -9 in the --pheno/--covar before it means missing (PLINK's missing
                 phenotype; default: missing for --pheno, a value for --covar)
A column with a value that is neither a number nor missing is read as text (a note says so
when most of it is numbers), unless --pheno-name/--covar-names requires it to be numeric.
Ingesting the same content again is a no-op; new content under the same name replaces it.
Bad input: a message with file, line and column, exit 1, and the store is left unchanged.`,
  options: {},
  rawArgs: true,
  async run(parsed, ctx) {
    const { storeDir, inputs, json } = parseIngestArgs(parsed.positionals);
    if (inputs.length === 0) throw new UsageError('ingest: name at least one input (--bfile, --pfile, --vcf, --bgen, --sumstats, --pheno, --covar, --annot, --blocks, --ld)');
    const store = await Store.open(storeDir ?? loadEnv().store);
    try {
      const reports = await ingestInputs(store, inputs);
      if (json) ctx.stdout(`${JSON.stringify(reports, null, 2)}\n`);
      else {
        for (const r of reports) {
          ctx.stdout(`${r.kind} ${r.dataset}: ${r.status}${r.status === 'unchanged' ? '' : `, ${r.rows} rows`} (sha256 ${r.sha256.slice(0, 12)}…)\n`);
          for (const n of r.notes) ctx.stdout(`  note: ${n}\n`);
        }
      }
      return EXIT_OK;
    } finally {
      store.close();
    }
  },
};

/** The order of options matters (--name/--ancestry qualify the input before them), so walk the tokens. */
export function parseIngestArgs(argv: string[]): { storeDir: string | undefined; inputs: IngestInput[]; json: boolean } {
  const kinds = Object.fromEntries(INGEST_KINDS.map((k) => [k, { type: 'string' as const, multiple: true }]));
  let tokens;
  try {
    ({ tokens } = parseArgs({
    args: argv,
    options: {
      ...kinds,
      store: { type: 'string' },
      name: { type: 'string', multiple: true },
      ancestry: { type: 'string', multiple: true },
      'pheno-name': { type: 'string', multiple: true },
      'covar-names': { type: 'string', multiple: true },
      minus9: { type: 'string', multiple: true },
      columns: { type: 'string', multiple: true },
      n: { type: 'string', multiple: true },
      'max-bad-rows': { type: 'string', multiple: true },
      'dosage-field': { type: 'string', multiple: true },
      sample: { type: 'string', multiple: true },
      'ref-first': { type: 'boolean', multiple: true },
      'ref-last': { type: 'boolean', multiple: true },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
    tokens: true,
  }));
  } catch (e) {
    throw new UsageError(`ingest: ${(e as Error).message}`);
  }
  let storeDir: string | undefined;
  let json = false;
  const inputs: IngestInput[] = [];
  let last: IngestInput | undefined;
  for (const t of tokens) {
    if (t.kind === 'option') {
      if ((INGEST_KINDS as readonly string[]).includes(t.name)) {
        last = { kind: t.name as IngestKind, paths: t.value === undefined ? [] : expandRanges(t.value) };
        inputs.push(last);
      } else if (t.name === 'store') storeDir = t.value;
      else if (t.name === 'json') json = true;
      else if (t.name === 'name' || t.name === 'ancestry') {
        if (!last) throw new UsageError(`ingest: --${t.name} must follow the input it names`);
        if (t.name === 'ancestry' && !isGenotypeKind(last.kind)) throw new UsageError('ingest: --ancestry applies to --bfile, --pfile, --vcf or --bgen');
        last[t.name] = t.value;
      } else if (t.name === 'pheno-name' || t.name === 'covar-names') {
        const kind = t.name === 'pheno-name' ? 'pheno' : 'covar';
        if (last?.kind !== kind) throw new UsageError(`ingest: --${t.name} must follow the --${kind} it applies to`);
        const columns = kind === 'covar' ? (t.value ?? '').split(',').map((c) => c.trim()) : [t.value ?? ''];
        if (columns.some((c) => c === '')) throw new UsageError(`ingest: --${t.name} needs column names${kind === 'covar' ? ', separated by commas' : ''}`);
        last.numericColumns = [...(last.numericColumns ?? []), ...columns];
      } else if (t.name === 'columns' || t.name === 'n' || t.name === 'max-bad-rows') {
        if (last?.kind !== 'sumstats') throw new UsageError(`ingest: --${t.name} must follow the --sumstats it applies to`);
        const read = sumstatsReadOptions({ values: { [t.name]: t.value }, positionals: [] }, 'ingest');
        last.read = { ...last.read, ...read };
      } else if (t.name === 'dosage-field') {
        if (last?.kind !== 'vcf') throw new UsageError('ingest: --dosage-field must follow the --vcf it applies to');
        if (t.value !== 'DS' && t.value !== 'GP' && t.value !== 'HDS') throw new UsageError(`ingest: --dosage-field takes DS, GP or HDS, not '${t.value ?? ''}'`);
        last.dosageField = t.value;
      } else if (t.name === 'sample' || t.name === 'ref-first' || t.name === 'ref-last') {
        if (last?.kind !== 'bgen') throw new UsageError(`ingest: --${t.name} must follow the --bgen it applies to`);
        if (t.name === 'sample') last.sample = t.value;
        else last.refFirst = t.name === 'ref-first';
      } else if (t.name === 'minus9') {
        if (last?.kind !== 'pheno' && last?.kind !== 'covar') throw new UsageError('ingest: --minus9 must follow the --pheno or --covar it applies to');
        if (t.value !== 'missing' && t.value !== 'value') throw new UsageError(`ingest: --minus9 takes 'missing' or 'value', not '${t.value ?? ''}'`);
        last.missingMinus9 = t.value === 'missing';
      }
    } else if (t.kind === 'positional') {
      if (last && isGenotypeKind(last.kind)) last.paths.push(...expandRanges(t.value));
      else throw new UsageError(`ingest: unexpected argument '${t.value}' (only genotype inputs take several paths)`);
    }
  }
  return { storeDir, inputs, json };
}
