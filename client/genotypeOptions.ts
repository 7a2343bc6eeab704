// The genotype options of the file-based commands (`gwas`, `score`): --bfile, --pfile, --vcf or
// --bgen, each repeatable (one fileset or file per chromosome), with the dosage readers'
// qualifiers. Exactly one format per call, as plink2 takes one.
import { resolve } from 'node:path';
import { expandRanges } from '../core/formats/pathPatterns.js';
import type { GenotypeInput } from '../core/genotypes/genotypeInput.js';
import { type OptionSpec, type ParsedArgs, UsageError, listOpt, stringOpt } from './command.js';

const FORMATS = ['bfile', 'pfile', 'vcf', 'bgen'] as const;

export const GENOTYPE_OPTIONS: OptionSpec = {
  bfile: { type: 'string', multiple: true },
  pfile: { type: 'string', multiple: true },
  vcf: { type: 'string', multiple: true },
  bgen: { type: 'string', multiple: true },
  'dosage-field': { type: 'string' },
  sample: { type: 'string' },
  'ref-first': { type: 'boolean' },
  'ref-last': { type: 'boolean' },
};

/** Each format takes several values, like a shell glob (`--vcf chr*.vcf.gz`). */
export const GENOTYPE_GREEDY_OPTIONS: readonly string[] = FORMATS;

export const GENOTYPE_USAGE = '(--bfile P… | --pfile P… | --vcf F… [--dosage-field DS|GP|HDS] | --bgen F… [--sample F] [--ref-first|--ref-last])';

/** GENOTYPE_USAGE on two lines, the second indented by `indent` spaces. */
export function genotypeUsage(indent: number): string {
  return `(--bfile P… | --pfile P… | --vcf F… [--dosage-field DS|GP|HDS] |\n${' '.repeat(indent)} --bgen F… [--sample F] [--ref-first|--ref-last])`;
}

export const GENOTYPE_HELP = `Genotypes (exactly one format; repeat, list or use {1..22} for one fileset or file per
chromosome, all with the same samples in the same order):
  --bfile P               PLINK 1 fileset(s) (.bed/.bim/.fam): hard calls, A1 counted
  --pfile P               PLINK 2 fileset(s) (.pgen, .pvar or .pvar.zst, .psam): dosages
  --vcf F                 VCF or BCF (.vcf, .vcf.gz, .bcf); --dosage-field DS|GP|HDS picks the
                          FORMAT field (default: DS when the header declares it, else GT)
  --bgen F                BGEN v1.2/1.3 (layout 2); --sample F an Oxford .sample (default: the
                          BGEN's own sample IDs); --ref-first (the default) or --ref-last says
                          which allele is REF; the other one is ALT, counted
  Dosages are read as plink2 holds them (1/16384 of an allele) with ALT counted (A1 = ALT,
  A2 = REF); multi-allelic records are set aside and counted. VCF and BGEN samples have no
  FID: it is '0', as for plink2 (phenotype, keep and fold files then use FID 0, or IID alone
  where a file allows it).`;

/** The one genotype input of a command line; usage errors name the command. */
export function genotypeInput(parsed: ParsedArgs, command: string): GenotypeInput {
  const given = FORMATS.filter((f) => parsed.values[f] !== undefined);
  if (given.length === 0) throw new UsageError(`${command}: give the genotypes with --bfile, --pfile, --vcf or --bgen`);
  if (given.length > 1) throw new UsageError(`${command}: one genotype format per call, got ${given.map((f) => `--${f}`).join(' and ')}`);
  const kind = given[0]!;
  const paths = (listOpt(parsed, kind) ?? []).flatMap(expandRanges).map((p) => resolve(p));
  if (paths.length === 0) throw new UsageError(`${command}: --${kind} needs at least one ${kind === 'bfile' || kind === 'pfile' ? 'prefix' : 'file'}`);
  const field = stringOpt(parsed, 'dosage-field');
  const sample = stringOpt(parsed, 'sample');
  const refFirst = parsed.values['ref-first'] === true;
  const refLast = parsed.values['ref-last'] === true;
  if (field !== undefined && kind !== 'vcf') throw new UsageError(`${command}: --dosage-field applies to --vcf`);
  if ((sample !== undefined || refFirst || refLast) && kind !== 'bgen') {
    throw new UsageError(`${command}: --${sample !== undefined ? 'sample' : refFirst ? 'ref-first' : 'ref-last'} applies to --bgen`);
  }
  if (refFirst && refLast) throw new UsageError(`${command}: --ref-first and --ref-last are alternatives`);
  switch (kind) {
    case 'bfile':
    case 'pfile':
      return { kind, paths };
    case 'vcf':
      if (field !== undefined && field !== 'DS' && field !== 'GP' && field !== 'HDS') throw new UsageError(`${command}: --dosage-field takes DS, GP or HDS, not '${field}'`);
      return { kind, paths, ...(field !== undefined ? { dosageField: field } : {}) };
    case 'bgen':
      return { kind, paths, ...(sample !== undefined ? { sample: resolve(sample) } : {}), refFirst: !refLast };
  }
}
