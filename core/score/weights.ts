// Weight files for scoring: SBayesRC `.txt` (SNP A1 BETA …), GCTB `.snpRes`, PLINK-style
// tables (SNP A1 [A2] weight…, any number of weight columns) and PGS Catalog scoring files
// (`#` metadata lines, then rsID … effect_allele other_allele effect_weight). Several files may
// be given; each weight column becomes one score, named by its header (or the PGS ID).
import { basename } from 'node:path';
import { BadInputError } from '../errors.js';
import { type ColumnSpec, StringIndex, findColumns, ownString, parseNumber, quoteValue, scanLines, toNumber } from '../formats/text.js';

export type WeightFormat = 'sbayesrc' | 'gctb' | 'pgs-catalog' | 'table';

export interface WeightFile {
  path: string;
  format: WeightFormat;
  /** One name per weight column, as the file calls it. */
  columns: string[];
  /** Header columns read as neither ID, allele nor weight. */
  ignoredColumns: string[];
  id: string[];
  /** Upper-cased. */
  effectAllele: string[];
  /** Upper-cased; null when the file has no other-allele column ('' on rows that leave it empty). */
  otherAllele: string[] | null;
  /** 1-based source line of each row, for reports. */
  line: Int32Array;
  /** rows × columns.length, row-major. */
  weights: Float64Array;
}

export interface WeightSet {
  files: WeightFile[];
  /** Score names over all files, unique: the column name, or `<file stem>` / `<stem>_<column>` where names collide. */
  names: string[];
  /** Index of each file's first column among `names`. */
  firstColumn: number[];
}

const ID_ALIASES = ['SNP', 'ID', 'rsid', 'variant_id', 'MarkerName', 'SNPID', 'Name'] as const;
const A1_ALIASES = ['A1', 'effect_allele', 'EA', 'ALT', 'allele'] as const;
const A2_ALIASES = ['A2', 'other_allele', 'OA', 'REF'] as const;

/** PGS Catalog columns that mean a non-additive or genotype-specific weight, which a linear score cannot apply. */
const PGS_FLAGS = ['is_haplotype', 'is_diplotype', 'is_interaction', 'is_dominant', 'is_recessive'] as const;
const PGS_GENOTYPE_WEIGHTS = ['dosage_0_weight', 'dosage_1_weight', 'dosage_2_weight'] as const;

interface Layout {
  format: WeightFormat;
  id: number;
  a1: number;
  a2: number;
  weightColumns: number[];
  names: string[];
  flags: number[];
}

interface Preamble {
  /** Lines before the header (metadata). */
  skip: number;
  headerLine: number;
  header: string[];
  split: 'tab' | 'whitespace';
  metadata: Map<string, string>;
  /** The first data row, to tell weight columns from text ones. */
  firstRow: string[] | null;
}

class StopScan extends Error {}

/** `##…`, `###…` and `#key=value` lines before the header are metadata (PGS Catalog style). */
function isMetadata(line: string): boolean {
  return line.startsWith('##') || (line.startsWith('#') && line.includes('='));
}

