// Whether a recorded step's output files are still there (and unchanged) before `study resume`
// reuses the step: a cached fit whose PREFIX.txt was deleted would otherwise be handed on and
// fail later, far from the cause — or worse, an edited file would be scored as if computed.
import { access } from 'node:fs/promises';
import { hashFile } from '../provenance/fileHash.js';
import type { StepOutputFile } from '../../contracts/runs.js';

/** The first listed file that is missing or changed (a reason), or null when all are intact. */
export async function staleOutput(output: unknown, files: readonly StepOutputFile[]): Promise<string | null> {
  const o = (output ?? {}) as Record<string, unknown>;
  for (const f of files) {
    const base = o[f.field];
    if (typeof base !== 'string') return `output has no file field '${f.field}'`;
    const path = base + (f.suffix ?? '');
    try {
      await access(path);
    } catch {
      return `${path} is missing`;
    }
    const want = f.sha256Field !== undefined ? o[f.sha256Field] : undefined;
    if (typeof want === 'string' && (await hashFile(path)).sha256 !== want) return `${path} changed since it was written (sha256)`;
  }
  return null;
}
