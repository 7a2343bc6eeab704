// `npm run bench -- --only sumstats [--quick] [--profile] [--no-qc]`: reading and harmonising GWAS
// summary statistics at real size (issue 16, item 5). One seeded GWAS-SSF `.tsv.gz` (10 M rows;
// 1 M with --quick) and an LD panel of 1.1 M SNPs (110 k with --quick) drawn from its SNVs, cached
// in $TMPDIR/pgsflow-bench-cache/ so a re-run reuses them. Side by side, each in its own process
// (so VmHWM is its peak RSS; wall and CPU time are taken inside it, after Node and tsx start):
//   - DuckDB's `read_csv` of the same file, every column converted (the floor for parsing it),
//     at 1 thread and at 2;
//   - ours: `readSumstats` + the panel match QC starts with (snp.info read with `readSnpInfo`,
//     each accepted row looked up by ID in a StringIndex of the panel, alleles oriented to the
//     panel's A1: same, swapped, strand-flipped, or mismatch);
//   - `qcOnFiles` (the whole `pgsflow qc`: read, QC rules, report, cleaned .ma, removed list)
//     against the same panel as an LD folder whose eigen blocks are k = 1 stubs (QC only checks
//     their headers; it needs the folder, not the eigenvectors).
// `--profile` runs ours once more under `node --cpu-prof` and prints where the time goes.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { orient } from '../core/alleles/alleleOrientation.js';
import { eigenFileName, readSnpInfo, writeEigenBlock } from '../core/formats/ldFolder.js';
import { readSumstats } from '../core/formats/sumstats.js';
import { StringIndex } from '../core/formats/text.js';
import { normalTwoSidedP } from '../core/numeric/stats/distributions.js';
import { qcOnFiles } from '../core/qc/qcFiles.js';
import type { BenchRow } from './timing.js';
import { Rng } from '../core/numeric/random/rng.js';

const SEED = 16;
/** Bump when the generated data change, so a stale cache is not reused. */
const DATA_VERSION = 2; // 2: drawn from core's Rng (was a private mulberry32)
const PANEL_BLOCK = 1000;
const MB = 1e6;

type Mode = 'duckdb' | 'ours' | 'qc';

interface ChildResult {
  mode: Mode;
  threads: number;
  /** Rows the run saw: DuckDB's count(*), our reader's data rows. */
  rows: number;
  seconds: number;
  /** user + system CPU seconds of the whole process over the timed part. */
  cpuSeconds: number;
  /** Peak RSS before the timed part (Node, tsx, modules) and at its end. */
  startBytes: number;
  peakBytes: number;
  detail: Record<string, number | string>;
}

// ---------------------------------------------------------------------------------------------
// Data: a GWAS-SSF .tsv.gz and an LD panel drawn from it, deterministic for (rows, seed).

/** Uniform draws from the project's seeded generator (one stream per pass). */
function rng(seed: number): () => number {
  const r = Rng.stream(seed, 16);
  return () => r.uniform();
}

const BASES = ['A', 'C', 'G', 'T'];
const KIND_SNV = 0;
const KIND_INDEL = 1;
const KIND_X = 2;
const KIND_DUP = 3; // an exact copy of the line before
const KIND_CONFLICT = 4; // the previous row's rsid with other values

interface DataFiles {
  dir: string;
  sumstats: string;
  ld: string;
  rows: number;
  panelSnps: number;
  bytes: number;
}

interface DataManifest {
  rows: number;
  panelSnps: number;
  bytes: number;
  kinds: Record<string, number>;
  naValues: number;
  seconds: number;
}

