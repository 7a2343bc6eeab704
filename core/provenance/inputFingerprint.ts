// Content fingerprints of a study's inputs before anything is ingested: the study workflows name
// datasets and key cached steps by these hashes, so two studies on one store never clobber each
// other's data and a resumed study reuses exactly the steps whose inputs did not change.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { combinedHash, hashFile } from './fileHash.js';
import { resolveBfile } from '../formats/plink.js';
import { resolvePfile } from '../formats/pgen.js';
import type { InputGroup, InputFingerprint } from '../../contracts/provenance.js';
import type { FileHash } from '../../contracts/provenance.js';

async function filesOf(group: InputGroup): Promise<string[]> {
  const out: string[] = [];
  for (const p of group.paths) {
    if (group.kind === 'bfile') {
      const b = await resolveBfile(p);
      out.push(b.bed, b.bim, b.fam);
    } else if (group.kind === 'pfile') {
      const f = await resolvePfile(p);
      out.push(f.pgen, f.pvar, f.psam);
    } else if (group.kind === 'folder') {
      let names: string[];
      try {
        names = (await readdir(p, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
      } catch (e) {
        throw new BadInputError(p, `cannot read folder: ${(e as Error).message}`);
      }
      // Byte order, not locale order: the same folder hashes the same on every machine.
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.push(...names.map((n) => join(p, n)));
    } else out.push(p);
  }
  return out;
}

export async function fingerprintInputs(groups: readonly InputGroup[]): Promise<InputFingerprint[]> {
  const result: InputFingerprint[] = [];
  for (const g of groups) {
    const files: FileHash[] = [];
    for (const f of await filesOf(g)) files.push(await hashFile(f));
    result.push({ key: g.key, files, sha256: combinedHash(files) });
  }
  return result;
}
