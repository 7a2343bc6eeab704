// Exports of one run for other tools: per fit scope the weights as a PGS Catalog scoring file
// (with its header block) and as an SBayesRC .txt; for a cross-ancestry run the SBayesRC-multi
// combination as one more scoring file (weights/combined.pgs.txt, per-allele weights over the
// union of the ancestries' variants, core/multiAncestry/combinedWeights.ts) whose score is the
// stored combined score; per-sample scores as TSV; metrics as TSV and JSON. Text builders are
// pure; `gatherExports` reads the store, `writeExports` writes files atomically (temp name + rename).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import type { Store } from '../store/store.js';
import type { CombinedScoreModel, MetricRow } from '../../contracts/evaluation.js';
import { type AlleleWeight, type CombinedWeights, combineFitWeights } from '../multiAncestry/combinedWeights.js';
import { rawScoreScale } from '../multiAncestry/combinedScore.js';
import type { WrittenFile } from '../../contracts/audit.js';
import type { RunHeader } from '../../contracts/runRecords.js';
import { phenotypeOf, requireRunHeader, runDatasets } from '../runRecords/reportData.js';
import { readMetrics } from '../runRecords/runTables.js';

export interface WeightRow {
  snp: string;
  chrom: string | null;
  pos: number | null;
  a1: string;
  /** The panel allele that is not A1 (null when the SNP is not in the run's LD panels). */
  a2: string | null;
  beta: number;
  se: number;
  pip: number;
  /** Last MCMC draw, from the fit's artifact PREFIX.txt when it is still there. */
  betaLast: number | null;
}

export interface FitWeights {
  scope: string;
  method: string;
  rows: WeightRow[];
}

export interface ScoreRow {
  cohort: string;
  fid: string;
  iid: string;
  scoreName: string;
  score: number;
  alleleCt: number;
}

/** The SBayesRC-multi combination of a cross-ancestry run, as its scoring file shows it. */
export interface CombinedExport {
  model: CombinedScoreModel;
  /** Fit scope of each ancestry (model order). */
  scopes: string[];
  tuning: number | null;
  test: number | null;
  weights: CombinedWeights;
}

export interface ExportData {
  run: RunHeader;
  trait: string;
  fits: FitWeights[];
  scores: ScoreRow[];
  metrics: MetricRow[];
  /** Cross-ancestry runs whose combination step recorded its model. */
  combined?: CombinedExport;
}

export interface ScoringHeader {
  name: string;
  trait: string;
  genomeBuild: string;
  weightType?: string;
  /** Extra `#key=value` lines after the PGS block, under a `##title` line. */
  notes?: { title: string; lines: [string, string][] };
}

/** File name of the combined scoring file under the exports folder. */
export const COMBINED_WEIGHTS_FILE = 'weights/combined.pgs.txt';

/** Header values are one line each: no line breaks or tabs from user-supplied names. */
const headerValue = (s: string): string => s.replace(/[\r\n\t]+/g, ' ').trim();
/** Full precision (round-trips the stored double). */
const numText = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'NA' : String(x));

/** PGS Catalog scoring file, format 2.0 (https://www.pgscatalog.org/downloads/#dl_ftp_scoring). */
export function pgsCatalogScoringText(header: ScoringHeader, rows: readonly AlleleWeight[]): string {
  const lines = [
    '###PGS CATALOG SCORING FILE - see https://www.pgscatalog.org/downloads/#dl_ftp_scoring for additional information',
    '#format_version=2.0',
    '##POLYGENIC SCORE (PGS) INFORMATION',
    `#pgs_name=${headerValue(header.name)}`,
    `#trait_reported=${headerValue(header.trait)}`,
    `#genome_build=${headerValue(header.genomeBuild)}`,
    `#weight_type=${headerValue(header.weightType ?? 'beta')}`,
    `#variants_number=${rows.length}`,
    ...(header.notes ? [`##${headerValue(header.notes.title)}`, ...header.notes.lines.map(([k, v]) => `#${headerValue(k).replace(/=/g, '_')}=${headerValue(v)}`)] : []),
    'rsID\tchr_name\tchr_position\teffect_allele\tother_allele\teffect_weight',
  ];
  for (const r of rows) lines.push(`${r.snp}\t${r.chrom ?? ''}\t${r.pos ?? ''}\t${r.a1}\t${r.a2 ?? ''}\t${numText(r.beta)}`);
  return `${lines.join('\n')}\n`;
}

