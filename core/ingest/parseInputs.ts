// Ingest, phase 1: read and validate every input completely, in memory, before anything is
// written, so bad input anywhere leaves the store untouched.
import { BadInputError } from '../errors.js';
import { combinedHash, hashFile, sha256Text } from '../provenance/fileHash.js';
import { readAnnotations } from '../formats/annotations.js';
import { readBlocks } from '../formats/blocks.js';
import { readEigenBlock, readLdFolder } from '../formats/ldFolder.js';
import { readSampleTable } from '../formats/sampleTable.js';
import { readSumstats } from '../formats/sumstats.js';
import { requireRegularFile } from '../formats/text.js';
import type { AnnotationTable, BlockTable, LdFolder, SampleTable, SumstatsTable } from '../formats/types.js';
import { type GenotypeFiles, openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import type { DosageCohort } from '../genotypes/dosageCohort.js';
import { type DosageInputKind, openDosageCohort } from '../genotypes/dosageOpeners.js';
import { datasetName } from './inputs.js';
import { type IngestInput, type IngestKind, isGenotypeKind } from '../../contracts/ingest.js';
import type { FileHash } from '../../contracts/provenance.js';

interface ParsedBase {
  kind: IngestKind;
  dataset: string;
  files: FileHash[];
  sha256: string;
}

/** The opened filesets (every .bim parsed, every .bed size-checked) and their hashes. */
export interface ParsedBfile extends ParsedBase, GenotypeFiles {
  kind: 'bfile';
  ancestry: string;
}
export interface ParsedSumstats extends ParsedBase {
  kind: 'sumstats';
  table: SumstatsTable;
}
export interface ParsedSampleTable extends ParsedBase {
  kind: 'pheno' | 'covar';
  table: SampleTable;
  /** What the reader noticed without refusing (a text column that is mostly numbers). */
  notes: string[];
}
export interface ParsedAnnotations extends ParsedBase {
  kind: 'annot';
  table: AnnotationTable;
}
export interface ParsedBlocks extends ParsedBase {
  kind: 'blocks';
  table: BlockTable;
}
export interface ParsedLd extends ParsedBase {
  kind: 'ld';
  folder: LdFolder;
  eigen: { m: number; k: number; sumLambda: number; cutoff: number; file: FileHash }[];
}

/** A dosage cohort (pgen / VCF / BGEN): headers read and checked; the dosages stream at write time. */
export interface ParsedDosage extends ParsedBase {
  kind: DosageInputKind;
  ancestry: string;
  cohort: DosageCohort;
}

export type ParsedInput = ParsedBfile | ParsedDosage | ParsedSumstats | ParsedSampleTable | ParsedAnnotations | ParsedBlocks | ParsedLd;

export async function parseInput(input: IngestInput): Promise<ParsedInput> {
  const dataset = datasetName(input);
  const one = (): string => {
    if (input.paths.length !== 1) throw new BadInputError(input.paths.join(', '), `--${input.kind} takes exactly one path`);
    return input.paths[0]!;
  };
  if (!isGenotypeKind(input.kind) && input.kind !== 'ld') await requireRegularFile(one());
  switch (input.kind) {
    case 'bfile':
      return parseBfile(input, dataset);
    case 'pfile':
    case 'vcf':
    case 'bgen':
      return parseDosage(input, input.kind, dataset);
    case 'sumstats': {
      const path = one();
      const table = await readSumstats(path, input.read);
      const files = [await hashFile(path)];
      // Read with other columns, N or bad-row allowance, the same file is other data: another hash.
      const read = input.read !== undefined && Object.keys(input.read).length > 0 ? JSON.stringify(input.read) : null;
      return { kind: 'sumstats', dataset, table, files, sha256: read === null ? combinedHash(files) : sha256Text(`${combinedHash(files)}\nread=${read}`) };
    }
    case 'pheno':
    case 'covar': {
      const path = one();
      const missingMinus9 = input.missingMinus9 ?? input.kind === 'pheno';
      const table = await readSampleTable(path, { missingMinus9, ...(input.numericColumns ? { numericColumns: input.numericColumns } : {}) });
      const files = [await hashFile(path)];
      // -9 read against the kind's default is other content from the same file: another hash,
      // so that re-ingesting under the same name replaces the dataset rather than keeping it.
      const sha256 = missingMinus9 === (input.kind === 'pheno') ? combinedHash(files) : sha256Text(`${combinedHash(files)}\nmissingMinus9=${missingMinus9}`);
      return { kind: input.kind, dataset, table, files, sha256, notes: table.notes };
    }
    case 'annot': {
      const path = one();
      const table = await readAnnotations(path);
      const files = [await hashFile(path)];
      return { kind: 'annot', dataset, table, files, sha256: combinedHash(files) };
    }
    case 'blocks': {
      const path = one();
      const table = await readBlocks(path);
      const files = [await hashFile(path)];
      return { kind: 'blocks', dataset, table, files, sha256: combinedHash(files) };
    }
    case 'ld': {
      const dir = one();
      const folder = await readLdFolder(dir);
      const eigen: ParsedLd['eigen'] = [];
      for (let b = 0; b < folder.eigenFiles.length; b++) {
        const path = folder.eigenFiles[b]!;
        const block = await readEigenBlock(path, folder.info.numSnps[b]);
        eigen.push({ m: block.m, k: block.k, sumLambda: block.sumLambda, cutoff: block.cutoff, file: await hashFile(path) });
      }
      const files = [await hashFile(`${dir}/ldm.info`), await hashFile(`${dir}/snp.info`), ...eigen.map((e) => e.file)];
      return { kind: 'ld', dataset, folder, eigen, files, sha256: combinedHash(files) };
    }
  }
}

async function parseDosage(input: IngestInput, kind: DosageInputKind, dataset: string): Promise<ParsedDosage> {
  if (input.paths.length === 0) throw new BadInputError('(none)', `--${kind} needs at least one path`);
  const cohort = await openDosageCohort(kind, input.paths, { ...(input.dosageField ? { dosageField: input.dosageField } : {}), ...(input.sample ? { sample: input.sample } : {}), ...(input.refFirst !== undefined ? { refFirst: input.refFirst } : {}) });
  const files: FileHash[] = [];
  for (const f of cohort.files) files.push(await hashFile(f));
  // How the files are read is part of the content: the same VCF read as GT or as DS is other data.
  const how = JSON.stringify({ dosageField: input.dosageField ?? null, refFirst: input.refFirst ?? null });
  return { kind, dataset, ancestry: input.ancestry ?? dataset, cohort, files, sha256: sha256Text(`${combinedHash(files)}\nread=${how}`) };
}

async function parseBfile(input: IngestInput, dataset: string): Promise<ParsedBfile> {
  const geno = await openGenotypeFiles(input.paths);
  const files: FileHash[] = [];
  for (const { paths } of geno.filesets) files.push(await hashFile(paths.bed), await hashFile(paths.bim), await hashFile(paths.fam));
  return { kind: 'bfile', dataset, ancestry: input.ancestry ?? dataset, ...geno, files, sha256: combinedHash(files) };
}
