// `pgsflow audit [RUN] [--json]`, `audit verify RUN`, `audit diff RUN1 RUN2`: what went into a
// run (hashes), what was done (parameters, QC counts, fits, timings, code version) and what came
// out, read from the store — directly, or through Temporal while a worker owns it.
import { loadEnv } from '../../config/env.js';
import { diffRuns } from '../audit/auditDiff.js';
import { openAuditSource } from '../audit/auditSource.js';
import { formatDiff, formatRun, formatRunList, formatVerify } from '../audit/auditText.js';
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError, stringOpt } from '../command.js';
import type { AuditRequest, AuditResponse } from '../../contracts/audit.js';
import type { AuditRun } from '../../contracts/runRecords.js';

const HELP = `Usage: pgsflow audit [--json] [--store DIR]
       pgsflow audit RUN [--json] [--store DIR]
       pgsflow audit verify RUN [--json] [--store DIR]
       pgsflow audit diff RUN1 RUN2 [--json] [--store DIR]
       pgsflow audit history RUN [WORKFLOW] [--store DIR]

  (no RUN)     the runs: id, name, design, status, start, duration, headline metric (mean r2
               over folds for a cross-validation, combined test r2 for a cross-ancestry study).
  RUN          everything recorded about a run: study file and hash, code version (package,
               git commit, package-lock.json sha256), host, every input file with size and
               sha256, every step (attempt, cache hit, timing, peak RSS of the worker process
               that recorded it), QC counts per scope and rule, fits (cut-off and why, h2, nnz,
               pi, removed outliers, convergence), metrics, output hashes, archived histories.
  verify RUN   re-hash every recorded input file, the stored study file, the fits' output files
               and the run's stored rows (effects per fit, scores, metrics); exit 1 naming each
               mismatch (an altered effects row is named by SNP).
  diff A B     what differed: run facts, code version, inputs, parameters (resolved study),
               metrics.
  history RUN [WORKFLOW]
               an archived Temporal workflow history as JSON (default: the run's own workflow;
               children are RUN/fold-K or RUN/ANCESTRY), usable for replay after Temporal's
               retention has expired.

Options:
  --json       one JSON object (the list: an array of runs)
  --store DIR  the store (default PGSFLOW_STORE, else ./.pgsflow)

Reads the store file when no process holds it; while a worker owns it, goes through Temporal
(TEMPORAL_ADDRESS, queue PGSFLOW_TASK_QUEUE): a short workflow whose activity reads the store
in that worker.`;

type Parsed =
  | { sub: 'list' }
  | { sub: 'show'; run: string }
  | { sub: 'verify'; run: string }
  | { sub: 'diff'; a: string; b: string }
  | { sub: 'history'; run: string; workflow: string };

export function parseAuditArgs(positionals: readonly string[]): Parsed {
  const [first, ...rest] = positionals;
  if (first === undefined) return { sub: 'list' };
  if (first === 'verify') {
    if (rest.length !== 1) throw new UsageError('audit verify: expected one RUN');
    return { sub: 'verify', run: rest[0]! };
  }
  if (first === 'diff') {
    if (rest.length !== 2) throw new UsageError('audit diff: expected RUN1 RUN2');
    return { sub: 'diff', a: rest[0]!, b: rest[1]! };
  }
  if (first === 'history') {
    if (rest.length < 1 || rest.length > 2) throw new UsageError('audit history: expected RUN [WORKFLOW]');
    return { sub: 'history', run: rest[0]!, workflow: rest[1] ?? rest[0]! };
  }
  if (rest.length > 0) throw new UsageError(`audit: unexpected argument '${rest[0]}'`);
  return { sub: 'show', run: first };
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'what went into a run, what was done, what came out; verify hashes; diff two runs',
  help: HELP,
  allowPositionals: true,
  options: { json: { type: 'boolean' }, store: { type: 'string' } },
  async run(parsed, ctx) {
    const p = parseAuditArgs(parsed.positionals);
    const json = parsed.values.json === true;
    const env = loadEnv();
    const storeDir = stringOpt(parsed, 'store') ?? env.store;
    const source = await openAuditSource(storeDir, env);
    const out = (text: string): void => ctx.stdout(text);
    const notFound = (r: AuditResponse): boolean => {
      if (r.kind !== 'notFound') return false;
      ctx.stderr(`pgsflow: ${r.message}\n`);
      return true;
    };
    const ask = async (req: AuditRequest) => source.ask(req);
    const showRun = async (run: string): Promise<AuditRun | null> => {
      const r = await ask({ kind: 'run', runId: run });
      if (notFound(r)) return null;
      if (r.kind !== 'run') throw new Error(`unexpected audit answer ${r.kind}`);
      return r.audit;
    };
    try {
      switch (p.sub) {
        case 'list': {
          const r = await ask({ kind: 'list' });
          if (r.kind !== 'list') throw new Error(`unexpected audit answer ${r.kind}`);
          out(json ? `${JSON.stringify(r.runs, null, 2)}\n` : formatRunList(r.runs));
          return EXIT_OK;
        }
        case 'show': {
          const a = await showRun(p.run);
          if (!a) return EXIT_FAILURE;
          out(json ? `${JSON.stringify(a, null, 2)}\n` : formatRun(a));
          return EXIT_OK;
        }
        case 'verify': {
          const r = await ask({ kind: 'verify', runId: p.run });
          if (notFound(r)) return EXIT_FAILURE;
          if (r.kind !== 'verify') throw new Error(`unexpected audit answer ${r.kind}`);
          out(json ? `${JSON.stringify(r.result, null, 2)}\n` : formatVerify(r.result));
          if (r.result.mismatches.length > 0) {
            if (json) ctx.stderr(`pgsflow: verify failed: ${r.result.mismatches.map((m) => m.name).join(', ')}\n`);
            return EXIT_FAILURE;
          }
          return EXIT_OK;
        }
        case 'history': {
          const r = await ask({ kind: 'history', runId: p.run, workflowId: p.workflow });
          if (notFound(r)) return EXIT_FAILURE;
          if (r.kind !== 'history') throw new Error(`unexpected audit answer ${r.kind}`);
          out(`${r.json}\n`);
          return EXIT_OK;
        }
        case 'diff': {
          const a = await showRun(p.a);
          const b = a ? await showRun(p.b) : null;
          if (!a || !b) return EXIT_FAILURE;
          const d = diffRuns(a, b);
          out(json ? `${JSON.stringify(d, null, 2)}\n` : formatDiff(d));
          return EXIT_OK;
        }
      }
    } finally {
      await source.close();
    }
  },
};
