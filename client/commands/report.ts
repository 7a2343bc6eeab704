// `pgsflow report RUN --out report.html [--exports DIR]`: one self-contained HTML report of a run
// (inline CSS and SVG, no network) and, with --exports, the run's weights, scores and metrics as
// files other tools read. Reads the store file directly; a store held by a running worker is
// refused with a clear message (stop the worker, or wait for the study to finish).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreLockedError } from '../../core/errors.js';
import { storePaths } from '../../core/store/store.js';
import { openAuditSource } from '../audit/auditSource.js';
import { loadEnv } from '../../config/env.js';
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError, stringOpt } from '../command.js';
import type { WrittenFile } from '../../contracts/audit.js';

const HELP = `Usage: pgsflow report RUN [--out report.html] [--exports DIR] [--store DIR]
                      [--trait NAME] [--genome-build BUILD] [--json]

Writes one self-contained HTML file about run RUN (inline CSS and SVG charts, no scripts, no
network): study summary and provenance (study sha256, code version, timings, resumed-from), the
QC funnel per fold/ancestry, held-out R² (and AUC for binary traits) per fold with mean ± SE,
SBayesRC vs SBayesR, calibration by PGS decile, h² and nnz per fold, annotation enrichment,
cross-ancestry mixing weights and test metrics, and a step timeline.

Options:
  --out FILE           the HTML report (written atomically)
  --exports DIR        also write the run's exports under DIR:
                         weights/<scope>.pgs.txt  PGS Catalog scoring file (format 2.0, header block:
                                                  pgs_name, trait_reported, genome_build, weight_type,
                                                  variants_number) per fit scope, e.g. fold-3_SBayesRC
                         weights/<scope>.txt      SBayesRC effects: SNP A1 BETA SE PIP BETAlast
                                                  (BETAlast from the fit's artifact; NA if it is gone)
                         weights/combined.pgs.txt a cross-ancestry run's SBayesRC-multi combination as
                                                  one scoring file: per-allele Σ w_a β_a / sd_a over the
                                                  union of the fits' variants, aligned to the target;
                                                  it reproduces the stored SBayesRC-multi score
                         scores.tsv               per-sample scores: cohort FID IID score_name score allele_ct
                         metrics.tsv, metrics.json  every metric (scope, method, metric, value, se, n)
  --trait NAME         trait_reported in the scoring files (default: the study's phenotype column)
  --genome-build B     genome_build in the scoring files (default NR, "not reported": the study
                       file does not record a build)
  --store DIR          the store (default PGSFLOW_STORE, else ./.pgsflow)
  --json               print what was written as JSON

At least one of --out and --exports. The store file is read directly; while a worker owns the
store (a \`pgsflow worker\`, or a running \`study run\`), that worker writes the files, reached
through TEMPORAL_ADDRESS or the running study's embedded server, as \`pgsflow audit\` does.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'HTML report of a run (--out) and exports: PGS Catalog weights, scores, metrics (--exports)',
  help: HELP,
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    exports: { type: 'string' },
    store: { type: 'string' },
    trait: { type: 'string' },
    'genome-build': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(parsed, ctx) {
    const [runId, ...extra] = parsed.positionals;
    if (runId === undefined) throw new UsageError('report: which run? (pgsflow report RUN --out report.html)');
    if (extra.length > 0) throw new UsageError(`report: unexpected argument '${extra[0]}'`);
    const out = stringOpt(parsed, 'out');
    const exportsDir = stringOpt(parsed, 'exports');
    if (out === undefined && exportsDir === undefined) throw new UsageError('report: give --out FILE.html and/or --exports DIR');
    const env = loadEnv();
    const storeDir = stringOpt(parsed, 'store') ?? env.store;
    const paths = storePaths(storeDir);
    if (!existsSync(paths.database)) {
      ctx.stderr(`pgsflow: no store at ${paths.database} (use --store DIR or PGSFLOW_STORE)\n`);
      return EXIT_FAILURE;
    }
    // The store file directly when free; else through the worker that owns it (the audit's
    // path: TEMPORAL_ADDRESS, or the running study's embedded server), which writes the files.
    const source = await openAuditSource(storeDir, env).catch((e: unknown) => {
      if (e instanceof StoreLockedError) {
        throw new StoreLockedError(
          `${e.message}\n(pgsflow report: the worker that owns the store writes the report when reachable; otherwise stop it or let the study finish)`,
        );
      }
      throw e;
    });
    let written: WrittenFile[];
    try {
      const res = await source.ask({
        kind: 'report',
        runId,
        ...(out !== undefined ? { out: resolve(out) } : {}),
        ...(exportsDir !== undefined ? { exportsDir: resolve(exportsDir) } : {}),
        ...(stringOpt(parsed, 'trait') !== undefined ? { trait: stringOpt(parsed, 'trait')! } : {}),
        genomeBuild: stringOpt(parsed, 'genome-build') ?? 'NR',
      });
      if (res.kind === 'notFound') {
        ctx.stderr(`pgsflow: ${res.message}\n`);
        return EXIT_FAILURE;
      }
      if (res.kind !== 'report') throw new Error(`unexpected answer '${res.kind}' to a report request`);
      written = res.files;
    } finally {
      await source.close();
    }
    if (parsed.values.json === true) ctx.stdout(`${JSON.stringify({ runId, files: written }, null, 2)}\n`);
    else for (const w of written) ctx.stdout(`${w.path}  ${w.what}\n`);
    return EXIT_OK;
  },
};