async function readPreamble(path: string): Promise<Preamble> {
  const metadata = new Map<string, string>();
  let p: Preamble | undefined;
  let lines = 0;
  try {
    // Tab splitting keeps a space-separated line whole, which tells the two layouts apart.
    await scanLines(path, 'tab', (fields, line) => {
      lines++;
      if (p === undefined) {
        const text = fields.join('\t');
        if (isMetadata(text)) {
          const eq = text.indexOf('=');
          if (eq > 0) metadata.set(text.slice(1, eq).replace(/^#+/, '').trim().toLowerCase(), text.slice(eq + 1).trim());
          return;
        }
        const stripped = text.replace(/^#/, '');
        const split = fields.length > 1 ? 'tab' : 'whitespace';
        const header = split === 'tab' ? stripped.split('\t') : stripped.trim().split(/[ \t]+/);
        p = { skip: lines - 1, headerLine: line, header, split, metadata, firstRow: null };
        return;
      }
      const text = fields.join('\t');
      p.firstRow = p.split === 'tab' ? text.split('\t') : text.trim().split(/[ \t]+/);
      throw new StopScan();
    });
  } catch (e) {
    if (!(e instanceof StopScan)) throw e;
  }
  if (p === undefined) throw new BadInputError(path, lines === 0 ? 'empty file' : 'only metadata lines, no header');
  if (p.firstRow === null) throw new BadInputError(path, 'a header but no data rows', p.headerLine);
  return p;
}

const spec = (name: string, aliases: readonly string[], optional = false): ColumnSpec => ({ name, aliases, optional });
const has = (lower: string[], name: string): boolean => lower.includes(name.toLowerCase());

function layoutOf(path: string, p: Preamble): Layout {
  const { header } = p;
  const lower = header.map((h) => h.toLowerCase());
  const line = p.headerLine;
  header.forEach((h, i) => {
    if (h === '') throw new BadInputError(path, 'empty column name in the header', line, i + 1);
  });
  if (has(lower, 'effect_weight')) {
    for (const g of PGS_GENOTYPE_WEIGHTS) {
      if (has(lower, g)) {
        throw new BadInputError(path, `column '${g}': genotype-specific weights cannot be applied as a linear score`, line, lower.indexOf(g) + 1);
      }
    }
    const cols = findColumns(path, header, {
      id: spec('rsID', [], true),
      a1: spec('effect_allele', []),
      a2: spec('other_allele', [], true),
      weight: spec('effect_weight', []),
    });
    // A harmonised file's hm_rsID is the one that matches the target build.
    const hm = lower.indexOf('hm_rsid');
    const id = hm >= 0 ? hm : cols.id;
    if (id < 0) {
      throw new BadInputError(path, 'PGS Catalog file without an rsID or hm_rsID column: scoring matches variants by ID (use the harmonised file)', line);
    }
    const pgsId = p.metadata.get('pgs_id') ?? p.metadata.get('pgs_name');
    const flags = PGS_FLAGS.map((f) => lower.indexOf(f)).filter((i) => i >= 0);
    return { format: 'pgs-catalog', id, a1: cols.a1, a2: cols.a2, weightColumns: [cols.weight], names: [pgsId ?? stem(path)], flags };
  }
  if (has(lower, 'a1effect') && has(lower, 'name')) {
    const cols = findColumns(path, header, { id: spec('Name', []), a1: spec('A1', []), a2: spec('A2', [], true), weight: spec('A1Effect', []) });
    return { format: 'gctb', id: cols.id, a1: cols.a1, a2: cols.a2, weightColumns: [cols.weight], names: [header[cols.weight]!], flags: [] };
  }
  if (has(lower, 'beta') && (has(lower, 'pip') || has(lower, 'betalast') || has(lower, 'se'))) {
    const cols = findColumns(path, header, { id: spec('SNP', ID_ALIASES.slice(1)), a1: spec('A1', A1_ALIASES.slice(1)), a2: spec('A2', A2_ALIASES.slice(1), true), weight: spec('BETA', []) });
    return { format: 'sbayesrc', id: cols.id, a1: cols.a1, a2: cols.a2, weightColumns: [cols.weight], names: [header[cols.weight]!], flags: [] };
  }
  const cols = findColumns(path, header, { id: spec('SNP', ID_ALIASES.slice(1)), a1: spec('A1', A1_ALIASES.slice(1)), a2: spec('A2', A2_ALIASES.slice(1), true) });
  const last = Math.max(cols.id, cols.a1, cols.a2);
  const weightColumns: number[] = [];
  for (let c = last + 1; c < header.length; c++) {
    const v = p.firstRow![c] ?? '';
    if (toNumber(v) === toNumber(v)) weightColumns.push(c);
  }
  if (weightColumns.length === 0) {
    const after = header.slice(last + 1);
    throw new BadInputError(
      path,
      after.length === 0
        ? `no weight column: expected numeric columns after '${header[last]}' (SNP A1 [A2] weight…)`
        : `no weight column: none of ${after.map((h) => `'${h}'`).join(', ')} holds a number on the first data row`,
      line,
    );
  }
  return { format: 'table', id: cols.id, a1: cols.a1, a2: cols.a2, weightColumns, names: weightColumns.map((c) => header[c]!), flags: [] };
}

/** File name without directory, compression and one extension: `fold3.txt.gz` → `fold3`. */
export function stem(path: string): string {
  const name = basename(path).replace(/\.(gz|bgz|zst)$/i, '');
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

const TRUE_FLAGS = new Set(['true', 't', '1', 'yes', 'y']);

export async function readWeightFile(path: string): Promise<WeightFile> {
  const pre = await readPreamble(path);
  const layout = layoutOf(path, pre);
  const { header } = pre;
  const width = header.length;
  const nw = layout.weightColumns.length;
  const id: string[] = [];
  const effectAllele: string[] = [];
  const otherAllele: string[] | null = layout.a2 >= 0 ? [] : null;
  const lines: number[] = [];
  let weights = new Float64Array(1024 * nw);
  const index = new StringIndex();
  // Per distinct ID its latest row, and per row the previous row with its ID: repeated IDs are
  // legal for different alleles (PLINK scores both), not for the same one.
  const latestRowOf: number[] = [];
  const sameIdBefore: number[] = [];
  let row = 0;
  let seen = 0;

  await scanLines(path, pre.split, (f, line) => {
    if (seen++ <= pre.skip) return; // metadata and the header
    if (f.length !== width) {
      throw new BadInputError(path, `expected ${width} fields as in the header, found ${f.length}`, line, Math.min(f.length, width) + 1);
    }
    const snp = f[layout.id]!;
    const ea = f[layout.a1]!.toUpperCase();
    if (snp === '') throw new BadInputError(path, `empty variant ID in column '${header[layout.id]}'`, line, layout.id + 1);
    if (ea === '') throw new BadInputError(path, `empty effect allele in column '${header[layout.a1]}'`, line, layout.a1 + 1);
    for (const c of layout.flags) {
      if (TRUE_FLAGS.has(f[c]!.toLowerCase())) {
        throw new BadInputError(path, `column '${header[c]}' is ${quoteValue(f[c]!)}: only additive weights can be applied as a linear score`, line, c + 1);
      }
    }
    if (weights.length < (row + 1) * nw) {
      const grown = new Float64Array(weights.length * 2);
      grown.set(weights);
      weights = grown;
    }
    for (let k = 0; k < nw; k++) {
      const c = layout.weightColumns[k]!;
      weights[row * nw + k] = parseNumber(path, f[c]!, header[c]!, line, c + 1);
    }
    const prior = index.getOrAdd(snp);
    let before = -1;
    if (prior >= 0) {
      for (let r = latestRowOf[prior]!; r >= 0; r = sameIdBefore[r]!) {
        if (effectAllele[r] === ea) {
          throw new BadInputError(path, `variant '${snp}' with effect allele '${ea}' appears twice (lines ${lines[r]} and ${line})`, line, layout.a1 + 1);
        }
      }
      before = latestRowOf[prior]!;
      latestRowOf[prior] = row;
    } else latestRowOf.push(row);
    sameIdBefore.push(before);
    id.push(ownString(snp));
    effectAllele.push(ownString(ea));
    otherAllele?.push(ownString(f[layout.a2]!.toUpperCase()));
    lines.push(line);
    row++;
  });
  if (row === 0) throw new BadInputError(path, 'a header but no data rows', pre.headerLine);
  return {
    path,
    format: layout.format,
    columns: layout.names,
    ignoredColumns: header.filter((_, c) => c !== layout.id && c !== layout.a1 && c !== layout.a2 && !layout.weightColumns.includes(c)),
    id,
    effectAllele,
    otherAllele,
    line: Int32Array.from(lines),
    weights: weights.slice(0, row * nw),
  };
}

/** Unique score names: collisions across files become `<stem>` (one-column files) or `<stem>_<column>`. */
export function scoreNames(files: readonly Pick<WeightFile, 'path' | 'columns'>[]): string[] {
  const count = new Map<string, number>();
  for (const f of files) for (const c of f.columns) count.set(c, (count.get(c) ?? 0) + 1);
  const owner = new Map<string, string>();
  const names: string[] = [];
  for (const f of files) {
    for (const c of f.columns) {
      const name = count.get(c)! > 1 ? (f.columns.length === 1 ? stem(f.path) : `${stem(f.path)}_${c}`) : c;
      const other = owner.get(name);
      if (other !== undefined) {
        throw new BadInputError(f.path, `score name '${name}' is also that of a score in ${other}: rename a file or column`);
      }
      owner.set(name, f.path);
      names.push(name);
    }
  }
  return names;
}

export async function readWeights(paths: readonly string[]): Promise<WeightSet> {
  if (paths.length === 0) throw new Error('readWeights: no files');
  const files: WeightFile[] = [];
  for (const p of paths) files.push(await readWeightFile(p));
  const firstColumn: number[] = [];
  let at = 0;
  for (const f of files) {
    firstColumn.push(at);
    at += f.columns.length;
  }
  return { files, names: scoreNames(files), firstColumn };
}
