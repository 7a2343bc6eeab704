// A finished fit into the store: PREFIX.json → one `fits` row, PREFIX.txt → `effects` rows, in one
// transaction that first deletes any earlier rows of the same run and scope (a retry or a re-run
// replaces, never duplicates). Values are those of the files (the text's 6 significant digits).
import { readFile } from 'node:fs/promises';
import { RowSetHash } from '../provenance/tableHash.js';
import { BadInputError } from '../errors.js';
import { hashFile } from '../provenance/fileHash.js';
import type { Store } from '../store/store.js';
import { fitFiles } from './fitFiles.js';
import type { FitSummaryJson, RecordFitRequest, RecordFitSummary } from '../../contracts/fit.js';
import type { FileHash } from '../../contracts/provenance.js';

/** A row of the `fits` table as DuckDB returns it (migration 6). */
// A type alias, not an interface: store.all needs an index-signature-compatible row type.
export type FitsTableRow = {
  run_id: string;
  scope: string;
  method: string;
  h2: number;
  h2_sd: number;
  nnz: number;
  sigma2e: number;
  pi_json: string;
  cutoff: number;
  cutoff_reason: string;
  enrichment_json: string;
  summary_json: string;
};

interface EffectRows {
  snp: string[];
  a1: string[];
  beta: number[];
  se: number[];
  pip: number[];
}

const EFFECTS_HEADER = ['SNP', 'A1', 'BETA', 'SE', 'PIP'];

export async function readEffects(path: string): Promise<EffectRows> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  const header = lines[0]?.split('\t') ?? [];
  if (EFFECTS_HEADER.some((h, i) => header[i] !== h)) throw new BadInputError(path, `expected header ${EFFECTS_HEADER.join(' ')} …, got ${lines[0] ?? '(empty)'}`);
  const out: EffectRows = { snp: [], a1: [], beta: [], se: [], pip: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const f = line.split('\t');
    const [beta, se, pip] = [Number(f[2]), Number(f[3]), Number(f[4])];
    if (f.length < 5 || !Number.isFinite(beta) || !Number.isFinite(se) || !Number.isFinite(pip)) {
      throw new BadInputError(path, `line ${i + 1}: expected SNP, A1 and numeric BETA, SE, PIP`);
    }
    out.snp.push(f[0]!);
    out.a1.push(f[1]!);
    out.beta.push(beta);
    out.se.push(se);
    out.pip.push(pip);
  }
  return out;
}

export async function readFitSummary(path: string): Promise<{ summary: FitSummaryJson; text: string }> {
  const text = await readFile(path, 'utf8');
  let summary: FitSummaryJson;
  try {
    summary = JSON.parse(text) as FitSummaryJson;
  } catch (e) {
    throw new BadInputError(path, `not JSON: ${(e as Error).message}`);
  }
  if (summary.method !== 'SBayesR' && summary.method !== 'SBayesRC') throw new BadInputError(path, `not a fit summary (method ${String(summary.method)})`);
  return { summary, text };
}

export async function recordFit(store: Store, req: RecordFitRequest): Promise<RecordFitSummary> {
  const files = fitFiles(req.prefix);
  const { summary: s, text } = await readFitSummary(files.json);
  const effects = await readEffects(files.txt);
  if (effects.snp.length !== s.snps) throw new BadInputError(files.txt, `${effects.snp.length} effects but the summary reports ${s.snps} SNPs`);
  const sigma2e = s.sigma2e.length > 0 ? s.sigma2e.reduce((a, b) => a + b, 0) / s.sigma2e.length : NaN;
  const enrichment = Object.fromEntries(s.annotations.map((name, t) => [name, s.enrichment[t] ?? null]));
  const cutoffReason = s.tuning ? `${s.tuning.decision}: ${s.tuning.reason}` : 'given';
  const key = { r: req.runId, sc: req.scope };
  // Provenance (`audit verify`): the fit's files and a canonical hash of the effects rows written.
  const outputFiles: [string, FileHash][] = [
    ['fit.txt', await hashFile(files.txt)],
    ['fit.json', await hashFile(files.json)],
  ];
  const rowHash = new RowSetHash();
  for (let j = 0; j < effects.snp.length; j++) rowHash.add([effects.snp[j], effects.a1[j], effects.beta[j], effects.se[j], effects.pip[j]]);
  const effectsHash = rowHash.finish();
  await store.transaction(async (tx) => {
    await tx.run(`DELETE FROM fits WHERE run_id = $r AND scope = $sc`, key);
    await tx.run(`DELETE FROM effects WHERE run_id = $r AND scope = $sc`, key);
    await tx.run(`DELETE FROM run_outputs WHERE run_id = $r AND scope = $sc AND (kind LIKE 'fit.%' OR kind = 'table:effects')`, key);
    for (const [kind, f] of outputFiles) {
      await tx.run(`INSERT INTO run_outputs VALUES ($r, $sc, $kind, $path, $sha, $bytes, NULL, now())`, { ...key, kind, path: f.path, sha: f.sha256, bytes: f.bytes });
    }
    await tx.run(`INSERT INTO run_outputs VALUES ($r, $sc, 'table:effects', NULL, $sha, NULL, $rows, now())`, { ...key, sha: effectsHash.sha256, rows: effectsHash.rows });
    await tx.run(`INSERT INTO fits VALUES ($r, $sc, $method, $h2, $h2sd, $nnz, $sigma2e, $pi, $cutoff, $reason, $enrichment, $summary)`, {
      ...key,
      method: s.method,
      h2: s.h2.mean,
      h2sd: s.h2.sd,
      nnz: s.nnz.mean,
      sigma2e,
      pi: JSON.stringify(s.pi),
      cutoff: s.cutoff,
      reason: cutoffReason,
      enrichment: JSON.stringify(enrichment),
      summary: text,
    });
    const a = await tx.appender('effects');
    for (let j = 0; j < effects.snp.length; j++) {
      a.appendVarchar(req.runId);
      a.appendVarchar(req.scope);
      a.appendVarchar(effects.snp[j]!);
      a.appendVarchar(effects.a1[j]!);
      a.appendDouble(effects.beta[j]!);
      a.appendDouble(effects.se[j]!);
      a.appendDouble(effects.pip[j]!);
      a.endRow();
    }
  });
  return { runId: req.runId, scope: req.scope, method: s.method, h2: s.h2.mean, effects: effects.snp.length };
}
