// Compute-queue activity: content hashes for provenance. Pure, no store access, so any
// compute worker (on any machine) can serve it.
import { withFailureMapping } from './failures.js';
import { fingerprintInputs } from '../core/provenance/inputFingerprint.js';
import type { InputFingerprint, InputGroup } from '../contracts/provenance.js';
import type { FingerprintActivities } from '../contracts/activities.js';
import { sha256Text } from '../core/provenance/fileHash.js';

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
