// Hostile input through the real CLI: every case of the bad-input corpus (test/fixtures/bad) fed
// to `pgsflow ingest`, plus what only makes sense at the CLI — huge lines, pipes and devices,
// SQL-injection identifiers, symlinks out of the store, study files with path traversal or bad
// names (refused before any server starts), dosage files (pgen, VCF, BGEN) that break after
// several chunks were written. Each refusal: exit 1 (2 for usage errors), a message
// naming the file (and line:column where there is one), the store byte-for-byte unchanged and
// nothing written anywhere in the test folder. Accepted on purpose (same result as the plain
// file): CRLF line ends, a UTF-8 BOM, scientific notation, inputs reached through symlinks and
// a phenotype column whose name looks like SQL. Cases run in batches in one CLI process each
// (test/helpers/cliBatch.ts) to keep the suite fast.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEigenBlock, formatLdmInfo, formatSnpInfo, ldmInfoFromSnps } from '../../core/formats/ldFolder.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { loadStudyFile } from '../../client/study/studyInput.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { CaseSpec } from '../fixtures/bad/generate.js';
import { type BgenTestVariant, encodeBgen } from '../helpers/bgenWriter.js';
import { type BatchCase, type BatchResult, runCliBatch, snapshotTree } from '../helpers/cliBatch.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { simulateVcf, vcfText } from '../helpers/vcfWriter.js';
import { ar1, eigenBlockFromCorrelation, snpTable } from '../unit/formats/ldTestUtil.js';

const CORPUS = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const SQLI = "x'; DROP TABLE runs;--";

let tmp: { dir: string; cleanup: () => void };
let big: { dir: string; cleanup: () => void };
let work: { dir: string; cleanup: () => void };
let T: string;
let store: string;
let sim: string;

interface Refusal {
  /** Which reader / area (for the count by reader). */
  reader: string;
  name: string;
  argv: string[];
  env?: Record<string, string | null>;
  /** Regex(es) the stderr must match. */
  message: RegExp | RegExp[];
  /** The file the message must name. */
  file?: string;
  exit?: 1 | 2;
}

const counts = new Map<string, number>();

beforeAll(async () => {
  tmp = makeTmpDir('hostile');
  big = makeTmpDir('hostile-big');
  work = makeTmpDir('hostile-work');
  T = tmp.dir;
  store = join(T, 'store');
  sim = join(T, 'sim');
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [60], refSamples: 30, snps: 120, blockSnps: 40, seed: 3 }), sim);
  mkdirSync(join(T, 'outside'));
  writeFileSync(join(T, 'outside', 'precious.txt'), 'not for the store\n');
}, 120_000);