/** Header notes of the combined scoring file: how it is built, the mixing model and the alignment counts per ancestry. */
export function combinedScoringNotes(c: CombinedExport): NonNullable<ScoringHeader['notes']> {
  const m = c.model;
  const count = (x: number | null): string => (x === null ? 'NA' : String(x));
  const lines: [string, string][] = [
    [
      'combination',
      'effect_weight = sum over training ancestries a of w_a * beta_a / sd_a (w_a the mixing weight of the standardised score, sd_a its tuning SD); beta_a from fit a, aligned to effect_allele (sign flipped where fit a\'s effect allele is other_allele), 0 where fit a lacks the variant or its alleles match neither way',
    ],
    ['combination_alleles', `effect_allele and other_allele are the target cohort '${m.cohort}' genotypes' A1 and A2 where it has the variant (fits aligned as the study's scoring matched them), else those of the first fit that has it`],
    [
      'combination_score',
      `the score sum of the target cohort with these weights is the run's stored '${m.scoreName}' score, sum_a w_a * (score_a - a2_offset_a) / sd_a; minus combination_offset it is the tuning-centred score sum_a w_a * (score_a - tuning_mean_a) / sd_a the test metrics use`,
    ],
    ['combination_offset', numText(m.offset)],
    [
      'combination_weighting',
      m.weighting === 'summary'
        ? 'summary: w_a learnt from the target GWAS alone (in-silico training/validation split, pseudo-validation R2 maximised); tuning samples fix only the means and SDs'
        : m.weighting === 'fixed'
          ? 'fixed: w_a as given in the study file'
          : 'tuning: w_a by least squares on the target tuning samples (with covariates)',
    ],
    ['combination_target', m.cohort],
    ['combination_ancestries', m.ancestries.join(',')],
    ['combination_union_variants', String(c.weights.rows.length)],
    ['combination_tuning_samples', count(c.tuning)],
    ['combination_test_samples', count(c.test)],
  ];
  m.ancestries.forEach((a, k) => {
    const n = c.weights.counts[k]!;
    lines.push(
      [`combination_${a}_fit`, c.scopes[k]!],
      [`combination_${a}_weight`, numText(m.weights[k] ?? null)],
      [`combination_${a}_tuning_mean`, numText(m.mean[k]!)],
      [`combination_${a}_tuning_sd`, numText(m.sd[k]!)],
      [`combination_${a}_a2_offset`, numText(m.a2Offset[k]!)],
      [`combination_${a}_variants`, String(n.variants)],
      [`combination_${a}_flipped`, String(n.flipped)],
      [`combination_${a}_strand_flipped`, String(n.strandFlipped)],
      [`combination_${a}_mismatched`, String(n.mismatched)],
      [`combination_${a}_missing`, String(n.missing)],
    );
  });
  return { title: `PGSFLOW ${m.scoreName.toUpperCase()} COMBINATION`, lines };
}

/** SBayesRC / GCTB effects file: SNP A1 BETA SE PIP BETAlast (BETAlast NA when not kept). */
export function sbayesrcEffectsText(rows: readonly WeightRow[]): string {
  const lines = ['SNP\tA1\tBETA\tSE\tPIP\tBETAlast'];
  for (const r of rows) lines.push(`${r.snp}\t${r.a1}\t${numText(r.beta)}\t${numText(r.se)}\t${numText(r.pip)}\t${numText(r.betaLast)}`);
  return `${lines.join('\n')}\n`;
}

/** Tab-separated field: tabs and line breaks inside a value would break the table. */
const field = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

