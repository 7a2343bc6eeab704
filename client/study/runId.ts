// Study run ids: `<study name>-<UTC YYYYMMDDTHHMMSSZ>-<4 hex>`; the run id is the workflow id.
import { randomBytes } from 'node:crypto';

/** `2026-11-22T01:43:34.123Z` → `20261122T014334Z`. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export function makeRunId(name: string, now: Date = new Date(), hex: string = randomBytes(2).toString('hex')): string {
  return `${name}-${utcStamp(now)}-${hex}`;
}

/** Matches a run id; group 1 is the study name, 2 the stamp. */
export const RUN_ID_PATTERN = /^([A-Za-z][A-Za-z0-9_.-]{0,63})-(\d{8}T\d{6}Z)-[0-9a-f]{4}$/;