afterAll(() => {
  tmp?.cleanup();
  big?.cleanup();
  work?.cleanup();
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`hostile input: ${total} refused cases through the CLI — ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

const kindFlag: Record<CaseSpec['kind'], string> = {
  sumstats: '--sumstats',
  bfile: '--bfile',
  pheno: '--pheno',
  covar: '--covar',
  annot: '--annot',
  blocks: '--blocks',
  ld: '--ld',
  pfile: '--pfile',
  vcf: '--vcf',
  bgen: '--bgen',
};

function corpusCases(): Refusal[] {
  return readdirSync(CORPUS)
    .filter((n) => statSync(join(CORPUS, n)).isDirectory())
    .sort()
    .map((name) => {
      const c = JSON.parse(readFileSync(join(CORPUS, name, 'case.json'), 'utf8')) as CaseSpec;
      const input = join(CORPUS, name, c.input);
      // The dosage readers' qualifiers follow the input they apply to, as a user writes them.
      const qualifiers = [...(c.dosageField !== undefined ? ['--dosage-field', c.dosageField] : []), ...(c.sample !== undefined ? ['--sample', join(CORPUS, name, c.sample)] : [])];
      const where = c.line === null ? '' : `:${c.line}${c.column === null ? '' : `:${c.column}`}`;
      // The message is "<file>[:line[:col]]: detail"; the file is one of the case's files.
      const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return {
        reader: c.kind,
        name,
        argv: ['ingest', '--store', store, kindFlag[c.kind], input, ...qualifiers],
        message: [new RegExp(`^pgsflow: ${escaped(join(CORPUS, name))}/\\S*${escaped(where)}: `), new RegExp(c.message, 'm')],
      };
    });
}

/** Runs refusals in one batch; every one must leave the whole test folder unchanged. */
function expectRefused(cases: Refusal[]): BatchResult[] {
  const before = snapshotTree(T);
  const results = runCliBatch(
    cases.map((c): BatchCase => ({ argv: c.argv, env: c.env, snapshot: [T] })),
    work.dir,
    { PGSFLOW_STORE: store },
  );
  const problems: string[] = [];
  results.forEach((r, i) => {
    const c = cases[i]!;
    const what = `${c.name}: exit ${r.status}, stderr: ${r.stderr.slice(0, 600)}`;
    if (r.status !== (c.exit ?? 1)) problems.push(`${what}\n  expected exit ${c.exit ?? 1}`);
    else if (![c.message].flat().every((m) => m.test(r.stderr))) problems.push(`${what}\n  expected message ${[c.message].flat().join(' and ')}`);
    else if (c.file !== undefined && !r.stderr.includes(c.file)) problems.push(`${what}\n  expected the message to name ${c.file}`);
    else if (/\n\s+at /.test(r.stderr)) problems.push(`${what}\n  a stack trace is not a clear message`);
    const after = r.snapshots[T]!;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((p) => before[p] !== after[p]);
    if (changed.length > 0) problems.push(`${c.name}: changed ${changed.join(', ')}`);
    counts.set(c.reader, (counts.get(c.reader) ?? 0) + 1);
  });
  expect(problems, problems.join('\n')).toEqual([]);
  return results;
}

// ----- inputs written at run time ---------------------------------------------------------
const MA_HEADER = 'SNP A1 A2 freq b se p N';
function maText(snps: number): string {
  const rows = [MA_HEADER];
  for (let i = 0; i < snps; i++) {
    const f = ((i * 37) % 90) / 100 + 0.05;
    const b = (((i * 53) % 201) - 100) / 10_000;
    rows.push(`rs${i + 1} ${'ACGT'[i % 4]} ${'GTAC'[i % 4]} ${f.toFixed(4)} ${b.toFixed(5)} 0.0031 ${((i % 97) / 100 + 0.005).toFixed(4)} ${10_000 + i}`);
  }
  return `${rows.join('\n')}\n`;
}

function writeLdFolder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const snps = snpTable([2, 3]);
  writeFileSync(join(dir, 'ldm.info'), formatLdmInfo(ldmInfoFromSnps(snps)));
  writeFileSync(join(dir, 'snp.info'), formatSnpInfo(snps));
  writeFileSync(join(dir, 'block1.eigen.bin'), encodeEigenBlock(eigenBlockFromCorrelation([1, 0.5, 0.5, 1], 2, 0.995)));
  writeFileSync(join(dir, 'block2.eigen.bin'), encodeEigenBlock(eigenBlockFromCorrelation(ar1(3, 0.6), 3, 0.995)));
}

function studyObject(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(sim, 'study.json'), 'utf8')) as Record<string, unknown>;
}

function writeStudy(name: string, edit: (s: Record<string, unknown>) => void, raw?: string): string {
  const path = join(sim, `${name}.json`);
  const s = studyObject();
  edit(s);
  writeFileSync(path, raw ?? JSON.stringify(s, null, 2));
  return path;
}

describe('hostile input through the CLI', () => {
  it('sets up a store with a cohort (the store every refusal must leave unchanged)', () => {
    const [r] = runCliBatch([{ argv: ['ingest', '--store', store, '--bfile', join(sim, 'geno/EUR'), '--ancestry', 'EUR', '--blocks', join(sim, 'blocks.tsv')] }], work.dir);
    expect(r!.status, r!.stderr).toBe(0);
  });

  it('refuses every case of the bad-input corpus: exit 1, file:line:col, store and folder unchanged', () => {
    const cases = corpusCases();
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expectRefused(cases);
  }, 120_000);

  it('refuses huge lines, pipes, devices, folders and missing files by name', () => {
    // 10 MB in one line (a SNP column glued to garbage), and a line longer than the reader's 64 MiB cap.
    const tenMb = join(big.dir, 'ten-mb-line.ma');
    writeFileSync(tenMb, `${MA_HEADER}\nrs1 A G 0.2 0.01 0.003 0.5 1000\n${'7 '.repeat(5_000_000)}\n`);
    const noNewline = join(big.dir, 'no-newline.ma');
    const fd = openSync(noNewline, 'w');
    const mb = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 66; i++) writeSync(fd, mb);
    closeSync(fd);
    const hugeFam = join(big.dir, 'huge');
    writeFileSync(`${hugeFam}.fam`, `F1 ${'I'.repeat(10_000_000)} 0 0 1 -9 x\n`);
    writeFileSync(`${hugeFam}.bim`, '1 rs1 0 1 A G\n');
    writeFileSync(`${hugeFam}.bed`, Uint8Array.from([0x6c, 0x1b, 0x01, 0]));
    const fifo = join(big.dir, 'pipe.ma');
    execFileSync('mkfifo', [fifo]);
    const fifoLd = join(big.dir, 'ld-with-pipe');
    writeLdFolder(fifoLd);
    execFileSync('mkfifo', [join(fifoLd, 'pipe')]);
    execFileSync('rm', [join(fifoLd, 'block1.eigen.bin')]);
    symlinkSync(join(fifoLd, 'pipe'), join(fifoLd, 'block1.eigen.bin'));
    const missing = join(T, 'no-such.ma');
    expectRefused([
      { reader: 'sumstats', name: '10 MB line', argv: ['ingest', '--store', store, '--sumstats', tenMb], message: /ten-mb-line\.ma:3:9: expected 8 fields, found 5000000/ },
      { reader: 'sumstats', name: '66 MiB without a newline', argv: ['ingest', '--store', store, '--sumstats', noNewline], message: /no-newline\.ma:1: line 1 is longer than 64 MiB: not a text table\?/ },
      { reader: 'bfile', name: '10 MB .fam line', argv: ['ingest', '--store', store, '--bfile', hugeFam], message: /huge\.fam:1:7: expected 6 fields, found 7/ },
      { reader: 'sumstats', name: 'named pipe', argv: ['ingest', '--store', store, '--sumstats', fifo], message: /pipe\.ma: is a pipe, not a regular file/ },
      { reader: 'ld', name: 'eigen file linked to a pipe', argv: ['ingest', '--store', store, '--ld', fifoLd], message: /block1\.eigen\.bin: is a pipe, not a regular file/ },
      { reader: 'pheno', name: 'device', argv: ['ingest', '--store', store, '--pheno', '/dev/zero'], message: /\/dev\/zero: is a device, not a regular file/ },
      { reader: 'covar', name: 'folder as a file', argv: ['ingest', '--store', store, '--covar', sim], message: /sim: is a directory, expected a file/ },
      { reader: 'annot', name: 'missing file', argv: ['ingest', '--store', store, '--annot', missing], message: /no-such\.ma: file not found/ },
      { reader: 'bfile', name: 'missing .bed', argv: ['ingest', '--store', store, '--bfile', join(sim, 'no-such')], message: /no-such\.bed: file not found/ },
      { reader: 'ld', name: 'LD folder is a file', argv: ['ingest', '--store', store, '--ld', join(sim, 'blocks.tsv')], message: /blocks\.tsv\/ldm\.info: a parent of this path is not a directory/ },
    ]);
  }, 120_000);

  // The corpus's dosage files break in their first chunk; these break after several chunks were
  // already appended inside ingest's transaction, which must roll back to the same bytes.
  it('refuses dosage files that break late (BGEN truncated in its last variant, a bad VCF record), store unchanged', () => {
    const nSamples = 30;
    const variants: BgenTestVariant[] = Array.from({ length: 1200 }, (_, i) => ({
      rsid: `rs${i + 1}`,
      chrom: '22',
      pos: 16050000 + 10 * i,
      alleles: ['A', 'G'],
      bits: 8,
      ploidy: new Array<number>(nSamples).fill(2),
      values: Array.from({ length: nSamples }, (_, j) => [(i * 7 + j * 13) % 256, 0]),
    }));
    const bgenBytes = encodeBgen({ nSamples, sampleIds: Array.from({ length: nSamples }, (_, j) => `S${j + 1}`), compression: 1, variants });
    const bgen = join(big.dir, 'late-truncated.bgen');
    writeFileSync(bgen, bgenBytes.subarray(0, bgenBytes.length - 5));
    const lines = vcfText(simulateVcf('DS', nSamples, 1500, 4)).split('\n');
    const at = lines.length - 20; // a GT:DS record near the end (line at + 1)
    const fields = lines[at]!.split('\t');
    expect(fields[8]).toBe('GT:DS');
    lines[at] = [...fields.slice(0, 10), fields[10]!.replace(/:[^:]*$/, ':0.5x'), ...fields.slice(11)].join('\t');
    const vcf = join(big.dir, 'late-bad-ds.vcf');
    writeFileSync(vcf, lines.join('\n'));
    expectRefused([
      { reader: 'bgen', name: 'BGEN truncated in its last variant', argv: ['ingest', '--store', store, '--bgen', bgen], message: /late-truncated\.bgen: truncated: the genotype data of variant 1200 \(block at byte offset \d+, rs1200\)/ },
      { reader: 'vcf', name: 'a VCF record near the end with a bad DS', argv: ['ingest', '--store', store, '--vcf', vcf, '--dosage-field', 'DS'], message: new RegExp(`late-bad-ds\\.vcf:${at + 1}:11: DS '0\\.5x' is not a number`) },
    ]);
  });

  it('refuses identifiers crafted for SQL injection (ingest --name/--ancestry: exit 1; usage: exit 2)', () => {
    const ma = join(T, 'good.ma');
    writeFileSync(ma, maText(20));
    try {
      expectRefused([
        { reader: 'identifiers', name: 'ingest --name', argv: ['ingest', '--store', store, '--sumstats', ma, '--name', SQLI], message: /dataset name 'x'; DROP TABLE runs;--' is not allowed/ },
        { reader: 'identifiers', name: 'ingest --ancestry', argv: ['ingest', '--store', store, '--bfile', join(sim, 'geno/EUR'), '--ancestry', SQLI], message: /ancestry 'x'; DROP TABLE runs;--' is not allowed/ },
        { reader: 'identifiers', name: 'ingest --name quote only', argv: ['ingest', '--store', store, '--blocks', join(sim, 'blocks.tsv'), '--name', "blk'"], message: /dataset name 'blk'' is not allowed/ },
        { reader: 'identifiers', name: 'ingest --name 65 chars', argv: ['ingest', '--store', store, '--blocks', join(sim, 'blocks.tsv'), '--name', `b${'x'.repeat(64)}`], message: /is not allowed: use 1-64 characters/ },
        { reader: 'identifiers', name: 'ingest --name before any input', argv: ['ingest', '--store', store, '--name', SQLI, '--sumstats', ma], message: /--name must follow the input it names/, exit: 2 },
        { reader: 'identifiers', name: 'ingest unknown option', argv: ['ingest', '--store', store, `--${SQLI}`], message: /ingest: Unknown option/, exit: 2 },
      ]);
    } finally {
      execFileSync('rm', [ma]);
    }
  });

  it('refuses a store whose artifacts folder or database is a symlink out of it, touching neither side', () => {
    const linked = join(T, 'linked-store');
    mkdirSync(linked);
    symlinkSync(join(T, 'outside'), join(linked, 'artifacts'));
    const dbLinked = join(T, 'db-linked-store');
    mkdirSync(dbLinked);
    symlinkSync(join(T, 'outside', 'stolen.duckdb'), join(dbLinked, 'store.duckdb'));
    const withDb = join(T, 'linked-store-with-db');
    mkdirSync(withDb);
    writeFileSync(join(withDb, 'store.duckdb'), readFileSync(join(store, 'store.duckdb')));
    symlinkSync(join(T, 'outside'), join(withDb, 'artifacts'));
    const blocks = join(sim, 'blocks.tsv');
    expectRefused([
      { reader: 'store symlinks', name: 'artifacts -> outside', argv: ['ingest', '--store', linked, '--blocks', blocks], message: /linked-store\/artifacts is a symlink \(to .*outside\); the store's artifacts folder must be inside the store/ },
      { reader: 'store symlinks', name: 'store.duckdb -> outside', argv: ['ingest', '--store', dbLinked, '--blocks', blocks], message: /store\.duckdb is a symlink \(to .*stolen\.duckdb\); the store's database file must be inside the store/ },
      { reader: 'store symlinks', name: 'report on a linked store', argv: ['report', 'some-run', '--store', withDb, '--out', join(withDb, 'r.html')], message: /artifacts is a symlink/ },
      { reader: 'store symlinks', name: 'audit on a linked store', argv: ['audit', '--store', withDb], message: /artifacts is a symlink/ },
    ]);
  });

  it('refuses bad study files before any server or worker starts (nothing written, no temporal.sqlite)', () => {
    symlinkSync(join(T, 'outside'), join(sim, 'linked-out'));
    const s = (name: string, edit: (s: Record<string, unknown>) => void, message: RegExp, raw?: string): Refusal => {
      const path = writeStudy(name, edit, raw);
      return { reader: 'study file', name, argv: ['study', 'run', path], message, file: path };
    };
    type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const cases: Refusal[] = [
      s('store-traversal', (x: Obj) => (x.store = '../../etc/passwd'), /store: the store must be inside the study file's folder/),
      s('store-absolute', (x: Obj) => (x.store = '/etc/passwd'), /store: the store must be inside the study file's folder/),
      s('store-dotdot-inside', (x: Obj) => (x.store = 'a/../../outside'), /store: the store must be inside the study file's folder/),
      s('store-symlink-out', (x: Obj) => (x.store = 'linked-out/store'), /store: leads out of the study file's folder through a symlink/),
      s('store-nul', (x: Obj) => (x.store = 'st\u0000ore'), /store: a path cannot contain a NUL character/),
      s('input-nul', (x: Obj) => (x.inputs.phenotype.file = 'pheno.tsv\u0000.txt'), /inputs\.phenotype\.file: a path cannot contain a NUL character/),
      s('name-sqli', (x: Obj) => (x.name = SQLI), /name: expected 1-64 characters/),
      s('cohort-sqli', (x: Obj) => {
        x.inputs.cohorts[0].ancestry = SQLI;
      }, /inputs\.cohorts\.0\.ancestry: expected 1-64 characters/),
      s('design-ancestry-sqli', (x: Obj) => (x.design.ancestry = SQLI), /design\.ancestry: expected 1-64 characters/),
      s('ld-reference-key-sqli', (x: Obj) => (x.inputs.ld.reference = { [SQLI]: ['ref/EUR'] }), /inputs\.ld\.reference\.x'; DROP TABLE runs;--: expected 1-64 characters|inputs\.ld\.reference/),
      s('phenotype-column-sqli', (x: Obj) => (x.inputs.phenotype.column = SQLI), /inputs\.phenotype\.column: expected 1-64 characters/),
      s('covariate-column-sqli', (x: Obj) => (x.inputs.covariates.columns = ['age', SQLI]), /inputs\.covariates\.columns\.1: expected 1-64 characters/),
      s('name-too-long', (x: Obj) => (x.name = `s${'x'.repeat(80)}`), /name: expected 1-64 characters/),
      s('unknown-key', (x: Obj) => (x.outputDir = '../../etc'), /Unrecognized key.*outputDir|outputDir/),
      s('not-json', () => undefined, /not valid JSON/, '{"name": "x", '),
      s('json-array', () => undefined, /\(root\)/, '[]'),
      s('huge-description', (x: Obj) => {
        x.description = 'x'.repeat(10_000_000);
        x.name = SQLI;
      }, /name: expected 1-64 characters/),
      s('nul-bytes', () => undefined, /not valid JSON/, '{"name":"a\u0000b"\u0000}'),
      s('deep-nesting', () => undefined, /not valid JSON|\(root\)|Maximum call stack/, `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      { reader: 'study file', name: 'missing', argv: ['study', 'run', join(sim, 'nope.json')], message: /nope\.json: study file not found/ },
      { reader: 'study file', name: 'folder', argv: ['study', 'run', sim], message: /sim: cannot read the study file/ },
      { reader: 'study file', name: 'no file argument', argv: ['study', 'run'], message: /study run: expected STUDY\.json/, exit: 2 },
    ];
    const fifo = join(big.dir, 'study.fifo');
    execFileSync('mkfifo', [fifo]);
    cases.push({ reader: 'study file', name: 'pipe', argv: ['study', 'run', fifo], message: /study\.fifo: is a pipe, not a regular file/ });
    expectRefused(cases);
  }, 120_000);
});