export function scoresTsv(rows: readonly ScoreRow[]): string {
  const lines = ['cohort\tFID\tIID\tscore_name\tscore\tallele_ct'];
  for (const r of rows) lines.push(`${field(r.cohort)}\t${field(r.fid)}\t${field(r.iid)}\t${field(r.scoreName)}\t${numText(r.score)}\t${r.alleleCt}`);
  return `${lines.join('\n')}\n`;
}

export function metricsTsv(runId: string, rows: readonly MetricRow[]): string {
  const lines = ['run_id\tscope\tmethod\tmetric\tvalue\tse\tn'];
  for (const m of rows) lines.push(`${field(runId)}\t${field(m.scope)}\t${field(m.method)}\t${field(m.metric)}\t${numText(m.value)}\t${numText(m.se)}\t${m.n}`);
  return `${lines.join('\n')}\n`;
}

export function metricsJson(run: RunHeader, rows: readonly MetricRow[]): string {
  return `${JSON.stringify(
    {
      runId: run.runId,
      name: run.name,
      design: run.design,
      status: run.status,
      studySha256: run.studySha256,
      codeVersion: run.codeVersion,
      metrics: rows,
    },
    null,
    2,
  )}\n`;
}

/** A scope as a file-name part: 'fold-3/SBayesRC' → 'fold-3_SBayesRC'. */
export const scopeFileName = (scope: string): string => scope.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');

interface PanelSnp {
  chrom: string;
  pos: number;
  a1: string;
  a2: string;
}

/** The run's LD panels by ancestry (built ones from `buildLdPanel` steps, given folders from ingests). */
async function runPanels(store: Store, runId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const built = await store.all<{ scope: string; output_json: string | null }>(`SELECT scope, output_json FROM steps WHERE run_id = $r AND step = 'buildLdPanel'`, { r: runId });
  for (const b of built) {
    try {
      const o = JSON.parse(b.output_json ?? 'null') as { name?: unknown } | null;
      if (typeof o?.name === 'string') out.set(b.scope, o.name);
    } catch {
      // no panel name recorded
    }
  }
  for (const name of (await runDatasets(store, runId)).get('ld') ?? []) {
    const m = /^ld_(.+)_[0-9a-f]{12}$/.exec(name);
    if (m && !out.has(m[1]!)) out.set(m[1]!, name);
  }
  return out;
}

async function panelSnps(store: Store, panel: string): Promise<Map<string, PanelSnp>> {
  const rows = await store.all<{ id: string; chrom: string; phys_pos: number; a1: string; a2: string }>(`SELECT id, chrom, phys_pos, a1, a2 FROM ld_panel_snps WHERE panel = $p`, { p: panel });
  return new Map(rows.map((r) => [r.id, { chrom: r.chrom, pos: Number(r.phys_pos), a1: r.a1, a2: r.a2 }]));
}

/** BETAlast per SNP from the fit's PREFIX.txt, if that artifact is still on disk. */
async function lastDraws(prefix: string | undefined): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!prefix) return out;
  let text: string;
  try {
    text = await readFile(`${prefix}.txt`, 'utf8');
  } catch {
    return out;
  }
  const lines = text.split('\n');
  const col = lines[0]?.split('\t').indexOf('BETAlast') ?? -1;
  if (col < 0) return out;
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split('\t');
    const v = Number(f[col]);
    if (f[0] && Number.isFinite(v)) out.set(f[0], v);
  }
  return out;
}

