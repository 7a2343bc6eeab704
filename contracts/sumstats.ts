// How a summary-statistics file is read (core/formats/sumstats.ts): the roles a column can play,
// and the user's say where detection is not enough. Crosses the Temporal line with ingest,
// QC and impute requests, and is the study file's `sumstats` settings.

import type { SumstatsRole } from '../config/sumstatsRoles.js';

export { SUMSTATS_ROLES, type SumstatsRole } from '../config/sumstatsRoles.js';

export interface SumstatsReadOptions {
  /** Role → header name, overriding detection (`--columns snp=MarkerName,a1=EA`). */
  columns?: Partial<Record<SumstatsRole, string>>;
  /** Sample size of every variant when the file has neither N nor case/control counts. */
  n?: number;
  /** Largest fraction of data rows with unusable values (NA, not a number, out of range) accepted. */
  maxBadRows?: number;
}

/** A study file's summary statistics for one ancestry: a path, or a path with how to read it. */
export type SumstatsSource = string | ({ file: string } & SumstatsReadOptions);

/** The file and the read options of a study file's summary-statistics entry. */
export function sumstatsSource(v: SumstatsSource): { file: string; read: SumstatsReadOptions } {
  if (typeof v === 'string') return { file: v, read: {} };
  const { file, ...read } = v;
  return { file, read };
}
