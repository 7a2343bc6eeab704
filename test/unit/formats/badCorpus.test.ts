// Every folder of test/fixtures/bad is one malformed input; its case.json says which reader to
// run and which BadInputError (message regex, line, column) it must raise. Dosage genotypes
// (pfile, vcf, bgen) are opened and read to the end, as ingest reads them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { readAnnotations } from '../../../core/formats/annotations.js';
import { readBlocks } from '../../../core/formats/blocks.js';
import { readEigenBlock, readLdFolder } from '../../../core/formats/ldFolder.js';
import { checkBed, readBim, readFam, resolveBfile } from '../../../core/formats/plink.js';
import { readDosageCohort } from '../../../core/genotypes/dosageCohort.js';
import { openDosageCohort } from '../../../core/genotypes/dosageOpeners.js';
import { readSampleTable } from '../../../core/formats/sampleTable.js';
import { readSumstats } from '../../../core/formats/sumstats.js';
import { type CaseSpec, generateBadCorpus } from '../../fixtures/bad/generate.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/bad/', import.meta.url));
const caseNames = readdirSync(CORPUS)
  .filter((n) => statSync(join(CORPUS, n)).isDirectory())
  .sort();

const KINDS = new Set(['sumstats', 'bfile', 'pheno', 'covar', 'annot', 'blocks', 'ld', 'pfile', 'vcf', 'bgen']);

function loadCase(name: string): CaseSpec {
  const raw: unknown = JSON.parse(readFileSync(join(CORPUS, name, 'case.json'), 'utf8'));
  const c = raw as CaseSpec;
  const ok =
    typeof c === 'object' && c !== null && KINDS.has(c.kind) && typeof c.input === 'string' && typeof c.message === 'string' &&
    (c.line === null || typeof c.line === 'number') && (c.column === null || typeof c.column === 'number') &&
    (c.dosageField === undefined || c.kind === 'vcf') && (c.sample === undefined || c.kind === 'bgen');
  if (!ok) throw new Error(`${name}/case.json is not a valid case`);
  return c;
}

async function runReader(c: CaseSpec, dir: string): Promise<void> {
  const input = join(dir, c.input);
  switch (c.kind) {
    case 'sumstats':
      await readSumstats(input);
      return;
    case 'bfile': {
      const p = await resolveBfile(input);
      const fam = await readFam(p.fam);
      const bim = await readBim(p.bim);
      await checkBed(p.bed, fam.iid.length, bim.id.length);
      return;
    }
    case 'pheno':
      await readSampleTable(input, { missingMinus9: true });
      return;
    case 'covar':
      await readSampleTable(input, { missingMinus9: false });
      return;
    case 'annot':
      await readAnnotations(input);
      return;
    case 'blocks':
      await readBlocks(input);
      return;
    case 'ld': {
      const folder = await readLdFolder(input);
      for (let b = 0; b < folder.eigenFiles.length; b++) await readEigenBlock(folder.eigenFiles[b]!, folder.info.numSnps[b]!);
      return;
    }
    case 'pfile':
    case 'vcf':
    case 'bgen': {
      const cohort = await openDosageCohort(c.kind, [input], {
        ...(c.dosageField !== undefined ? { dosageField: c.dosageField } : {}),
        ...(c.sample !== undefined ? { sample: join(dir, c.sample) } : {}),
      });
      await readDosageCohort(cohort, 2, () => undefined);
      return;
    }
  }
}

describe('bad-input corpus', () => {
  it('has at least 30 cases covering every kind', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(30);
    expect(new Set(caseNames.map((n) => loadCase(n).kind))).toEqual(KINDS);
  });

  it('is what generate.ts writes (byte for byte)', () => {
    const tmp = makeTmpDir('badcorpus');
    try {
      generateBadCorpus(tmp.dir);
      const list = (root: string): string[] =>
        readdirSync(root, { recursive: true, encoding: 'utf8' })
          .filter((p) => statSync(join(root, p)).isFile() && p !== 'generate.ts')
          .sort();
      const expected = list(tmp.dir);
      expect(list(CORPUS)).toEqual(expected);
      for (const p of expected) expect(readFileSync(join(CORPUS, p)).equals(readFileSync(join(tmp.dir, p))), p).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });

  it.each(caseNames)('%s', async (name) => {
    const c = loadCase(name);
    const dir = join(CORPUS, name);
    const err: unknown = await runReader(c, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'the reader accepted the bad input').toBeInstanceOf(BadInputError);
    const e = err as BadInputError;
    expect(e.message).toMatch(new RegExp(c.message));
    expect(e.line ?? null, `line in: ${e.message}`).toBe(c.line);
    expect(e.column ?? null, `column in: ${e.message}`).toBe(c.column);
    // The error names a file of this case, so a user knows which input to fix.
    expect(relative(dir, e.file).startsWith('..'), e.file).toBe(false);
  });
});