export async function sumstatsData(rows: number, panelSnps: number): Promise<DataFiles> {
  const root = join(tmpdir(), 'pgsflow-bench-cache');
  const dir = join(root, `sumstats-v${DATA_VERSION}-${rows}-${panelSnps}-seed${SEED}`);
  const files = { dir, sumstats: join(dir, 'gwas.tsv.gz'), ld: join(dir, 'ld'), rows, panelSnps };
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as DataManifest;
    console.log(`sumstats: cached data in ${dir} (${m.rows.toLocaleString('en')} rows, ${(m.bytes / MB).toFixed(0)} MB gzipped, panel ${m.panelSnps.toLocaleString('en')} SNPs)`);
    return { ...files, bytes: m.bytes };
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'ld'), { recursive: true });
  const t0 = performance.now();

  // Pass 1: what each line is, so the panel can take exactly `panelSnps` of the autosomal SNVs.
  const kindRng = rng(SEED);
  const kind = new Uint8Array(rows);
  const xFrom = rows - Math.round(0.01 * rows); // the last 1 % of lines are on X
  let candidates = 0;
  for (let i = 0; i < rows; i++) {
    const u = kindRng();
    if (i > 0 && u < 1e-4) kind[i] = KIND_DUP;
    else if (i > 0 && u < 1.01e-4) kind[i] = KIND_CONFLICT;
    else if (i >= xFrom) kind[i] = KIND_X;
    else if (kindRng() < 0.08) kind[i] = KIND_INDEL;
    else {
      kind[i] = KIND_SNV;
      candidates++;
    }
  }
  if (candidates < panelSnps) throw new Error(`sumstats bench: ${candidates} autosomal SNVs, fewer than a ${panelSnps}-SNP panel`);

  // Pass 2: the lines, and the panel (selection sampling: exactly panelSnps of the candidates).
  const r = rng(SEED + 1);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(join(tmp, 'gwas.tsv.gz'));
  gz.pipe(out);
  const snpInfo = createWriteStream(join(tmp, 'ld', 'snp.info'));
  const write = async (s: NodeJS.WritableStream, text: string): Promise<void> => {
    if (!s.write(text)) await once(s, 'drain');
  };
  await write(gz, 'chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\trsid\tn\n');
  await write(snpInfo, 'Chrom\tID\tIndex\tGenPos\tPhysPos\tA1\tA2\tA1Freq\tN\tBlock\n');
  const counts: Record<string, number> = { snv: 0, indel: 0, x: 0, exactDuplicate: 0, conflictingDuplicate: 0 };
  let naValues = 0;
  const autoLines = xFrom;
  let chrom = '';
  let pos = 0;
  let rs = 100_000;
  let prev = '';
  let prevRs = '';
  let prevHead = '';
  let batch: string[] = [];
  let panelBatch: string[] = [];
  let needed = panelSnps;
  let left = candidates;
  let panelIndex = 0;
  let block = 0;
  let blockSize = 0;
  let blockChrom = '';
  const blocks: number[] = [];
  for (let i = 0; i < rows; i++) {
    const k = kind[i]!;
    let line: string;
    if (k === KIND_DUP) {
      line = prev;
      counts.exactDuplicate!++;
    } else {
      const c = k === KIND_X ? 'X' : String(1 + Math.floor((i * 22) / autoLines));
      if (c !== chrom) {
        chrom = c;
        pos = 10_000;
      }
      let a1: string;
      let a2: string;
      let head: string;
      let id: string;
      if (k === KIND_CONFLICT) {
        head = prevHead;
        id = prevRs;
        a1 = '';
        a2 = '';
        counts.conflictingDuplicate!++;
      } else {
        pos += 1 + Math.floor(r() * 400);
        a1 = BASES[Math.floor(r() * 4)]!;
        a2 = BASES[(BASES.indexOf(a1) + 1 + Math.floor(r() * 3)) % 4]!;
        if (k === KIND_INDEL) {
          const extra = Array.from({ length: 1 + Math.floor(r() * 3) }, () => BASES[Math.floor(r() * 4)]).join('');
          if (r() < 0.5) a1 += extra;
          else a2 += extra;
          counts.indel!++;
        } else if (k === KIND_X) counts.x!++;
        else counts.snv!++;
        id = `rs${rs++}`;
        head = `${chrom}\t${pos}\t${a1}\t${a2}`;
      }
      const f = 0.01 + 0.98 * r();
      const n = 250_000 + Math.floor(r() * 50_000);
      const se = 1 / Math.sqrt(2 * f * (1 - f) * n);
      const beta = se * (gaussian() + (r() < 0.001 ? 6 : 0));
      const p = normalTwoSidedP(beta / se);
      const values = [beta.toPrecision(5), se.toPrecision(5), f.toFixed(4), p.toPrecision(4)];
      if (r() < 0.003) {
        values[Math.floor(r() * 4)] = 'NA';
        naValues++;
      }
      line = `${head}\t${values.join('\t')}\t${id}\t${n}\n`;
      prevHead = head;
      prevRs = id;
      if (k === KIND_SNV) {
        if (r() * left < needed) {
          // Panel SNP: same allele pair, A1/A2 in either order, its own frequency near the file's.
          if (blockSize === PANEL_BLOCK || c !== blockChrom) {
            if (blockSize > 0) blocks.push(blockSize);
            block++;
            blockSize = 0;
            blockChrom = c;
          }
          blockSize++;
          const swap = r() < 0.5;
          const pf = Math.min(0.999, Math.max(0.001, f + 0.01 * gaussian()));
          panelBatch.push(`${c}\t${id}\t${panelIndex++}\t0\t${pos}\t${swap ? a2 : a1}\t${swap ? a1 : a2}\t${(swap ? 1 - pf : pf).toFixed(4)}\t20000\t${block}\n`);
          needed--;
        }
        left--;
      }
    }
    prev = line;
    batch.push(line);
    if (batch.length === 20_000) {
      await write(gz, batch.join(''));
      batch = [];
    }
    if (panelBatch.length === 20_000) {
      await write(snpInfo, panelBatch.join(''));
      panelBatch = [];
    }
  }
  if (blockSize > 0) blocks.push(blockSize);
  await write(gz, batch.join(''));
  await write(snpInfo, panelBatch.join(''));
  gz.end();
  snpInfo.end();
  await Promise.all([once(out, 'finish'), once(snpInfo, 'finish')]);
  if (panelIndex !== panelSnps) throw new Error(`sumstats bench: panel has ${panelIndex} SNPs, expected ${panelSnps}`);

  // The rest of an LD folder for qcOnFiles: ldm.info and k = 1 eigen stubs (headers are all QC reads).
  const infoLines = ['Block\tChrom\tStartSnpIdx\tStartSnpID\tEndSnpIdx\tEndSnpID\tNumSnps'];
  const panel = readFileSync(join(tmp, 'ld', 'snp.info'), 'utf8').split('\n');
  let start = 0;
  for (let b = 0; b < blocks.length; b++) {
    const m = blocks[b]!;
    const first = panel[start + 1]!.split('\t');
    const last = panel[start + m]!.split('\t');
    infoLines.push([b + 1, first[0], start, first[1], start + m - 1, last[1], m].join('\t'));
    await writeEigenBlock(join(tmp, 'ld', eigenFileName(b + 1)), { m, k: 1, sumLambda: m, cutoff: 0.995, values: Float32Array.of(m), vectors: new Float32Array(m).fill(1 / Math.sqrt(m)) });
    start += m;
  }
  writeFileSync(join(tmp, 'ld', 'ldm.info'), `${infoLines.join('\n')}\n`);

  const { size: bytes } = await import('node:fs/promises').then((fs) => fs.stat(join(tmp, 'gwas.tsv.gz')));
  const manifest: DataManifest = { rows, panelSnps, bytes, kinds: counts, naValues, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  console.log(
    `sumstats: wrote ${rows.toLocaleString('en')} rows (${(bytes / MB).toFixed(0)} MB gzipped; ${JSON.stringify(counts)}, ${naValues} NA values) ` +
      `and a ${panelSnps.toLocaleString('en')}-SNP panel in ${blocks.length} blocks to ${dir} in ${manifest.seconds.toFixed(0)} s`,
  );
  return { ...files, bytes };
}

