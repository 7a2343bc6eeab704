// Ingest, phase 2: write one validated input into the store in one transaction. Keyed by
// (kind, dataset): the same content again is a no-op that says so; new content replaces the
// old dataset as a whole (delete + insert in the same transaction).
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { DuckDBAppender } from '@duckdb/node-api';
import { DOUBLE, LIST, listValue } from '@duckdb/node-api';
import type { Store, Tx } from '../store/store.js';
import { readDosageCohort } from '../genotypes/dosageCohort.js';
import { allHardCalls } from '../genotypes/hardCallDosages.js';
import type { ParsedBfile, ParsedDosage, ParsedInput } from './parseInputs.js';
import { type IngestReport, isGenotypeKind } from '../../contracts/ingest.js';
import type { FileHash } from '../../contracts/provenance.js';
import type { BimTable } from '../formats/types.js';
import { describeSumstatsColumns, rejectedByRule } from '../formats/sumstatsSummary.js';

/** Variants per genotype row: ~640 KB BLOBs at 10,000 samples, few rows per cohort. */
export const GENOTYPE_CHUNK_VARIANTS = 256;

/** Tables holding each kind's rows, and the column naming the dataset. */
const COHORT_TABLES: [table: string, column: string][] = [['cohorts', 'cohort'], ['samples', 'cohort'], ['variants', 'cohort'], ['genotypes', 'cohort']];
const DATASET_TABLES: Record<ParsedInput['kind'], [table: string, column: string][]> = {
  bfile: COHORT_TABLES,
  pfile: COHORT_TABLES,
  vcf: COHORT_TABLES,
  bgen: COHORT_TABLES,
  sumstats: [['gwas', 'gwas_set']],
  pheno: [['sample_values', 'dataset']],
  covar: [['sample_values', 'dataset']],
  annot: [['annotation_sets', 'annotation_set'], ['annotations', 'annotation_set']],
  blocks: [['ld_blocks', 'block_set']],
  ld: [['ld_panels', 'panel'], ['ld_panel_blocks', 'panel'], ['ld_panel_snps', 'panel']],
};

export async function writeDataset(store: Store, input: ParsedInput): Promise<IngestReport> {
  return store.transaction(async (tx) => {
    const prev = await tx.all<{ sha256: string; files_json: string }>(`SELECT sha256, files_json FROM ingests WHERE kind = $k AND dataset = $d`, { k: input.kind, d: input.dataset });
    const base = { kind: input.kind, dataset: input.dataset, sha256: input.sha256 };
    if (prev[0]?.sha256 === input.sha256) {
      const notes = [`already ingested with the same content (sha256 ${input.sha256.slice(0, 12)}…); nothing to do`];
      if (await relocate(tx, input, JSON.parse(prev[0].files_json) as FileHash[])) notes.push(`the recorded files were gone; the catalogue now points at ${input.files[0]?.path ?? '?'}${input.files.length > 1 ? ` (+${input.files.length - 1})` : ''}`);
      return { ...base, status: 'unchanged', rows: 0, notes };
    }
    for (const [table, column] of DATASET_TABLES[input.kind]) {
      const kindFilter = table === 'sample_values' ? ` AND kind = $k` : '';
      await tx.run(`DELETE FROM ${table} WHERE ${column} = $d${kindFilter}`, table === 'sample_values' ? { d: input.dataset, k: input.kind } : { d: input.dataset });
    }
    const { rows, notes, details } = await insertRows(tx, input);
    await tx.run(`DELETE FROM ingests WHERE kind = $k AND dataset = $d`, { k: input.kind, d: input.dataset });
    // One cohort per name, whatever format it came from: a cohort re-read from another format replaces it.
    if (isGenotypeKind(input.kind)) await tx.run(`DELETE FROM ingests WHERE kind IN ('bfile', 'pfile', 'vcf', 'bgen') AND dataset = $d`, { d: input.dataset });
    await tx.run(
      `INSERT INTO ingests VALUES ($d, $k, $sha, $files, $rows, $details, now())`,
      { d: input.dataset, k: input.kind, sha: input.sha256, files: JSON.stringify(input.files), rows, details: JSON.stringify(details) },
    );
    return { ...base, status: prev.length > 0 ? 'replaced' : 'ingested', rows, notes };
  });
}

/**
 * The same content found at other paths while the recorded ones are gone (e.g. an LD panel
 * rebuilt after its folder was deleted, under the same content-addressed name): point the
 * catalogue at the files that exist, so audit and verify read them. Returns whether it did.
 */
