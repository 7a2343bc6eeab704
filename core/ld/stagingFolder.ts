// The panel is built in a sibling staging folder and renamed into place when complete, so
// --out never holds half a panel (a crash leaves only a *.tmp-* folder). An existing --out is
// replaced only when it is empty or itself an LD panel: anything else may be the user's data.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadInputError } from '../errors.js';

const PANEL_MARKERS = ['ld.json', 'ldm.info'];

export async function createStaging(outDir: string): Promise<string> {
  await checkReplaceable(outDir);
  await mkdir(dirname(outDir), { recursive: true });
  const staging = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  return staging;
}

export async function publishStaging(staging: string, outDir: string): Promise<void> {
  await checkReplaceable(outDir);
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  let moved = false;
  try {
    await rename(outDir, old);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  try {
    await rename(staging, outDir);
  } catch (e) {
    if (moved) await rename(old, outDir).catch(() => undefined);
    throw e;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}

export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

async function checkReplaceable(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new BadInputError(outDir, 'exists and is not a directory');
    throw e;
  }
  if (names.length > 0 && !names.some((n) => PANEL_MARKERS.includes(n))) {
    throw new BadInputError(outDir, `exists and is not an LD panel (${names.length} entries, no ldm.info or ld.json): choose a new or empty --out`);
  }
}