// ---------------------------------------------------------------------------------------------
// Children: each measures its own wall time, CPU time and peak RSS.

/** Peak resident set of this process so far (Linux VmHWM). */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? 1024 * Number(m[1]) : NaN;
}

const cpuNow = (): number => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

/** Every column converted (an aggregate over each), so projection pushdown skips none. */
export function duckdbSql(file: string): string {
  const columns = `{'chromosome': 'VARCHAR', 'base_pair_location': 'INTEGER', 'effect_allele': 'VARCHAR', 'other_allele': 'VARCHAR', 'beta': 'DOUBLE', 'standard_error': 'DOUBLE', 'effect_allele_frequency': 'DOUBLE', 'p_value': 'DOUBLE', 'rsid': 'VARCHAR', 'n': 'INTEGER'}`;
  return (
    `SELECT count(*), count(chromosome), sum(base_pair_location), count(effect_allele), count(other_allele), sum(beta), sum(standard_error), ` +
    `sum(effect_allele_frequency), sum(p_value), count(rsid), sum(n) ` +
    `FROM read_csv('${file.replaceAll("'", "''")}', delim = '\t', header = true, nullstr = 'NA', columns = ${columns})`
  );
}

async function duckdbChild(file: string, threads: number): Promise<Omit<ChildResult, 'startBytes' | 'peakBytes' | 'seconds' | 'cpuSeconds'>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await inst.connect();
  const reader = await conn.runAndReadAll(duckdbSql(file));
  const row = reader.getRows()[0]!;
  const check = await conn.runAndReadAll(`SELECT current_setting('threads')`);
  const used = Number(check.getRows()[0]![0]);
  conn.closeSync();
  inst.closeSync();
  return { mode: 'duckdb', threads: used, rows: Number(row[0]), detail: { sumBeta: Number(row[5]) } };
}