async function relocate(tx: Tx, input: ParsedInput, recorded: readonly FileHash[]): Promise<boolean> {
  const same = recorded.length === input.files.length && recorded.every((f, i) => f.path === input.files[i]!.path);
  if (same || recorded.every((f) => existsSync(f.path))) return false;
  await tx.run(`UPDATE ingests SET files_json = $files WHERE kind = $k AND dataset = $d`, { files: JSON.stringify(input.files), k: input.kind, d: input.dataset });
  if (input.kind === 'ld') {
    await tx.run(`UPDATE ld_panels SET dir = $dir WHERE panel = $d`, { dir: input.folder.dir, d: input.dataset });
    for (const [b, e] of input.eigen.entries()) {
      await tx.run(`UPDATE ld_panel_blocks SET eigen_path = $path WHERE panel = $d AND block = $b`, { path: e.file.path, d: input.dataset, b: b + 1 });
    }
  }
  return true;
}

interface Inserted {
  rows: number;
  notes: string[];
  details: Record<string, unknown>;
}

async function insertRows(tx: Tx, input: ParsedInput): Promise<Inserted> {
  switch (input.kind) {
    case 'bfile':
      return insertBfile(tx, input);
    case 'pfile':
    case 'vcf':
    case 'bgen':
      return insertDosage(tx, input);
    case 'sumstats': {
      const t = input.table;
      const a = await tx.appender('gwas');
      for (let i = 0; i < t.snp.length; i++) {
        a.appendVarchar(input.dataset);
        a.appendInteger(i);
        a.appendVarchar(t.snp[i]!);
        nullableVarchar(a, t.chrom?.[i]);
        if (t.pos) a.appendInteger(t.pos[i]!);
        else a.appendNull();
        a.appendVarchar(t.a1[i]!);
        a.appendVarchar(t.a2[i]!);
        nullableDouble(a, t.freq[i]!);
        a.appendDouble(t.b[i]!);
        a.appendDouble(t.se[i]!);
        a.appendDouble(t.p[i]!);
        nullableDouble(a, t.n[i]!);
        a.appendVarchar('file');
        a.endRow();
      }
      await tx.run(`DELETE FROM gwas_rejected WHERE gwas_set = $s`, { s: input.dataset });
      const r = await tx.appender('gwas_rejected');
      for (const x of t.rejected) {
        r.appendVarchar(input.dataset);
        r.appendInteger(x.line);
        r.appendVarchar(x.snp);
        r.appendVarchar(x.rule);
        r.appendVarchar(x.detail);
        r.endRow();
      }
      const notes = [`columns ${describeSumstatsColumns(t)}`, ...t.derived.map((d) => `derived: ${d}`)];
      if (t.duplicates.length > 0) notes.push(`${t.duplicates.length} duplicated SNP IDs with identical rows kept once (e.g. ${t.duplicates[0]!.snp})`);
      const byRule = rejectedByRule(t);
      if (t.rejected.length > 0) notes.push(`${t.rejected.length} rows set aside (QC counts them): ${Object.entries(byRule).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      return {
        rows: t.snp.length,
        notes,
        details: { dialect: t.dialect, columns: t.columns, derived: t.derived, zOnly: t.zOnly, freqFromPanel: t.freqFromPanel, dataRows: t.dataRows, duplicates: t.duplicates.length, rejected: byRule },
      };
    }
    case 'pheno':
    case 'covar': {
      const t = input.table;
      const a = await tx.appender('sample_values');
      let rows = 0;
      for (let i = 0; i < t.fid.length; i++) {
        for (const col of t.numeric) {
          a.appendVarchar(input.dataset);
          a.appendVarchar(input.kind);
          a.appendVarchar(t.fid[i]!);
          a.appendVarchar(t.iid[i]!);
          a.appendVarchar(col.name);
          nullableDouble(a, col.values[i]!);
          a.appendNull();
          a.endRow();
          rows++;
        }
        for (const col of t.text) {
          a.appendVarchar(input.dataset);
          a.appendVarchar(input.kind);
          a.appendVarchar(t.fid[i]!);
          a.appendVarchar(t.iid[i]!);
          a.appendVarchar(col.name);
          a.appendNull();
          a.appendVarchar(col.values[i]!); // '' = missing; non-NULL text marks a text column
          a.endRow();
          rows++;
        }
      }
      return {
        rows,
        notes: [],
        details: { samples: t.fid.length, numeric: t.numeric.map((c) => c.name), text: t.text.map((c) => c.name) },
      };
    }
    case 'annot': {
      const t = input.table;
      await tx.run(`INSERT INTO annotation_sets VALUES ($d, $names, $binary)`, {
        d: input.dataset,
        names: JSON.stringify(t.names),
        binary: JSON.stringify(t.binary),
      });
      const a = await tx.appender('annotations');
      const type = LIST(DOUBLE);
      const row: number[] = new Array(t.names.length);
      for (let j = 0; j < t.snp.length; j++) {
        for (let c = 0; c < t.names.length; c++) row[c] = t.columns[c]![j]!;
        a.appendVarchar(input.dataset);
        a.appendInteger(j);
        a.appendVarchar(t.snp[j]!);
        a.appendList(listValue(row), type);
        a.endRow();
      }
      return { rows: t.snp.length, notes: [], details: { annotations: t.names, binary: t.binary } };
    }
    case 'blocks': {
      const t = input.table;
      const a = await tx.appender('ld_blocks');
      for (let i = 0; i < t.block.length; i++) {
        a.appendVarchar(input.dataset);
        a.appendInteger(i);
        a.appendVarchar(t.block[i]!);
        a.appendVarchar(t.chrom[i]!);
        a.appendInteger(t.start[i]!);
        a.appendInteger(t.end[i]!);
        a.endRow();
      }
      return { rows: t.block.length, notes: [], details: { blocks: t.block.length } };
    }
    case 'ld': {
      const { folder, eigen } = input;
      const s = folder.snps;
      await tx.run(`INSERT INTO ld_panels VALUES ($d, $dir, $n, $b)`, { d: input.dataset, dir: folder.dir, n: s.id.length, b: eigen.length });
      const blocks = await tx.appender('ld_panel_blocks');
      eigen.forEach((e, b) => {
        blocks.appendVarchar(input.dataset);
        blocks.appendInteger(b + 1);
        blocks.appendVarchar(folder.info.chrom[b]!);
        blocks.appendInteger(folder.info.startIdx[b]!);
        blocks.appendInteger(folder.info.endIdx[b]!);
        blocks.appendInteger(e.m);
        blocks.appendInteger(e.k);
        blocks.appendDouble(e.sumLambda);
        blocks.appendDouble(e.cutoff);
        blocks.appendVarchar(e.file.path);
        blocks.appendBigInt(BigInt(e.file.bytes));
        blocks.appendVarchar(e.file.sha256);
        blocks.endRow();
      });
      const snps = await tx.appender('ld_panel_snps');
      for (let i = 0; i < s.id.length; i++) {
        snps.appendVarchar(input.dataset);
        snps.appendInteger(s.index[i]!);
        snps.appendVarchar(s.chrom[i]!);
        snps.appendVarchar(s.id[i]!);
        nullableDouble(snps, s.genPos[i]!);
        snps.appendInteger(s.physPos[i]!);
        snps.appendVarchar(s.a1[i]!);
        snps.appendVarchar(s.a2[i]!);
        snps.appendDouble(s.a1Freq[i]!);
        nullableDouble(snps, s.n[i]!);
        snps.appendInteger(s.block[i]!);
        snps.endRow();
      }
      return { rows: s.id.length, notes: [], details: { snps: s.id.length, blocks: eigen.length } };
    }
  }
}

async function insertBfile(tx: Tx, input: ParsedBfile): Promise<Inserted> {
  const fam = input.fam;
  const n = fam.iid.length;
  const bpv = input.bytesPerVariant;
  await tx.run(`INSERT INTO cohorts (cohort, ancestry, n_samples, n_variants, bytes_per_variant, genotype_kind, source_format, hard_calls_only) VALUES ($c, $a, $n, $m, $bpv, 'hardcall', 'bed', true)`, {
    c: input.dataset,
    a: input.ancestry,
    n,
    m: input.nVariants,
    bpv,
  });
  const samples = await tx.appender('samples');
  for (let i = 0; i < n; i++) {
    samples.appendVarchar(input.dataset);
    samples.appendInteger(i);
    samples.appendVarchar(fam.fid[i]!);
    samples.appendVarchar(fam.iid[i]!);
    samples.appendVarchar(fam.father[i]!);
    samples.appendVarchar(fam.mother[i]!);
    samples.appendTinyInt(fam.sex[i]!);
    samples.endRow();
  }
  const variants = await tx.appender('variants');
  const geno = await tx.appender('genotypes');
  const bim = input.bim;
  let chunk = 0;
  for (const fs of input.filesets) {
    const idx = fs.first;
    appendVariants(variants, input.dataset, bim, idx, idx + fs.count, 0);
    // Copy the .bed body in chunks of whole variants (byte order unchanged).
    const fh = await open(fs.paths.bed, 'r');
    try {
      const buf = new Uint8Array(GENOTYPE_CHUNK_VARIANTS * bpv);
      for (let first = 0; first < fs.count; first += GENOTYPE_CHUNK_VARIANTS) {
        const count = Math.min(GENOTYPE_CHUNK_VARIANTS, fs.count - first);
        const len = count * bpv;
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh.read(buf, got, len - got, 3 + first * bpv + got);
          if (bytesRead === 0) throw new Error(`${fs.paths.bed}: file shrank while being read`);
          got += bytesRead;
        }
        geno.appendVarchar(input.dataset);
        geno.appendInteger(chunk++);
        geno.appendInteger(idx + first);
        geno.appendInteger(count);
        geno.appendBlob(buf.slice(0, len));
        geno.endRow();
      }
    } finally {
      await fh.close();
    }
  }
  return {
    rows: input.nVariants,
    notes: [],
    details: { ancestry: input.ancestry, samples: n, variants: input.nVariants, filesets: input.filesets.length },
  };
}

/**
 * A dosage cohort: its files streamed chunk by chunk into `variants` and `genotypes` (uint16
 * little-endian dosages per sample); a structural error mid-file throws and the transaction rolls
 * back, so the store is unchanged. Skipped records (multi-allelic, …) are counted in the notes.
 */
async function insertDosage(tx: Tx, input: ParsedDosage): Promise<Inserted> {
  const { samples } = input.cohort;
  const n = samples.iid.length;
  const sampleRows = await tx.appender('samples');
  for (let i = 0; i < n; i++) {
    sampleRows.appendVarchar(input.dataset);
    sampleRows.appendInteger(i);
    sampleRows.appendVarchar(samples.fid[i]!);
    sampleRows.appendVarchar(samples.iid[i]!);
    sampleRows.appendVarchar('0');
    sampleRows.appendVarchar('0');
    sampleRows.appendTinyInt(0);
    sampleRows.endRow();
  }
  const variants = await tx.appender('variants');
  const geno = await tx.appender('genotypes');
  let chunk = 0;
  let hardCallsOnly = true;
  const summary = await readDosageCohort(input.cohort, GENOTYPE_CHUNK_VARIANTS, (c) => {
    const bim = c.variants;
    appendVariants(variants, input.dataset, bim, 0, bim.id.length, c.firstVariant);
    if (bim.id.length === 0) return;
    if (hardCallsOnly) hardCallsOnly = allHardCalls(c.dosage, bim.id.length * n);
    geno.appendVarchar(input.dataset);
    geno.appendInteger(chunk++);
    geno.appendInteger(c.firstVariant);
    geno.appendInteger(bim.id.length);
    geno.appendBlob(new Uint8Array(c.dosage.buffer, c.dosage.byteOffset, bim.id.length * n * 2).slice());
    geno.endRow();
  });
  await tx.run(
    `INSERT INTO cohorts (cohort, ancestry, n_samples, n_variants, bytes_per_variant, genotype_kind, source_format, hard_calls_only) VALUES ($c, $a, $n, $m, $bpv, 'dosage', $f, $h)`,
    { c: input.dataset, a: input.ancestry, n, m: summary.variants, bpv: 2 * n, f: input.cohort.format, h: hardCallsOnly },
  );
  const notes = summary.skipped.map((k) => `${k.count} record(s) set aside: ${k.reason}${k.examples.length > 0 ? ` (e.g. ${k.examples.join(', ')})` : ''}`);
  return {
    rows: summary.variants,
    notes,
    details: { ancestry: input.ancestry, samples: n, variants: summary.variants, format: input.cohort.format, hardCallsOnly, files: input.cohort.files.length, idsHaveFid: samples.hasFid, skipped: summary.skipped },
  };
}

/** `variants` rows for bim rows [from, to), numbered from `from + base`. */
function appendVariants(a: DuckDBAppender, dataset: string, bim: BimTable, from: number, to: number, base: number): void {
  for (let v = from; v < to; v++) {
    a.appendVarchar(dataset);
    a.appendInteger(base + v);
    a.appendVarchar(bim.chrom[v]!);
    a.appendInteger(bim.pos[v]!);
    a.appendVarchar(bim.id[v]!);
    a.appendDouble(bim.cm[v]!);
    a.appendVarchar(bim.a1[v]!);
    a.appendVarchar(bim.a2[v]!);
    a.endRow();
  }
}

function nullableDouble(a: DuckDBAppender, x: number): void {
  if (Number.isNaN(x)) a.appendNull();
  else a.appendDouble(x);
}

function nullableVarchar(a: DuckDBAppender, x: string | undefined): void {
  if (x === undefined) a.appendNull();
  else a.appendVarchar(x);
}
