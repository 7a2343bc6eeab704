// A study's inputs into the store: fingerprint every input file, ingest each input as its own
// cached step under a content-addressed dataset name (two studies on one store never replace
// each other's data; a fixed input changes only its own name and what depends on it), and build
// or register an LD eigen panel per ancestry that needs one.
import type { Study } from '../contracts/study.js';
import { type StepContext, cachedStep } from './stepCache.js';
import type { ComputeActivities } from '../contracts/activities.js';
import type { InputFingerprint, InputGroup } from '../contracts/provenance.js';
import type { IngestInput } from '../contracts/ingest.js';
import { sumstatsSource } from '../contracts/sumstats.js';
import type { LdPanelRequest } from '../contracts/ld.js';

export interface LdPanelRef {
  /** Dataset name of the panel in the store (`ld_panel_snps.panel`). */
  name: string;
  /** The SBayesRC LD folder the compute activities read. */
  folder: string;
}

export interface StudyData {
  /** Cohort dataset per ancestry. */
  cohorts: Record<string, string>;
  pheno: string;
  covar: string | undefined;
  /** Annotation file (compute activities read it) and its content hash. */
  annot: { file: string; sha256: string } | undefined;
  /** External GWAS dataset per ancestry (cross-ancestry with given summary statistics). */
  sumstats: Record<string, string>;
  panels: Record<string, LdPanelRef>;
  /** Every input's files, hashes and sizes (provenance). */
  fingerprints: InputFingerprint[];
}

/** Dataset names are identifiers (≤ 64 chars): a short prefix plus 12 hex digits of content hash. */
const named = (prefix: string, sha256: string): string => `${prefix.slice(0, 48)}_${sha256.slice(0, 12)}`;

export interface StudyDataNeeds {
  /** Ancestries whose cohort genotypes are needed. */
  cohorts: string[];
  /** Ancestries needing an LD panel. */
  panels: string[];
}

type CohortInput = Study['inputs']['cohorts'][number];

/** The files of a cohort to fingerprint (a BGEN's .sample with it). */
function cohortFiles(c: CohortInput): Pick<InputGroup, 'kind' | 'paths'> {
  if (c.bfile) return { kind: 'bfile', paths: c.bfile };
  const g = c.genotypes!;
  const paths = typeof g.path === 'string' ? [g.path] : g.path;
  if (g.format === 'bed') return { kind: 'bfile', paths };
  if (g.format === 'pgen') return { kind: 'pfile', paths };
  return { kind: 'file', paths: g.sample !== undefined ? [...paths, g.sample] : paths };
}

/** The ingest of a cohort's genotypes, whatever their format. */
function cohortIngest(c: CohortInput): IngestInput {
  if (c.bfile) return { kind: 'bfile', paths: c.bfile };
  const g = c.genotypes!;
  const paths = typeof g.path === 'string' ? [g.path] : g.path;
  switch (g.format) {
    case 'bed':
      return { kind: 'bfile', paths };
    case 'pgen':
      return { kind: 'pfile', paths };
    case 'vcf':
      return { kind: 'vcf', paths, ...(g.dosageField ? { dosageField: g.dosageField } : {}) };
    case 'bgen':
      return { kind: 'bgen', paths, ...(g.sample !== undefined ? { sample: g.sample } : {}), ...(g.refFirst !== undefined ? { refFirst: g.refFirst } : {}) };
  }
}

type LdReference = Extract<Study['inputs']['ld'], { type: 'build' }>['reference'][string];

interface LdReferenceUse {
  /** The files to fingerprint (a BGEN's .sample with it). */
  files: Pick<InputGroup, 'kind' | 'paths'>;
  /** The panel request's genotypes: PLINK 1 as `bfiles`, as before dosage formats. */
  request: Pick<LdPanelRequest, 'bfiles' | 'genotypes'>;
  /** How a VCF/BGEN is read (its cached-step key part), '' otherwise. */
  read: string;
  /** Format tag in the panel name, '' for PLINK 1. */
  tag: string;
}