async function oursChild(file: string, ld: string): Promise<Omit<ChildResult, 'startBytes' | 'peakBytes' | 'seconds' | 'cpuSeconds'>> {
  const t0 = performance.now();
  const table = await readSumstats(file);
  const tRead = performance.now();
  const readPeak = peakRss();
  const panel = await readSnpInfo(join(ld, 'snp.info'));
  const tPanel = performance.now();
  // The panel match QC begins with: by ID, then the alleles oriented to the panel's A1.
  const index = new StringIndex();
  for (const id of panel.id) index.getOrAdd(id);
  const m = panel.id.length;
  const bAligned = new Float64Array(m).fill(NaN);
  const seAligned = new Float64Array(m).fill(NaN);
  const nAligned = new Float64Array(m).fill(NaN);
  const freqAligned = new Float64Array(m).fill(NaN);
  let matched = 0;
  let swapped = 0;
  let flipped = 0;
  let mismatch = 0;
  for (let i = 0; i < table.snp.length; i++) {
    const j = index.indexOf(table.snp[i]!);
    if (j < 0) continue;
    const o = orient(table.a1[i]!, table.a2[i]!, panel.a1[j]!, panel.a2[j]!);
    if (o === 'mismatch') {
      mismatch++;
      continue;
    }
    const sign = o === 'a1' || o === 'flip-a1' ? 1 : -1;
    if (o === 'a2' || o === 'flip-a2') swapped++;
    if (o === 'flip-a1' || o === 'flip-a2') flipped++;
    bAligned[j] = sign * table.b[i]!;
    seAligned[j] = table.se[i]!;
    nAligned[j] = table.n[i]!;
    freqAligned[j] = sign === 1 ? table.freq[i]! : 1 - table.freq[i]!;
    matched++;
  }
  const tMatch = performance.now();
  const byRule: Record<string, number> = {};
  for (const x of table.rejected) byRule[x.rule] = (byRule[x.rule] ?? 0) + 1;
  return {
    mode: 'ours',
    threads: 1,
    rows: table.dataRows,
    detail: {
      accepted: table.snp.length,
      rejected: table.rejected.length,
      duplicatesFolded: table.duplicates.reduce((s, d) => s + d.lines.length - 1, 0),
      ...Object.fromEntries(Object.entries(byRule).map(([k, v]) => [`rejected.${k}`, v])),
      panelSnps: m,
      matched,
      swapped,
      flipped,
      mismatch,
      readSeconds: (tRead - t0) / 1000,
      readPeakBytes: readPeak,
      panelReadSeconds: (tPanel - tRead) / 1000,
      matchSeconds: (tMatch - tPanel) / 1000,
    },
  };
}

