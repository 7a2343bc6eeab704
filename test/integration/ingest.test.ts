// Ingest into a real DuckDB store: simulated and real (1000 Genomes) data, idempotence, the
// genotype round trip, frequencies against PLINK 2, and bad input leaving the store unchanged.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticLd } from '../../bench/syntheticLd.js';
import { BadInputError } from '../../core/errors.js';
import { alleleFrequencies } from '../../core/genotypes/alleleFrequencies.js';
import { forEachGenotypeChunk } from '../../core/genotypes/storeGenotypes.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store, storePaths } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';
import { BIN } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/cliBatch.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';
import type { DosageField, IngestInput, IngestKind } from '../../contracts/ingest.js';

const THOUSAND_G = THOUSAND_GENOMES;
const BAD = new URL('../fixtures/bad/', import.meta.url).pathname;
let tmp: { dir: string; cleanup: () => void };
let sim: string;

beforeAll(async () => {
  tmp = makeTmpDir('ingest');
  sim = join(tmp.dir, 'sim');
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [1001, 500], refSamples: 300, snps: 1500, blockSnps: 100, missingRate: 0.01, seed: 21 }), sim);
}, 120_000);
afterAll(() => tmp.cleanup());

async function withStore<T>(name: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await Store.open(join(tmp.dir, name));
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

async function count(s: Store, sql: string): Promise<number> {
  const r = await s.all<{ n: bigint }>(sql);
  return Number(r[0]?.n);
}

function studyInputs(dir: string): IngestInput[] {
  return [
    { kind: 'bfile', paths: [join(dir, 'geno/EUR')], ancestry: 'EUR' },
    { kind: 'bfile', paths: [join(dir, 'ref/EUR')], name: 'EUR_ref', ancestry: 'EUR' },
    { kind: 'pheno', paths: [join(dir, 'pheno.tsv')] },
    { kind: 'covar', paths: [join(dir, 'covar.tsv')] },
    { kind: 'annot', paths: [join(dir, 'annot.tsv')] },
    { kind: 'blocks', paths: [join(dir, 'blocks.tsv')] },
  ];
}

describe('ingest of a simulated study', () => {
  it('loads every table, hashes every file, and re-ingest is a no-op that says so', async () => {
    await withStore('s1', async (s) => {
      const first = await ingestInputs(s, studyInputs(sim));
      expect(first.map((r) => [r.kind, r.dataset, r.status])).toEqual([
        ['bfile', 'EUR', 'ingested'],
        ['bfile', 'EUR_ref', 'ingested'],
        ['pheno', 'pheno', 'ingested'],
        ['covar', 'covar', 'ingested'],
        ['annot', 'annot', 'ingested'],
        ['blocks', 'blocks', 'ingested'],
      ]);
      expect(first[2]!.notes.join()).toContain('500 of 1501 samples are in no ingested cohort');
      expect(await count(s, `SELECT count(*) n FROM samples WHERE cohort = 'EUR'`)).toBe(1001);
      expect(await count(s, `SELECT count(*) n FROM variants WHERE cohort = 'EUR_ref'`)).toBe(1500);
      expect(await count(s, `SELECT count(*) n FROM sample_values WHERE kind = 'covar' AND name = 'PC10'`)).toBe(1501);
      expect(await count(s, `SELECT count(*) n FROM annotations`)).toBe(1500);
      expect(await count(s, `SELECT count(*) n FROM ld_blocks`)).toBe(15);
      const files = await s.all<{ files_json: string }>(`SELECT files_json FROM ingests WHERE kind = 'bfile' AND dataset = 'EUR'`);
      const recorded = JSON.parse(files[0]!.files_json) as { path: string; sha256: string }[];
      expect(recorded.map((f) => f.sha256)).toEqual(['bed', 'bim', 'fam'].map((x) => sha256File(join(sim, `geno/EUR.${x}`))));

      const again = await ingestInputs(s, studyInputs(sim));
      expect(again.every((r) => r.status === 'unchanged')).toBe(true);
      expect(again[0]!.notes[0]).toMatch(/already ingested with the same content/);
      expect(await count(s, `SELECT count(*) n FROM samples WHERE cohort = 'EUR'`)).toBe(1001);
    });
  });

  it('an LD panel found again at a new folder, its recorded one gone, is re-pointed (audit and verify read the files that exist)', async () => {
    const first = join(tmp.dir, 'panel-a');
    const { ld } = await writeSyntheticLd(first, { blocks: 3, m: 40, kTarget: 30, seed: 3 });
    const moved = join(tmp.dir, 'panel-b');
    cpSync(ld, moved, { recursive: true });
    await withStore('s-relocate', async (s) => {
      const where = async () => ({
        dir: (await s.all<{ dir: string }>(`SELECT dir FROM ld_panels WHERE panel = 'p'`))[0]!.dir,
        eigen: (await s.all<{ eigen_path: string }>(`SELECT eigen_path FROM ld_panel_blocks WHERE panel = 'p' ORDER BY block`)).map((r) => r.eigen_path),
        files: (JSON.parse((await s.all<{ files_json: string }>(`SELECT files_json FROM ingests WHERE dataset = 'p'`))[0]!.files_json) as { path: string }[]).map((f) => f.path),
      });
      expect((await ingestInputs(s, [{ kind: 'ld', paths: [ld], name: 'p' }]))[0]!.status).toBe('ingested');
      const before = await where();
      expect(before.eigen).toHaveLength(3);
      // Both copies exist: the same content elsewhere changes nothing.
      const both = await ingestInputs(s, [{ kind: 'ld', paths: [moved], name: 'p' }]);
      expect(both[0]!.status).toBe('unchanged');
      expect(await where()).toEqual(before);
      // The recorded folder is gone: the catalogue follows the content to where it now is.
      rmSync(ld, { recursive: true });
      const again = await ingestInputs(s, [{ kind: 'ld', paths: [moved], name: 'p' }]);
      expect(again[0]!.status).toBe('unchanged');
      expect(again[0]!.notes.join(' ')).toContain('the recorded files were gone');
      const after = await where();
      expect(after.dir).toBe(moved);
      expect(after.eigen.every((p) => p.startsWith(`${moved}/`))).toBe(true);
      expect(after.files.length).toBe(before.files.length);
      expect(after.files.every((p) => p.startsWith(`${moved}/`) && existsSync(p))).toBe(true);
      expect(await count(s, `SELECT count(*) n FROM ld_panel_snps WHERE panel = 'p'`)).toBe(120);
    });
  });

  it('replaces a dataset whose content changed, in one transaction', async () => {
    await withStore('s2', async (s) => {
      await ingestInputs(s, [{ kind: 'blocks', paths: [join(sim, 'blocks.tsv')], name: 'b' }]);
      const fewer = join(tmp.dir, 'blocks-fewer.tsv');
      writeFileSync(fewer, readFileSync(join(sim, 'blocks.tsv'), 'utf8').split('\n').slice(0, 6).join('\n') + '\n');
      const r = await ingestInputs(s, [{ kind: 'blocks', paths: [fewer], name: 'b' }]);
      expect(r[0]!.status).toBe('replaced');
      expect(await count(s, `SELECT count(*) n FROM ld_blocks WHERE block_set = 'b'`)).toBe(5);
      expect(await count(s, `SELECT count(*) n FROM ingests WHERE dataset = 'b'`)).toBe(1);
    });
  });

  it('streams genotypes back byte-identical to the .bed, with PLINK 2 frequencies', async () => {
    await withStore('s3', async (s) => {
      await ingestInputs(s, [{ kind: 'bfile', paths: [join(sim, 'geno/EUR')] }]);
      const bed = readFileSync(join(sim, 'geno/EUR.bed'));
      const freq = new Float64Array(1500);
      const obs = new Int32Array(1500);
      let chunks = 0;
      const layout = await forEachGenotypeChunk(s, 'EUR', (c) => {
        chunks++;
        const bpv = 251; // ceil(1001 / 4)
        expect(Buffer.from(c.packed).equals(bed.subarray(3 + c.firstVariant * bpv, 3 + (c.firstVariant + c.nVariants) * bpv))).toBe(true);
        alleleFrequencies(c.packed, 0, c.nVariants, 1001, freq, obs, c.firstVariant);
      });
      expect(layout).toMatchObject({ nSamples: 1001, nVariants: 1500, bytesPerVariant: 251 });
      expect(chunks).toBe(Math.ceil(1500 / 256));
      plink2(['--bfile', join(sim, 'geno/EUR'), '--freq', '--out', join(tmp.dir, 'eur')]);
      const t = readTable(join(tmp.dir, 'eur.afreq'));
      const pf = column(t, 'ALT_FREQS').map(Number);
      const po = column(t, 'OBS_CT').map(Number);
      for (let j = 0; j < 1500; j++) {
        expect(Math.abs(freq[j]! - pf[j]!)).toBeLessThan(5e-7 + 1e-6 * pf[j]!); // PLINK prints 6 significant digits
        expect(obs[j]).toBe(po[j]);
      }
    });
  });
});

describe('ingest of real data (1000 Genomes, one fileset per chromosome)', () => {
  it('joins per-chromosome filesets into one cohort and matches PLINK 2 frequencies', async () => {
    await withStore('kg', async (s) => {
      const prefixes = [`${THOUSAND_G}chr21`, `${THOUSAND_G}chr22`];
      const r = await ingestInputs(s, [{ kind: 'bfile', paths: prefixes, name: 'KG', ancestry: 'ALL' }]);
      const bim21 = readFileSync(`${THOUSAND_G}chr21.bim`, 'utf8').trimEnd().split('\n').length;
      const bim22 = readFileSync(`${THOUSAND_G}chr22.bim`, 'utf8').trimEnd().split('\n').length;
      expect(r[0]).toMatchObject({ status: 'ingested', rows: bim21 + bim22 });
      const n = 2504;
      const freq = new Float64Array(bim21 + bim22);
      const obs = new Int32Array(bim21 + bim22);
      await forEachGenotypeChunk(s, 'KG', (c) => alleleFrequencies(c.packed, 0, c.nVariants, n, freq, obs, c.firstVariant));
      const pf: number[] = [];
      for (const chr of ['chr21', 'chr22']) {
        plink2(['--bfile', `${THOUSAND_G}${chr}`, '--freq', '--out', join(tmp.dir, chr)]);
        pf.push(...column(readTable(join(tmp.dir, `${chr}.afreq`)), 'ALT_FREQS').map(Number));
      }
      expect(pf).toHaveLength(freq.length);
      pf.forEach((p, j) => expect(Math.abs(freq[j]! - p)).toBeLessThan(5e-7 + 1e-6 * p));
      const chroms = await s.all<{ chrom: string; n: bigint }>(`SELECT chrom, count(*) n FROM variants GROUP BY chrom ORDER BY chrom`);
      expect(chroms.map((c) => [c.chrom, Number(c.n)])).toEqual([['21', bim21], ['22', bim22]]);
    });
  });
});

describe('bad input leaves the store byte-for-byte unchanged', () => {
  const kinds: Record<string, IngestKind> = {
    sumstats: 'sumstats', bfile: 'bfile', pfile: 'pfile', vcf: 'vcf', bgen: 'bgen', pheno: 'pheno', covar: 'covar', annot: 'annot', blocks: 'blocks', ld: 'ld',
  };
  const cases = existsSync(BAD)
    ? readdirSync(BAD).filter((d) => existsSync(join(BAD, d, 'case.json')))
    : [];

  it('has a corpus of at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('%s', async (name) => {
    const spec = JSON.parse(readFileSync(join(BAD, name, 'case.json'), 'utf8')) as {
      kind: string;
      input: string;
      message: string;
      line: number | null;
      column: number | null;
      dosageField?: DosageField;
      sample?: string;
    };
    const storeDir = join(tmp.dir, `bad-${name}`);
    // A store with data in it, closed, hashed; then the bad ingest; then hashed again.
    const s0 = await Store.open(storeDir);
    await ingestInputs(s0, [{ kind: 'blocks', paths: [join(sim, 'blocks.tsv')] }]);
    s0.close();
    const before = sha256File(storePaths(storeDir).database);
    const s = await Store.open(storeDir);
    let err: unknown;
    try {
      const kind = kinds[spec.kind];
      if (kind === undefined) throw new Error(`${name}: case kind '${spec.kind}' unknown to this test`);
      await ingestInputs(s, [
        {
          kind,
          paths: [join(BAD, name, spec.input)],
          ...(spec.dosageField ? { dosageField: spec.dosageField } : {}),
          ...(spec.sample ? { sample: join(BAD, name, spec.sample) } : {}),
        },
      ]);
    } catch (e) {
      err = e;
    } finally {
      s.close();
    }
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(new RegExp(spec.message));
    if (spec.line !== null) expect((err as BadInputError).line).toBe(spec.line);
    if (spec.column !== null) expect((err as BadInputError).column).toBe(spec.column);
    expect(sha256File(storePaths(storeDir).database)).toBe(before);
  });

  it('refuses a phenotype file none of whose samples is in any cohort', async () => {
    const storeDir = join(tmp.dir, 'bad-pheno-ids');
    const s0 = await Store.open(storeDir);
    await ingestInputs(s0, [{ kind: 'bfile', paths: [join(sim, 'geno/EAS')] }]);
    s0.close();
    const before = sha256File(storePaths(storeDir).database);
    const foreign = join(tmp.dir, 'foreign.tsv');
    writeFileSync(foreign, 'FID\tIID\ttrait\nX1\tX1\t1.5\nX2\tX2\t0.5\n');
    const s = await Store.open(storeDir);
    await expect(ingestInputs(s, [{ kind: 'pheno', paths: [foreign] }])).rejects.toThrow(/none of its 2 samples \(FID IID\) is in any ingested cohort/);
    s.close();
    expect(sha256File(storePaths(storeDir).database)).toBe(before);
  });

  it("matches a VCF cohort (FID 0, as PLINK 2) to an '#IID' phenotype file, and says so when a file with FIDs matches by IID only", async () => {
    const storeDir = join(tmp.dir, 'vcf-ids');
    const vcf = join(tmp.dir, 'EAS_ids.vcf.gz');
    plink2(['--bfile', join(sim, 'geno/EAS'), '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', join(tmp.dir, 'EAS_ids')]);
    const s0 = await Store.open(storeDir);
    await ingestInputs(s0, [{ kind: 'vcf', paths: [vcf], name: 'EASv' }]);
    s0.close();
    const lines = readFileSync(join(sim, 'pheno.tsv'), 'utf8').trimEnd().split('\n');
    const withFid = join(tmp.dir, 'pheno_fid.tsv');
    writeFileSync(withFid, `${lines.filter((l, i) => i === 0 || l.startsWith('EAS')).join('\n')}\n`);
    const before = sha256File(storePaths(storeDir).database);
    const s = await Store.open(storeDir);
    await expect(ingestInputs(s, [{ kind: 'pheno', paths: [withFid] }])).rejects.toThrow(/match a cohort sample by IID alone.*'#IID' header/);
    s.close();
    expect(sha256File(storePaths(storeDir).database)).toBe(before);
    const iidOnly = join(tmp.dir, 'pheno_iid.tsv');
    writeFileSync(iidOnly, `${lines.filter((l, i) => i === 0 || l.startsWith('EAS')).map((l, i) => (i === 0 ? '#' : '') + l.split('\t').slice(1).join('\t')).join('\n')}\n`);
    const s2 = await Store.open(storeDir);
    try {
      const [report] = await ingestInputs(s2, [{ kind: 'pheno', paths: [iidOnly] }]);
      expect(report!.status).toBe('ingested');
      const matched = await s2.all<{ n: bigint }>(
        `SELECT count(DISTINCT v.iid) AS n FROM sample_values v JOIN samples s ON s.cohort = 'EASv' AND s.fid = v.fid AND s.iid = v.iid`,
      );
      expect(Number(matched[0]!.n)).toBe(lines.filter((l) => l.startsWith('EAS')).length);
    } finally {
      s2.close();
    }
  });

  it('writes nothing when one input of several is bad (all are validated first)', async () => {
    const storeDir = join(tmp.dir, 'bad-mixed');
    (await Store.open(storeDir)).close();
    const before = sha256File(storePaths(storeDir).database);
    const s = await Store.open(storeDir);
    await expect(
      ingestInputs(s, [
        { kind: 'bfile', paths: [join(sim, 'geno/EUR')] },
        { kind: 'blocks', paths: [join(BAD, 'blocks-start-ge-end', 'blocks.pos')] },
      ]),
    ).rejects.toThrow(/block start 3582736 is not before its end/);
    s.close();
    expect(sha256File(storePaths(storeDir).database)).toBe(before);
  });
});

