// Opens a dosage cohort from an ingest input: PLINK 2 filesets, VCF/BCF or BGEN files (one per
// chromosome allowed), each through its format's reader.
import { openBgen } from '../formats/bgen.js';
import { openPgen } from '../formats/pgen.js';
import { openVcf } from '../formats/vcf.js';
import type { DosageField } from '../../contracts/ingest.js';
import { type DosageCohort, combineDosageSources } from './dosageCohort.js';
import type { DosageSource } from './dosageSource.js';

export type DosageInputKind = 'pfile' | 'vcf' | 'bgen';

export interface DosageOpenOptions {
  dosageField?: DosageField;
  sample?: string;
  refFirst?: boolean;
}

export async function openDosageCohort(kind: DosageInputKind, paths: readonly string[], opts: DosageOpenOptions): Promise<DosageCohort> {
  const sources: DosageSource[] = [];
  for (const path of paths) sources.push(await openOne(kind, path, opts));
  return combineDosageSources(sources);
}

function openOne(kind: DosageInputKind, path: string, opts: DosageOpenOptions): Promise<DosageSource> {
  switch (kind) {
    case 'pfile':
      return openPgen(path);
    case 'vcf':
      return openVcf(path, opts.dosageField ? { dosageField: opts.dosageField } : {});
    case 'bgen':
      // PLINK 2 requires ref-first / ref-last to be stated for BGEN; ours defaults to ref-first.
      return openBgen(path, { ...(opts.sample ? { samplePath: opts.sample } : {}), refFirst: opts.refFirst ?? true });
  }
}