async function qcChild(file: string, ld: string, out: string): Promise<Omit<ChildResult, 'startBytes' | 'peakBytes' | 'seconds' | 'cpuSeconds'>> {
  let report;
  let guardFailed = '';
  try {
    report = (await qcOnFiles({ sumstats: file, ld, out })).report;
  } catch (e) {
    // The report is written before a failed guard throws; the timing still stands.
    if ((e as Error).name !== 'GuardError') throw e;
    guardFailed = (e as Error).message.slice(0, 200);
    report = JSON.parse(readFileSync(`${out}.qc.json`, 'utf8')) as { status?: string };
  }
  return { mode: 'qc', threads: 1, rows: NaN, detail: { status: String((report as { status?: string }).status ?? '?'), ...(guardFailed ? { guardFailed } : {}) } };
}

async function child(mode: Mode, args: string[]): Promise<void> {
  const startBytes = peakRss();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let r;
  if (mode === 'duckdb') r = await duckdbChild(args[0]!, Number(args[1]));
  else if (mode === 'ours') r = await oursChild(args[0]!, args[1]!);
  else r = await qcChild(args[0]!, args[1]!, args[2]!);
  const seconds = (performance.now() - t0) / 1000;
  const out: ChildResult = { ...r, seconds, cpuSeconds: cpuNow() - cpu0, startBytes, peakBytes: peakRss() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent.

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

interface RunResult extends ChildResult {
  loadBefore: string;
  loadAfter: string;
  /** VmHWM polled from outside (also when the child dies, e.g. out of heap). */
  polledPeakBytes: number;
  nodeFlags: string[];
}

/** Runs one child; null (with its exit and the end of its stderr printed) when it fails. */
async function runChild(mode: Mode, args: string[], nodeFlags: string[] = [], script: string | null = null): Promise<RunResult | null> {
  const loadBefore = load();
  const entry = script === null ? ['--import', 'tsx', fileURLToPath(import.meta.url)] : [script];
  const proc = spawn(process.execPath, [...nodeFlags, ...entry, '--child', mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  proc.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
    process.stderr.write(s);
  });
  let polled = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) polled = Math.max(polled, 1024 * Number(m[1]));
    } catch {
      // exited between polls
    }
  }, 100);
  const [code, signal] = (await once(proc, 'exit')) as [number | null, NodeJS.Signals | null];
  clearInterval(poll);
  if (code !== 0) {
    const why = /heap out of memory|Allocation failed[^\n]*/i.exec(stderr)?.[0] ?? stderr.trim().split('\n').pop() ?? '';
    console.log(`  ${mode} child ${nodeFlags.join(' ')} failed (exit ${code ?? signal}) after a peak RSS of ${(polled / MB).toFixed(0)} MB: ${why}`);
    return null;
  }
  const res = JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
  return { ...res, loadBefore, loadAfter: load(), polledPeakBytes: polled, nodeFlags };
}

