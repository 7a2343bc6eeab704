// Ingest a set of inputs: validate everything first (phase 1), check samples of phenotype and
// covariate tables against the cohorts, then write each input in its own transaction (phase 2).
import { IDENTIFIER_PATTERN } from '../../config/identifiers.js';
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { type ParsedInput, parseInput } from './parseInputs.js';
import { writeDataset } from './writeDataset.js';
import { type IngestInput, type IngestReport, isGenotypeKind } from '../../contracts/ingest.js';

export async function ingestInputs(store: Store, inputs: readonly IngestInput[]): Promise<IngestReport[]> {
  for (const input of inputs) {
    if (input.ancestry !== undefined && !IDENTIFIER_PATTERN.test(input.ancestry)) {
      throw new BadInputError(input.paths[0] ?? '(no path)', `ancestry '${input.ancestry}' is not allowed: use a letter, then letters, digits, _ . -`);
    }
  }
  const parsed: ParsedInput[] = [];
  for (const input of inputs) parsed.push(await parseInput(input));
  const seen = new Map<string, string>();
  for (const p of parsed) {
    const key = `${p.kind}:${p.dataset}`;
    if (seen.has(key)) throw new BadInputError(p.files[0]?.path ?? p.dataset, `dataset name '${p.dataset}' is used twice for --${p.kind} (also ${seen.get(key)}); name them with --name`);
    seen.set(key, p.files[0]?.path ?? p.dataset);
  }
  const sampleNotes = await checkSampleIds(store, parsed);
  const reports: IngestReport[] = [];
  for (const p of parsed) {
    const r = await writeDataset(store, p);
    const readNotes = p.kind === 'pheno' || p.kind === 'covar' ? p.notes : [];
    reports.push({ ...r, notes: [...readNotes, ...(sampleNotes.get(p) ?? []), ...r.notes] });
  }
  return reports;
}

/**
 * Phenotype/covariate samples absent from every cohort (in the store or in this ingest) are
 * counted and reported; if cohorts exist and not one sample matches, the file is refused.
 */
async function checkSampleIds(store: Store, parsed: ParsedInput[]): Promise<Map<ParsedInput, string[]>> {
  const notes = new Map<ParsedInput, string[]>();
  const tables = parsed.filter((p) => p.kind === 'pheno' || p.kind === 'covar');
  if (tables.length === 0) return notes;
  const known = new Set<string>();
  for (const p of parsed) {
    const ids = p.kind === 'bfile' ? p.fam : p.kind === 'pfile' || p.kind === 'vcf' || p.kind === 'bgen' ? p.cohort.samples : null;
    ids?.iid.forEach((iid, i) => known.add(`${ids.fid[i]}\t${iid}`));
  }
  const bfileNames = new Set(parsed.filter((p) => isGenotypeKind(p.kind)).map((p) => p.dataset));
  const rows = await store.all<{ cohort: string; fid: string; iid: string }>(`SELECT cohort, fid, iid FROM samples`);
  for (const r of rows) if (!bfileNames.has(r.cohort)) known.add(`${r.fid}\t${r.iid}`);
  for (const p of tables) {
    if (p.kind !== 'pheno' && p.kind !== 'covar') continue;
    const t = p.table;
    if (known.size === 0) {
      notes.set(p, ['no cohort ingested yet: sample IDs not checked against genotypes']);
      continue;
    }
    let missing = 0;
    let example = '';
    for (let i = 0; i < t.fid.length; i++) {
      if (!known.has(`${t.fid[i]}\t${t.iid[i]}`)) {
        if (missing === 0) example = `${t.fid[i]} ${t.iid[i]} (line ${i + 2})`;
        missing++;
      }
    }
    if (missing === t.fid.length) {
      // The usual cause: FIDs on one side only (a VCF/BGEN cohort has FID 0, as in PLINK 2).
      const iids = new Set([...known].map((k) => k.slice(k.indexOf('\t') + 1)));
      const byIid = t.iid.filter((iid) => iids.has(iid)).length;
      const hint =
        byIid > 0
          ? `; ${byIid} of them match a cohort sample by IID alone: samples without family IDs (VCF, BGEN, a '#IID' .psam) have FID 0, so give this file an '#IID' header without the FID column, or FID 0 (PLINK 2's rule)`
          : ': wrong file, or IDs formatted differently?';
      throw new BadInputError(p.files[0]!.path, `none of its ${t.fid.length} samples (FID IID) is in any ingested cohort, e.g. ${example}${hint}`, 2, 1);
    }
    if (missing > 0) notes.set(p, [`${missing} of ${t.fid.length} samples are in no ingested cohort (e.g. ${example}); they are kept but will not be analysed`]);
  }
  return notes;
}