function ldReference(r: LdReference): LdReferenceUse {
  if (Array.isArray(r)) return { files: { kind: 'bfile', paths: r }, request: { bfiles: r }, read: '', tag: '' };
  const paths = typeof r.path === 'string' ? [r.path] : r.path;
  switch (r.format) {
    case 'bed':
      return { files: { kind: 'bfile', paths }, request: { bfiles: paths }, read: '', tag: '' };
    case 'pgen':
      return { files: { kind: 'pfile', paths }, request: { genotypes: { kind: 'pfile', paths } }, read: '', tag: 'pgen_' };
    case 'vcf':
      return {
        files: { kind: 'file', paths },
        request: { genotypes: { kind: 'vcf', paths, ...(r.dosageField ? { dosageField: r.dosageField } : {}) } },
        read: JSON.stringify([r.dosageField ?? null, null, null]),
        tag: `vcf${r.dosageField ?? ''}_`,
      };
    case 'bgen':
      return {
        files: { kind: 'file', paths: r.sample !== undefined ? [...paths, r.sample] : paths },
        request: { genotypes: { kind: 'bgen', paths, ...(r.sample !== undefined ? { sample: r.sample } : {}), ...(r.refFirst !== undefined ? { refFirst: r.refFirst } : {}) } },
        read: JSON.stringify([null, r.sample ?? null, r.refFirst ?? null]),
        tag: `bgen${r.refFirst === false ? 'RL' : ''}_`,
      };
  }
}

