// Compute-queue activity: content hashes for provenance. Pure, no store access, so any
// compute worker (on any machine) can serve it.
import { createHash } from 'node:crypto';
import { withFailureMapping } from './failures.js';
import { fingerprintInputs } from '../core/provenance/inputFingerprint.js';
import type { InputFingerprint, InputGroup } from '../contracts/provenance.js';
import type { FingerprintActivities } from '../contracts/activities.js';

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function makeFingerprintActivities(): FingerprintActivities {
  return withFailureMapping({
    async fingerprintText(text: string): Promise<string> {
      return sha256Text(text);
    },

    /** Hashes of a study's input files, grouped (a cohort's .bed/.bim/.fam, an LD folder, …). */
    async fingerprintInputs(groups: InputGroup[]): Promise<InputFingerprint[]> {
      return fingerprintInputs(groups);
    },
  });
}