export async function gatherExports(store: Store, runId: string, trait?: string): Promise<ExportData> {
  const run = await requireRunHeader(store, runId);
  const r = { r: runId };
  const studyDesign = (() => {
    try {
      return (JSON.parse(run.studyJson ?? '{}') as { design?: { ancestry?: string } }).design;
    } catch {
      return undefined;
    }
  })();
  const panels = await runPanels(store, runId);
  const panelCache = new Map<string, Map<string, PanelSnp>>();
  const snpsOf = async (panel: string | undefined): Promise<Map<string, PanelSnp>> => {
    if (panel === undefined) return new Map();
    if (!panelCache.has(panel)) panelCache.set(panel, await panelSnps(store, panel));
    return panelCache.get(panel)!;
  };
  const prefixes = new Map<string, string>();
  for (const s of await store.all<{ scope: string; output_json: string | null }>(`SELECT scope, output_json FROM steps WHERE run_id = $r AND step = 'fitSbayesrc'`, r)) {
    try {
      const o = JSON.parse(s.output_json ?? 'null') as { prefix?: unknown } | null;
      if (typeof o?.prefix === 'string') prefixes.set(s.scope, o.prefix);
    } catch {
      // no prefix recorded
    }
  }

  const fits: FitWeights[] = [];
  for (const f of await store.all<{ scope: string; method: string }>(`SELECT scope, method FROM fits WHERE run_id = $r ORDER BY scope`, r)) {
    const unit = f.scope.split('/')[0]!;
    const ancestry = panels.has(unit) ? unit : (studyDesign?.ancestry ?? [...panels.keys()][0]);
    const snps = await snpsOf(ancestry === undefined ? undefined : panels.get(ancestry));
    const last = await lastDraws(prefixes.get(f.scope));
    const effects = await store.all<{ snp: string; a1: string; beta: number; se: number; pip: number }>(
      `SELECT snp, a1, beta, se, pip FROM effects WHERE run_id = $r AND scope = $s ORDER BY rowid`,
      { r: runId, s: f.scope },
    );
    fits.push({
      scope: f.scope,
      method: f.method,
      rows: effects.map((e) => {
        const p = snps.get(e.snp);
        const a2 = p ? (p.a1 === e.a1 ? p.a2 : p.a2 === e.a1 ? p.a1 : null) : null;
        return { snp: e.snp, chrom: p?.chrom ?? null, pos: p?.pos ?? null, a1: e.a1, a2, beta: e.beta, se: e.se, pip: e.pip, betaLast: last.get(e.snp) ?? null };
      }),
    });
  }

  const combined = await gatherCombined(store, runId, fits);

  const scores = (await store.all(`SELECT cohort, fid, iid, score_name, score, allele_ct FROM scores WHERE run_id = $r ORDER BY score_name, cohort, fid, iid`, r)).map((s) => ({
    cohort: String(s.cohort),
    fid: String(s.fid),
    iid: String(s.iid),
    scoreName: String(s.score_name),
    score: Number(s.score),
    alleleCt: Number(s.allele_ct),
  }));
  const metrics = await readMetrics(store, runId);
  return { run, trait: trait ?? phenotypeOf(run)?.column ?? run.name, fits, scores, metrics, ...(combined ? { combined } : {}) };
}

interface CombineStepOutput {
  tuning?: unknown;
  test?: unknown;
  model?: Partial<CombinedScoreModel>;
}

const isNumberArray = (x: unknown, n: number): x is number[] => Array.isArray(x) && x.length === n && x.every((v) => typeof v === 'number');

/**
 * The combination recorded by the run's `combineAncestries` step (its model) applied to the
 * ancestries' fits; undefined for runs without one (cross-validation, or recorded before the
 * combined score was stored). A recorded model whose fits are gone is an error.
 */