export async function prepareStudyData(
  ctx: StepContext,
  compute: ComputeActivities,
  fingerprint: (groups: InputGroup[]) => Promise<InputFingerprint[]>,
  study: Study,
  needs: StudyDataNeeds,
  artifactsDir: string,
): Promise<StudyData> {
  const { inputs } = study;
  const groups: InputGroup[] = [];
  for (const a of needs.cohorts) {
    const cohort = inputs.cohorts.find((c) => c.ancestry === a);
    if (cohort) groups.push({ key: `cohort:${a}`, ...cohortFiles(cohort) });
  }
  groups.push({ key: 'pheno', kind: 'file', paths: [inputs.phenotype.file] });
  if (inputs.covariates) groups.push({ key: 'covar', kind: 'file', paths: [inputs.covariates.file] });
  if (inputs.annotations !== undefined) groups.push({ key: 'annot', kind: 'file', paths: [inputs.annotations] });
  for (const [a, v] of Object.entries(inputs.sumstats ?? {})) groups.push({ key: `sumstats:${a}`, kind: 'file', paths: [sumstatsSource(v).file] });
  const ld = inputs.ld;
  for (const a of needs.panels) {
    if (ld.type === 'folders') groups.push({ key: `ld:${a}`, kind: 'folder', paths: [ld.folders[a]!] });
    else groups.push({ key: `ldref:${a}`, ...ldReference(ld.reference[a]!).files });
  }
  if (ld.type === 'build') groups.push({ key: 'ldblocks', kind: 'file', paths: [ld.blocks] });
  const fingerprints = await fingerprint(groups);
  // Every input file's path, size and sha256, for the audit (recorded whether or not steps are reused).
  await ctx.store.recordStep({ runId: ctx.runId, stepKey: 'fingerprintInputs', step: 'fingerprintInputs', scope: '', output: fingerprints });
  const sha = new Map(fingerprints.map((f) => [f.key, f.sha256]));
  const shaOf = (key: string): string => {
    const s = sha.get(key);
    if (s === undefined) throw new Error(`no fingerprint for input ${key}`);
    return s;
  };

  const ingestOne = async (key: string, input: IngestInput, genotypeRead = ''): Promise<string> => {
    const name = input.name!;
    // The columns checked numeric are in the key (absent when none): a resumed study that now
    // uses another column re-checks the file at ingest, rather than failing in the GWAS.
    const readKey = genotypeRead === '' ? {} : { genotypeRead };
    await cachedStep(ctx, 'ingest', '', { input: key, sha256: shaOf(key), name, numeric: input.numericColumns, read: input.read, ...readKey }, async () => {
      const [report] = await ctx.store.ingest([input]);
      return { dataset: report!.dataset, status: report!.status, rows: report!.rows, sha256: report!.sha256 };
    });
    return name;
  };

  const cohorts: Record<string, string> = {};
  for (const a of needs.cohorts) {
    const cohort = inputs.cohorts.find((c) => c.ancestry === a);
    if (!cohort) continue;
    const read = cohortIngest(cohort);
    // How a dosage file is read (BGEN allele order, VCF dosage field) is other data from the same files.
    const how = read.kind === 'bfile' || read.kind === 'pfile' ? '' : JSON.stringify([read.dosageField ?? null, read.sample ?? null, read.refFirst ?? null]);
    // …and so is its name: two readings of one file (DS and GP, ref-first and ref-last) are two cohorts.
    const tag = `${read.kind}${read.dosageField ?? ''}${read.refFirst === false ? 'RL' : ''}${read.sample !== undefined ? 'S' : ''}`;
    cohorts[a] = await ingestOne(`cohort:${a}`, { ...read, ancestry: a, name: named(how === '' ? a : `${a}_${tag}`, shaOf(`cohort:${a}`)) }, how);
  }
  // The phenotype column and the covariates the study names must be numeric in every row (a
  // typo is refused at ingest with its line and column). -9 is missing unless the study says it
  // is a value (histories from before the setting carry none: the default); read so, the same
  // file is other data, under another name.
  const { phenotype, covariates } = inputs;
  const minus9IsValue = phenotype.missingMinus9 === false;
  const pheno = await ingestOne('pheno', {
    kind: 'pheno',
    paths: [phenotype.file],
    name: named(minus9IsValue ? 'pheno_minus9' : 'pheno', shaOf('pheno')),
    numericColumns: [phenotype.column],
    ...(minus9IsValue ? { missingMinus9: false } : {}),
  });
  const covar = covariates
    ? await ingestOne('covar', {
        kind: 'covar',
        paths: [covariates.file],
        name: named('covar', shaOf('covar')),
        ...(covariates.columns && covariates.columns.length > 0 ? { numericColumns: [...covariates.columns] } : {}),
      })
    : undefined;
  let annot: StudyData['annot'];
  if (inputs.annotations !== undefined) {
    await ingestOne('annot', { kind: 'annot', paths: [inputs.annotations], name: named('annot', shaOf('annot')) });
    annot = { file: inputs.annotations, sha256: shaOf('annot') };
  }
  const sumstats: Record<string, string> = {};
  for (const [a, v] of Object.entries(inputs.sumstats ?? {})) {
    // Read options are part of the data read: in the key (absent when default) and the name.
    const { file, read } = sumstatsSource(v);
    const custom = Object.keys(read).length > 0;
    sumstats[a] = await ingestOne(
      `sumstats:${a}`,
      { kind: 'sumstats', paths: [file], name: named(custom ? `gwas_r_${a}` : `gwas_${a}`, shaOf(`sumstats:${a}`)), ...(custom ? { read } : {}) },
    );
  }

  const panels: Record<string, LdPanelRef> = {};
  for (const a of needs.panels) {
    if (ld.type === 'folders') {
      const name = await ingestOne(`ld:${a}`, { kind: 'ld', paths: [ld.folders[a]!], name: named(`ld_${a}`, shaOf(`ld:${a}`)) });
      panels[a] = { name, folder: ld.folders[a]! };
      continue;
    }
    const ref = ldReference(ld.reference[a]!);
    // A dosage reference's read options are other data from the same files: in the key (absent for
    // PLINK 1, whose keys stay as they were) and, as a tag, in the name.
    const parts = { reference: shaOf(`ldref:${a}`), blocks: shaOf('ldblocks'), cutoff: ld.cutoff, ...(ref.read !== '' ? { read: ref.read } : {}) };
    // The panel's name hashes its inputs and settings; its folder lives under the run that built it.
    const name = named(`ld_c${Math.round(ld.cutoff * 1e4)}_${ref.tag}${a}`, shaOf(`ldref:${a}`).slice(0, 6) + shaOf('ldblocks').slice(0, 6));
    panels[a] = await cachedStep(ctx, 'buildLdPanel', a, parts, async (): Promise<LdPanelRef> => {
      const folder = `${artifactsDir}/runs/${ctx.runId}/ld/${a}`;
      await compute.buildLdPanel({ ...ref.request, blocks: ld.blocks, outDir: folder, cutoff: ld.cutoff });
      await ctx.store.ingest([{ kind: 'ld', paths: [folder], name }]);
      return { name, folder };
    }, [{ field: 'folder', suffix: '/ldm.info' }]);
  }
  return { cohorts, pheno, covar, annot, sumstats, panels, fingerprints };
}
