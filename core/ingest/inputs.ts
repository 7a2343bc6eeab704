// What can be ingested, and how datasets are named in the store.
import { basename } from 'node:path';
import { IDENTIFIER_PATTERN } from '../../config/identifiers.js';
import { BadInputError } from '../errors.js';
import { type IngestInput, isGenotypeKind } from '../../contracts/ingest.js';

/** A dataset name from a path: `geno/EUR.bed` → `EUR`, `gwas.ma.gz` → `gwas`, `1kg` → `d1kg`. */
export function defaultDatasetName(path: string): string {
  const base = basename(path.replace(/\/+$/, '')).replace(/\.(gz|bgz)$/i, '').replace(/\.(bed|bim|fam|pgen|pvar|psam|vcf|bcf|bgen|ma|tsv|txt|csv|pos|annot|ssf)$/i, '');
  let name = base.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  if (!/^[A-Za-z]/.test(name)) name = `d${name}`.slice(0, 64);
  return name;
}

export function datasetName(input: IngestInput): string {
  if (input.name !== undefined) {
    if (!IDENTIFIER_PATTERN.test(input.name)) {
      throw new BadInputError(input.paths[0] ?? '(no path)', `dataset name '${input.name}' is not allowed: use 1-64 characters, a letter first, then letters, digits, _ . -`);
    }
    return input.name;
  }
  if (isGenotypeKind(input.kind) && input.ancestry !== undefined) return datasetName({ ...input, name: input.ancestry });
  const first = input.paths[0];
  if (first === undefined) throw new BadInputError('(no path)', `--${input.kind} needs a path`);
  return defaultDatasetName(first);
}