/** Ours at default heap first; if V8 runs out of heap, again with a larger one (and say so). */
async function runWithHeapRetry(mode: Mode, args: string[], nodeFlags: string[] = [], script: string | null = null): Promise<RunResult> {
  const first = await runChild(mode, args, nodeFlags, script);
  if (first) return first;
  const flags = [...nodeFlags, '--max-old-space-size=16384'];
  console.log(`  retrying ${mode} with ${flags.join(' ')}`);
  const second = await runChild(mode, args, flags, script);
  if (!second) throw new Error(`sumstats child ${mode} failed with ${flags.join(' ')} too`);
  return second;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  positionTicks?: { line: number; ticks: number }[];
}

/**
 * Self time by function, by file and by source line from a .cpuprofile. Profile the JavaScript
 * tsc emits, not tsx's: tsx's output puts a module on one line, so every function is "line 1".
 * V8 counts the ticks of an inlined callee at the callee's line numbers but under the caller's
 * script, so a line that makes no sense in its file (a blank one) is usually another file's line
 * (e.g. StringIndex.indexOf inlined into the reader).
 */
export function summariseProfile(path: string, top = 25): string[] {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const usPerTick = total / Math.max(1, prof.samples.length);
  const short = (url: string): string => url.replace(/^file:\/\//, '').replace(/^.*\/(bench|core|config|contracts)\//, '$1/') || '(native)';
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byLine = new Map<string, { ticks: number; url: string; line: number }>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const file = short(f.url);
    const key = `${f.functionName || '(anonymous)'} ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    for (const t of n.positionTicks ?? []) {
      const k = `${f.url}:${t.line}`;
      const e = byLine.get(k);
      if (e) e.ticks += t.ticks;
      else byLine.set(k, { ticks: t.ticks, url: f.url, line: t.line });
    }
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} % ${(us / 1e6).toFixed(2).padStart(6)} s`;
  const sources = new Map<string, string[]>();
  const sourceLine = (url: string, line: number): string => {
    if (!url.startsWith('file://')) return '';
    if (!sources.has(url)) {
      try {
        sources.set(url, readFileSync(fileURLToPath(url), 'utf8').split('\n'));
      } catch {
        sources.set(url, []);
      }
    }
    return (sources.get(url)![line - 1] ?? '').trim().slice(0, 110);
  };
  const lines = [`profile ${path}: ${(total / 1e6).toFixed(1)} s sampled on the main thread`, 'self time by function:'];
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('self time by file:');
  for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('self time by line (emitted JavaScript):');
  for (const e of [...byLine.values()].sort((a, b) => b.ticks - a.ticks).slice(0, top)) {
    lines.push(`  ${pct(e.ticks * usPerTick)}  ${short(e.url)}:${e.line}  ${sourceLine(e.url, e.line)}`);
  }
  return lines;
}

/** The repository as plain JavaScript (tsc, no type check), runnable by node without tsx. */
function emitJavaScript(out: string): string {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  // Type errors elsewhere in the tree do not stop the emit; only a missing output does.
  spawnSync(tsc, ['-p', root, '--noEmit', 'false', '--outDir', out], { stdio: 'ignore' });
  const script = join(out, 'bench', 'sumstatsBench.js');
  if (!existsSync(script)) throw new Error(`tsc emitted no ${script}`);
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  return script;
}

export async function sumstatsBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const rows = quick ? 1_000_000 : 10_000_000;
  const panelSnps = quick ? 110_000 : 1_100_000;
  const profile = process.argv.includes('--profile');
  const skipQc = process.argv.includes('--no-qc');
  const data = await sumstatsData(rows, panelSnps);
  console.log(`sumstats: ${cpus().length} cores; load average ${load()} (1/5/15 min) before the runs`);

  const mustRun = async (mode: Mode, args: string[]): Promise<RunResult> => {
    const r = await runChild(mode, args);
    if (!r) throw new Error(`sumstats child ${mode} failed`);
    return r;
  };
  const duck1 = await mustRun('duckdb', [data.sumstats, '1']);
  const duck2 = await mustRun('duckdb', [data.sumstats, '2']);
  const ours = await runWithHeapRetry('ours', [data.sumstats, data.ld]);
  const qc = skipQc ? null : await runWithHeapRetry('qc', [data.sumstats, data.ld, join(dir, 'qc-out')]);

  const all = [duck1, duck2, ours, ...(qc ? [qc] : [])];
  const label = (r: RunResult): string =>
    (r.mode === 'duckdb' ? `DuckDB read_csv, ${r.threads} thread${r.threads > 1 ? 's' : ''}` : r.mode === 'ours' ? 'readSumstats + panel match' : 'qcOnFiles (pgsflow qc)') +
    (r.nodeFlags.length > 0 ? ` (${r.nodeFlags.join(' ')})` : '');
  console.log(`\n${rows.toLocaleString('en')} rows, ${(data.bytes / MB).toFixed(0)} MB gzipped; panel ${panelSnps.toLocaleString('en')} SNPs`);
  console.log('| run | rows | wall (s) | rows/s | CPU (s) | ours / DuckDB 1 thread | ours / DuckDB 2 threads | CPU ours / DuckDB 1 thread | peak RSS (MB) | of which before (MB) | load before → after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of all) {
    const ratio = (d: ChildResult): string => (r.mode === 'duckdb' ? '—' : (r.seconds / d.seconds).toFixed(2));
    console.log(
      `| ${label(r)} | ${rows.toLocaleString('en')} | ${r.seconds.toFixed(2)} | ${Math.round(rows / r.seconds).toLocaleString('en')} | ${r.cpuSeconds.toFixed(1)} | ${ratio(duck1)} | ${ratio(duck2)} | ${r.mode === 'duckdb' ? '—' : (r.cpuSeconds / duck1.cpuSeconds).toFixed(1)} | ` +
        `${(r.peakBytes / MB).toFixed(0)} | ${(r.startBytes / MB).toFixed(0)} | ${r.loadBefore} → ${r.loadAfter} |`,
    );
  }
  for (const r of all) if (Number.isFinite(r.rows) && r.rows !== rows) console.log(`  warning: ${label(r)} saw ${r.rows} rows, expected ${rows}`);
  console.log(`\nours: ${JSON.stringify(ours.detail)}`);
  if (qc) console.log(`qc: ${JSON.stringify(qc.detail)}`);

  if (profile) {
    const profDir = join(dir, 'cpuprof');
    mkdirSync(profDir, { recursive: true });
    const script = emitJavaScript(join(dir, 'js'));
    const p = await runWithHeapRetry('ours', [data.sumstats, data.ld], ['--cpu-prof', `--cpu-prof-dir=${profDir}`], script);
    console.log(`\nprofiled run (tsc-emitted JavaScript, profiler on): ${p.seconds.toFixed(2)} s, ${p.cpuSeconds.toFixed(1)} s CPU; ${JSON.stringify(p.detail)}`);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) for (const l of summariseProfile(join(profDir, file))) console.log(l);
  }

  const goal = '≤ 2';
  return [
    { name: `read + panel match, ${rows.toLocaleString('en')}-row GWAS-SSF .tsv.gz vs ${panelSnps.toLocaleString('en')}-SNP panel`, ours: ours.seconds, peer: duck1.seconds, peerName: 'DuckDB read_csv (1 thread)', goal },
    { name: `read + panel match, ${rows.toLocaleString('en')} rows`, ours: ours.seconds, peer: duck2.seconds, peerName: 'DuckDB read_csv (2 threads)', goal: '—' },
    ...(qc ? [{ name: `qcOnFiles, ${rows.toLocaleString('en')} rows`, ours: qc.seconds, peer: duck1.seconds, peerName: 'DuckDB read_csv (1 thread)', goal: '—' }] : []),
  ];
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [mode, ...args] = process.argv.slice(childAt + 1);
  if (mode !== 'duckdb' && mode !== 'ours' && mode !== 'qc') throw new Error('usage: sumstatsBench.ts --child duckdb FILE THREADS | ours FILE LD | qc FILE LD OUT');
  await child(mode, args);
}