describe('accepted on purpose', () => {
  it('CRLF, a BOM, scientific notation, symlinked inputs and an SQL-looking column name load as the plain files do', async () => {
    const ok = join(T, 'ok');
    mkdirSync(ok);
    const lf = maText(40);
    const sci = lf
      .split('\n')
      .map((l, i) => (i === 0 || l === '' ? l : l.split(' ').map((f, j) => (j >= 3 ? Number(f).toExponential() : f)).join(' ')))
      .join('\n');
    writeFileSync(join(ok, 'lf.ma'), lf);
    writeFileSync(join(ok, 'crlf.ma'), lf.replace(/\n/g, '\r\n'));
    writeFileSync(join(ok, 'bom.ma'), `\ufeff${lf.replace(/\n/g, '\r\n')}`);
    writeFileSync(join(ok, 'sci.ma'), sci);
    expect(sci).toMatch(/e-/);
    const pheno = readFileSync(join(sim, 'pheno.tsv'), 'utf8');
    writeFileSync(join(ok, 'pheno-crlf.tsv'), `\ufeff${pheno.replace(/\n/g, '\r\n')}`);
    for (const x of ['bed', 'bim', 'fam']) {
      const t = readFileSync(join(sim, `geno/EUR.${x}`));
      writeFileSync(join(ok, `EURcrlf.${x}`), x === 'bed' ? t : t.toString('utf8').replace(/\n/g, '\r\n'));
    }
    writeLdFolder(join(ok, 'ld-real'));
    symlinkSync(join(ok, 'ld-real'), join(ok, 'ld-link'));
    symlinkSync(join(ok, 'lf.ma'), join(ok, 'link.ma'));
    const [ids, ...rows] = pheno.trimEnd().split('\n');
    writeFileSync(join(ok, 'sqli-column.tsv'), `${[`${ids!.split('\t').slice(0, 2).join('\t')}\t${SQLI}`, ...rows.map((r) => `${r.split('\t').slice(0, 2).join('\t')}\t1.5`)].join('\n')}\n`);

    const okStore = join(ok, 'store');
    const ingest = (...a: string[]): BatchCase => ({ argv: ['ingest', '--store', okStore, '--json', ...a] });
    const results = runCliBatch(
      [
        ingest('--bfile', join(sim, 'geno/EUR'), '--ancestry', 'EUR'),
        ingest('--bfile', join(ok, 'EURcrlf'), '--name', 'EURcrlf', '--ancestry', 'EUR'),
        ingest('--sumstats', join(ok, 'lf.ma'), '--name', 'g_lf', '--sumstats', join(ok, 'crlf.ma'), '--name', 'g_crlf', '--sumstats', join(ok, 'bom.ma'), '--name', 'g_bom', '--sumstats', join(ok, 'sci.ma'), '--name', 'g_sci', '--sumstats', join(ok, 'link.ma'), '--name', 'g_link'),
        ingest('--pheno', join(sim, 'pheno.tsv'), '--name', 'p_lf', '--pheno', join(ok, 'pheno-crlf.tsv'), '--name', 'p_crlf'),
        ingest('--ld', join(ok, 'ld-real'), '--name', 'ld_real', '--ld', join(ok, 'ld-link'), '--name', 'ld_link'),
        ingest('--pheno', join(ok, 'sqli-column.tsv'), '--name', 'p_sqli'),
      ],
      work.dir,
    );
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const s = await Store.open(okStore);
    try {
      const rowsOf = async (sql: string, p: string): Promise<string> => JSON.stringify(await s.all(sql, [p]), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
      const gwas = (set: string): Promise<string> => rowsOf('SELECT snp, a1, a2, freq, b, se, p, n FROM gwas WHERE gwas_set = ? ORDER BY idx', set);
      const lfRows = await gwas('g_lf');
      expect(JSON.parse(lfRows)).toHaveLength(40);
      for (const set of ['g_crlf', 'g_bom', 'g_sci', 'g_link']) expect(await gwas(set), set).toBe(lfRows);
      const values = (d: string): Promise<string> => rowsOf('SELECT fid, iid, name, value, text FROM sample_values WHERE dataset = ? ORDER BY fid, iid, name', d);
      expect(await values('p_crlf')).toBe(await values('p_lf'));
      const variants = (c: string): Promise<string> => rowsOf('SELECT * EXCLUDE (cohort) FROM variants WHERE cohort = ? ORDER BY 1', c);
      expect(await variants('EURcrlf')).toBe(await variants('EUR'));
      const ldRows = (p: string): Promise<string> => rowsOf('SELECT * EXCLUDE (panel) FROM ld_panel_snps WHERE panel = ? ORDER BY 1', p);
      expect(await ldRows('ld_link')).toBe(await ldRows('ld_real'));
      // The SQL-looking column is data: stored verbatim, and every table is still there.
      expect(await s.all(`SELECT DISTINCT name FROM sample_values WHERE dataset = 'p_sqli'`)).toEqual([{ name: SQLI }]);
      expect(await s.all(`SELECT count(*)::INTEGER n FROM runs`)).toEqual([{ n: 0 }]);
    } finally {
      s.close();
    }
    // A study file with a UTF-8 BOM and CRLF line ends reads as the plain one (hash of the verbatim text).
    const plain = await loadStudyFile(join(sim, 'study.json'));
    writeFileSync(join(sim, 'study-bom.json'), `\ufeff${plain.text.replace(/\n/g, '\r\n')}`);
    const bom = await loadStudyFile(join(sim, 'study-bom.json'));
    expect(bom.study).toEqual(plain.study);
    expect(bom.sha256).not.toBe(plain.sha256);
    expect(relative(T, okStore).startsWith('..')).toBe(false);
  }, 120_000);
});