describe('pgsflow ingest: the columns a study uses must be numeric', () => {
  /** The real CLI run in `cwd`, so paths are the user's own (`pheno.tsv`, not /tmp/…/pheno.tsv). */
  const cli = (cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** sim/pheno.tsv (FID IID ancestry trait) with line `line`'s trait replaced. */
  const phenoWith = (dir: string, line: number, value: string): void => {
    mkdirSync(dir, { recursive: true });
    const lines = readFileSync(join(sim, 'pheno.tsv'), 'utf8').split('\n');
    const f = lines[line - 1]!.split('\t');
    f[3] = value;
    lines[line - 1] = f.join('\t');
    writeFileSync(join(dir, 'pheno.tsv'), lines.join('\n'));
  };

  it("refuses 'abc' in the --pheno-name column at its line and column, exit 1, the store unchanged", () => {
    const dir = join(tmp.dir, 'cli-abc');
    phenoWith(dir, 7, 'abc');
    const first = cli(dir, ['ingest', '--store', 'store', '--blocks', join(sim, 'blocks.tsv')]);
    expect(first.status, first.stderr).toBe(0);
    const before = sha256File(storePaths(join(dir, 'store')).database);
    const tree = snapshotTree(join(dir, 'store'));
    const r = cli(dir, ['ingest', '--store', 'store', '--pheno', 'pheno.tsv', '--pheno-name', 'trait']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("pgsflow: pheno.tsv:7:4: 'abc' is not a number (column 'trait')\n");
    expect(r.stdout).toBe('');
    expect(sha256File(storePaths(join(dir, 'store')).database)).toBe(before);
    expect(snapshotTree(join(dir, 'store'))).toEqual(tree);
    // A column that is not there: the file and the columns it has.
    const absent = cli(dir, ['ingest', '--store', 'store', '--pheno', 'pheno.tsv', '--pheno-name', 'height']);
    expect(absent.status).toBe(1);
    expect(absent.stderr).toBe("pgsflow: pheno.tsv:1: no column 'height' (columns present: FID, IID, ancestry, trait)\n");
    expect(sha256File(storePaths(join(dir, 'store')).database)).toBe(before);
    // Not required, the column is text, and a note points at the value.
    const loose = cli(dir, ['ingest', '--store', 'store', '--pheno', 'pheno.tsv', '--json']);
    expect(loose.status, loose.stderr).toBe(0);
    const [report] = JSON.parse(loose.stdout) as { status: string; notes: string[] }[];
    expect(report!.status).toBe('ingested');
    expect(report!.notes[0]).toMatch(/^column 'trait' is read as text \(1 of its \d+ values is not a number, the first 'abc' at line 7, column 4\)/);
  });

  it('reads NA and blank as missing; -9 as missing for --pheno unless --minus9 value, which is other content', async () => {
    const dir = join(tmp.dir, 'cli-missing');
    phenoWith(dir, 3, 'NA');
    const text = readFileSync(join(dir, 'pheno.tsv'), 'utf8').split('\n');
    text[3] = text[3]!.replace(/\t[^\t]*$/, '\t');
    text[4] = text[4]!.replace(/\t[^\t]*$/, '\t-9');
    writeFileSync(join(dir, 'pheno.tsv'), text.join('\n'));
    const trait = async (): Promise<(number | null | undefined)[]> => {
      const s = await Store.open(join(dir, 'store'));
      try {
        const rows = await s.all<{ iid: string; value: number | null }>(`SELECT iid, value FROM sample_values WHERE dataset = 'pheno' AND name = 'trait'`);
        const byIid = new Map(rows.map((r) => [r.iid, r.value]));
        // Lines 2-5 of the file: a number, NA, blank, -9.
        return text.slice(1, 5).map((l) => byIid.get(l.split('\t')[1]!));
      } finally {
        s.close();
      }
    };
    const a = cli(dir, ['ingest', '--store', 'store', '--pheno', 'pheno.tsv', '--pheno-name', 'trait']);
    expect(a.status, a.stderr).toBe(0);
    const [value, ...missing] = await trait();
    expect(typeof value).toBe('number');
    expect(missing).toEqual([null, null, null]);
    const b = cli(dir, ['ingest', '--store', 'store', '--pheno', 'pheno.tsv', '--pheno-name', 'trait', '--minus9', 'value']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^pheno pheno: replaced/);
    expect((await trait()).slice(1)).toEqual([null, null, -9]);
  });
});
