// From a study file to the StudyInput a study workflow starts with: the file verbatim and its
// sha256, the parsed study with every input path made absolute against the file's folder.
import type { ArtifactExchangeMode } from '../../contracts/artifactExchange.js';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { BadInputError } from '../../core/errors.js';
import { storePaths } from '../../core/store/store.js';
import { ConfigError } from '../../config/errors.js';
import { type Study, parseStudy } from '../../config/study.js';
import type { StudyInput } from '../../contracts/study.js';
import { sha256Text } from '../../core/provenance/fileHash.js';

const abs = (base: string, p: string): string => (isAbsolute(p) ? p : resolve(base, p));
const absRecord = <T extends string | string[]>(base: string, r: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (Array.isArray(v) ? v.map((p) => abs(base, p)) : abs(base, v)) as T]));

type LdReference = Extract<Study['inputs']['ld'], { type: 'build' }>['reference'][string];

/** An LD reference's prefixes, or its genotype files and BGEN .sample, made absolute. */
function absReference(base: string, r: LdReference): LdReference {
  if (Array.isArray(r)) return r.map((p) => abs(base, p));
  return {
    ...r,
    path: typeof r.path === 'string' ? abs(base, r.path) : r.path.map((p) => abs(base, p)),
    ...(r.sample !== undefined ? { sample: abs(base, r.sample) } : {}),
  };
}

/**
 * The study with every path (cohort bfiles, phenotype, covariates, annotations, LD folders,
 * blocks and reference genotypes, summary statistics, store) absolute against `baseDir`.
 * Pure: the input is not modified.
 */
export function resolveStudyPaths(study: Study, baseDir: string): Study {
  const base = resolve(baseDir);
  const i = study.inputs;
  const ld: Study['inputs']['ld'] =
    i.ld.type === 'folders'
      ? { ...i.ld, folders: absRecord(base, i.ld.folders) }
      : { ...i.ld, blocks: abs(base, i.ld.blocks), reference: Object.fromEntries(Object.entries(i.ld.reference).map(([a, r]) => [a, absReference(base, r)])) };
  return {
    ...study,
    ...(study.store !== undefined ? { store: abs(base, study.store) } : {}),
    inputs: {
      ...i,
      cohorts: i.cohorts.map((c) => ({
        ...c,
        ...(c.bfile ? { bfile: c.bfile.map((p) => abs(base, p)) } : {}),
        ...(c.genotypes
          ? {
              genotypes: {
                ...c.genotypes,
                path: typeof c.genotypes.path === 'string' ? abs(base, c.genotypes.path) : c.genotypes.path.map((p) => abs(base, p)),
                ...(c.genotypes.sample !== undefined ? { sample: abs(base, c.genotypes.sample) } : {}),
              },
            }
          : {}),
      })),
      phenotype: { ...i.phenotype, file: abs(base, i.phenotype.file) },
      ...(i.covariates ? { covariates: { ...i.covariates, file: abs(base, i.covariates.file) } } : {}),
      ...(i.annotations !== undefined ? { annotations: abs(base, i.annotations) } : {}),
      ld,
      ...(i.sumstats
        ? { sumstats: Object.fromEntries(Object.entries(i.sumstats).map(([a, v]) => [a, typeof v === 'string' ? abs(base, v) : { ...v, file: abs(base, v.file) }])) }
        : {}),
    },
  };
}

export interface StudyFile {
  /** Absolute path of the file. */
  path: string;
  text: string;
  sha256: string;
  /** Parsed, paths absolute. */
  study: Study;
}

/** Read and validate a study file (missing file: BadInputError; invalid: ConfigError). */
export async function loadStudyFile(path: string): Promise<StudyFile> {
  const file = resolve(path);
  let text: string;
  try {
    // A pipe or device would block or never end: a study file is a regular file.
    const st = await stat(file);
    if (!st.isFile() && !st.isDirectory()) throw new BadInputError(file, `is ${st.isFIFO() ? 'a pipe' : 'a device or socket'}, not a regular file`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(file, code === 'ENOENT' ? 'study file not found' : `cannot read the study file: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '')); // a BOM (Windows editors) is tolerated, as in tables
  } catch (e) {
    throw new ConfigError(file, [{ field: '(root)', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  const study = resolveStudyPaths(parseStudy(value, file), dirname(file));
  if (study.store !== undefined) await refuseStoreLinkOut(file, study.store);
  return { path: file, text, sha256: sha256Text(text), study };
}

/**
 * The study file's `store` is inside its folder by name (config/study.ts); a symlink on the way
 * (`store -> /elsewhere`) must not lead it out either. Checked on the deepest existing folder.
 */
async function refuseStoreLinkOut(file: string, store: string): Promise<void> {
  const folder = await realpath(dirname(file));
  let existing = store;
  for (;;) {
    try {
      existing = await realpath(existing);
      break;
    } catch {
      const up = dirname(existing);
      if (up === existing) return;
      existing = up;
    }
  }
  const rel = relative(folder, existing);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfigError(file, [{ field: 'store', message: `leads out of the study file's folder through a symlink (${existing}): a study file may not write elsewhere; use --store or PGSFLOW_STORE for a store outside` }]);
  }
}

/**
 * The store folder of a run: `--store` when given, else the study file's `store` (already
 * absolute against the study file), else PGSFLOW_STORE / ./.pgsflow.
 */
export function chooseStoreDir(cliStore: string | undefined, studyStore: string | undefined, envStore: string): string {
  return resolve(cliStore ?? studyStore ?? envStore);
}

export interface StudyInputOptions {
  codeVersion: string;
  computeTaskQueue: string;
  mlTaskQueue?: string;
  storeDir: string;
  resumedFrom?: string;
  artifactExchange?: ArtifactExchangeMode;
}

export function buildStudyInput(file: StudyFile, opts: StudyInputOptions): StudyInput {
  return {
    study: file.study,
    studyText: file.text,
    studySha256: file.sha256,
    studyPath: file.path,
    codeVersion: opts.codeVersion,
    computeTaskQueue: opts.computeTaskQueue,
    ...(opts.mlTaskQueue !== undefined ? { mlTaskQueue: opts.mlTaskQueue } : {}),
    artifactsDir: storePaths(opts.storeDir).artifacts,
    ...(opts.resumedFrom !== undefined ? { resumedFrom: opts.resumedFrom } : {}),
    ...(opts.artifactExchange === 's3' ? { artifactExchange: 's3' as const } : {}),
  };
}