async function gatherCombined(store: Store, runId: string, fits: readonly FitWeights[]): Promise<CombinedExport | undefined> {
  const steps = await store.all<{ output_json: string | null }>(
    `SELECT output_json FROM steps WHERE run_id = $r AND step = 'combineAncestries' AND output_json IS NOT NULL ORDER BY finished_at DESC NULLS LAST LIMIT 1`,
    { r: runId },
  );
  let out: CombineStepOutput | null = null;
  try {
    out = JSON.parse(steps[0]?.output_json ?? 'null') as CombineStepOutput | null;
  } catch {
    return undefined;
  }
  const m = out?.model;
  if (!m || typeof m.scoreName !== 'string' || typeof m.cohort !== 'string' || !Array.isArray(m.ancestries) || !Array.isArray(m.scoreNames)) return undefined;
  const a = m.ancestries.length;
  if (!Array.isArray(m.weights) || m.weights.length !== a || !Array.isArray(m.fitScopes) || m.fitScopes.length !== a) return undefined;
  if (!isNumberArray(m.mean, a) || !isNumberArray(m.sd, a) || !isNumberArray(m.a2Offset, a)) return undefined;
  const model: CombinedScoreModel = {
    scoreName: m.scoreName,
    weighting: m.weighting === 'summary' || m.weighting === 'fixed' ? m.weighting : 'tuning',
    cohort: m.cohort,
    ancestries: m.ancestries.map(String),
    scoreNames: m.scoreNames.map(String),
    fitScopes: m.fitScopes.map((x) => (typeof x === 'string' ? x : null)),
    weights: m.weights.map((w) => (typeof w === 'number' ? w : null)),
    mean: m.mean,
    sd: m.sd,
    a2Offset: m.a2Offset,
    offset: typeof m.offset === 'number' ? m.offset : null,
  };
  const scale = rawScoreScale(model);
  if (scale === null) return undefined;
  const chosen = model.ancestries.map((anc, k) => {
    const scope = model.fitScopes[k];
    const f = scope === null ? undefined : fits.find((x) => x.scope === scope);
    if (!f) throw new BadInputError(store.paths.database, `run '${runId}' combined ancestry '${anc}' but its fit ${scope === null ? 'was not recorded' : `'${scope}' is not in the store`}`);
    return f;
  });
  // Rows of the target's variants take its alleles, as the study scored it (combinedWeights.ts).
  const variants = await store.all<{ id: string; chrom: string; pos: number; a1: string; a2: string }>(`SELECT id, chrom, pos, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx`, { c: model.cohort });
  const reference = { id: variants.map((v) => v.id), a1: variants.map((v) => v.a1), a2: variants.map((v) => v.a2), chrom: variants.map((v) => v.chrom), pos: variants.map((v) => Number(v.pos)) };
  const weights = combineFitWeights(
    chosen.map((f, k) => ({ ancestry: model.ancestries[k]!, scope: f.scope, rows: f.rows })),
    scale,
    reference,
  );
  const n = (x: unknown): number | null => (typeof x === 'number' ? x : null);
  return { model, scopes: chosen.map((f) => f.scope), tuning: n(out?.tuning), test: n(out?.test), weights };
}

/** Writes every export under `dir` (created if needed); returns what was written. */
export async function writeExports(dir: string, data: ExportData, genomeBuild: string): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  const put = async (name: string, text: string, what: string): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, text);
    written.push({ path, what });
  };
  for (const f of data.fits) {
    const base = scopeFileName(f.scope);
    const name = `${data.run.name}_${base}`;
    await put(`weights/${base}.pgs.txt`, pgsCatalogScoringText({ name: `pgsflow_${name}`, trait: data.trait, genomeBuild }, f.rows), `PGS Catalog scoring file, ${f.scope} (${f.rows.length} variants)`);
    await put(`weights/${base}.txt`, sbayesrcEffectsText(f.rows), `SBayesRC-format effects, ${f.scope}`);
  }
  if (data.combined) {
    const c = data.combined;
    await put(
      COMBINED_WEIGHTS_FILE,
      pgsCatalogScoringText({ name: `pgsflow_${data.run.name}_${c.model.scoreName}`, trait: data.trait, genomeBuild, notes: combinedScoringNotes(c) }, c.weights.rows),
      `PGS Catalog scoring file, ${c.model.scoreName} combination of ${c.model.ancestries.join(', ')} (${c.weights.rows.length} variants; its score is the stored '${c.model.scoreName}' score)`,
    );
  }
  await put('scores.tsv', scoresTsv(data.scores), `per-sample scores (${data.scores.length} rows)`);
  await put('metrics.tsv', metricsTsv(data.run.runId, data.metrics), `metrics (${data.metrics.length} rows)`);
  await put('metrics.json', metricsJson(data.run, data.metrics), 'metrics with run provenance');
  return written;
}
