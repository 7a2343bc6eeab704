// `pgsflow study run|list|status|cancel|resume`: start a study workflow from a study file,
// watch it (progress per unit, live MCMC sweep from the fit heartbeat), and manage runs.
// This is the command entry (help, arguments, session); each subcommand lives in client/study/.
import { CONNECTION_HELP, CONNECTION_OPTION_SPECS, connectionFlagsOf, resolveConnectionSettings } from '../../config/temporalConnection.js';
import { parseArtifactLocation } from '../../core/artifacts/location.js';
import { StoreLockedError } from '../../core/errors.js';
import { loadEnv } from '../../config/env.js';
import { type Command, type ParsedArgs, UsageError, intOpt, stringOpt } from '../command.js';
import { openSession } from '../session.js';
import { findMlEnv } from '../mlEnv.js';
import { cancelStudy } from '../study/cancelStudy.js';
import { listStudies } from '../study/listStudies.js';
import { resumeStudy } from '../study/resumeStudy.js';
import { startAndWatch } from '../study/runStudy.js';
import { AbortableCalls, type StudyCommandContext, interruptAdvice } from '../study/studyCommandContext.js';
import { type StudyFile, chooseStoreDir, loadStudyFile } from '../study/studyInput.js';
import { studyStatus } from '../study/studyStatus.js';

const DEFAULT_CANCEL_WAIT_S = 60;
const DEFAULT_LIST_LIMIT = 100;

const HELP = `Usage: pgsflow study run STUDY.json [--detach] [--json] [--store DIR] [--no-worker] [--artifacts s3://B/P]
       pgsflow study resume RUN [--detach] [--json] [--store DIR] [--no-worker] [--artifacts s3://B/P]
       pgsflow study status RUN [--json] [--store DIR]
       pgsflow study list [--json] [--limit ${DEFAULT_LIST_LIMIT}] [--store DIR]
       pgsflow study cancel RUN [--wait ${DEFAULT_CANCEL_WAIT_S}] [--json] [--store DIR]

A study (cross-validation or cross-ancestry, from the study file's design) runs as one durable
Temporal workflow whose id is the run id: <name>-<UTC YYYYMMDDTHHMMSSZ>-<4 hex>.

  run STUDY.json   validate the study file (paths relative to its folder), start the study,
                   print the run id and wait: one progress line per fold / training ancestry
                   (redrawn on a TTY, changed lines only otherwise) with the live MCMC sweep;
                   then the metrics table (exit 0) or the failure's root cause (exit 1).
                   Ctrl-C stops watching, not the study (see below).
  resume RUN       a new run of RUN's study file, re-read from disk (fix the inputs or the file
                   first); steps whose inputs did not change are reused from RUN. A run that is
                   still running is refused; a completed one is allowed (all cache hits).
  status RUN       running (with progress), completed (with metrics), failed or cancelled
                   (with the message); exit 0 if the run exists, 1 if not.
  list             study runs: run id, type, status, start and close time (newest first).
  cancel RUN       request cancellation, wait until the run has closed (at most --wait
                   seconds), print its final status.

  --detach         print the run id and return at once; needs TEMPORAL_ADDRESS (a cluster with
                   a \`pgsflow worker\` serving the store). Refused (exit 2) with the embedded
                   server, which lives only as long as this command.
  --json           print one JSON object { runId, status, progress, metrics } on stdout
                   (status: running | completed | failed | cancelled; metrics [] until
                   completed); \`list\`: an array of runs.
  --store DIR      store folder: for \`run\`, --store, else the study file's "store" (relative
                   to the file), else PGSFLOW_STORE or ./.pgsflow; otherwise --store, else
                   PGSFLOW_STORE or ./.pgsflow. With the embedded server the run history lives
                   in the store (temporal.sqlite): status/list/cancel/resume need the same store;
                   while a \`study run\` holds it, they use its server (<store>/temporal-server.json).
  --no-worker      (run, resume with TEMPORAL_ADDRESS) start no in-process worker: a
                   \`pgsflow worker\` already serves the store.
  --artifacts s3://bucket/prefix
                   (run, resume; with --no-worker) S3 mode: compute workers on hosts without
                   the store's folder get each call's input files through the bucket and send
                   their outputs and fit checkpoints back through it. The workers must be
                   started with the same --artifacts (docs/cluster.md). A resume keeps its
                   run's mode.
  --limit N        (list) at most N runs (default ${DEFAULT_LIST_LIMIT})
  --wait S         (cancel) seconds to wait for the run to close (default ${DEFAULT_CANCEL_WAIT_S})

Embedded server (TEMPORAL_ADDRESS unset): the study runs only while \`study run\` runs; Ctrl-C
stops it and \`study resume RUN\` continues it later (the interrupted run is terminated and a new
run reuses its finished steps). With TEMPORAL_ADDRESS, Ctrl-C only stops watching: the study goes
on on the cluster (\`study status RUN\` to look again).

${CONNECTION_HELP}`;

type Sub = 'run' | 'resume' | 'status' | 'list' | 'cancel';

const ALLOWED: Record<Sub, { args: number; options: string[] }> = {
  run: { args: 1, options: ['detach', 'json', 'store', 'no-worker', 'artifacts'] },
  resume: { args: 1, options: ['detach', 'json', 'store', 'no-worker', 'artifacts'] },
  status: { args: 1, options: ['json', 'store'] },
  list: { args: 0, options: ['json', 'store', 'limit'] },
  cancel: { args: 1, options: ['json', 'store', 'wait'] },
};

/** Checks the subcommand, its arguments and which options it takes. */
export function parseStudyArgs(parsed: ParsedArgs): { sub: Sub; arg: string | undefined } {
  const [sub, ...args] = parsed.positionals;
  if (sub === undefined) throw new UsageError('study: expected a subcommand: run, resume, status, list or cancel');
  if (!(sub in ALLOWED)) throw new UsageError(`study: unknown subcommand '${sub}' (run, resume, status, list, cancel)`);
  const spec = ALLOWED[sub as Sub];
  if (args.length !== spec.args) {
    throw new UsageError(spec.args === 0 ? `study ${sub}: unexpected argument '${args[0]}'` : `study ${sub}: expected ${sub === 'run' ? 'STUDY.json' : 'RUN'}${args.length > 1 ? `, got '${args.join(' ')}'` : ''}`);
  }
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v !== undefined && name !== 'help' && !spec.options.includes(name) && !(name in CONNECTION_OPTION_SPECS)) throw new UsageError(`study ${sub}: --${name} does not apply`);
  }
  return { sub: sub as Sub, arg: args[0] };
}

/** Whether a session needs an in-process worker; refuses what cannot work. */
export function planSession(sub: Sub, opts: { embedded: boolean; detach: boolean; noWorker: boolean }): { withWorker: boolean | 'unless-attached' } {
  if (opts.embedded && opts.detach) {
    throw new UsageError(`study ${sub}: --detach needs TEMPORAL_ADDRESS (the embedded server stops with this command); run \`pgsflow server\` and a \`pgsflow worker\`, or leave out --detach`);
  }
  if (opts.embedded && opts.noWorker) throw new UsageError(`study ${sub}: --no-worker needs TEMPORAL_ADDRESS (nothing else can serve the embedded server)`);
  if (sub === 'run' || sub === 'resume') return { withWorker: !opts.noWorker && !opts.detach };
  // Cancelling on the embedded server: a worker must process the request for the run to close:
  // ours when we start the server, else that of the command whose server we attach to.
  if (sub === 'cancel') return { withWorker: opts.embedded ? 'unless-attached' : false };
  return { withWorker: false };
}

export const studyCommand: Command = {
  name: 'study',
  summary: 'run, resume, watch, list and cancel studies (study run STUDY.json)',
  help: HELP,
  allowPositionals: true,
  options: {
    detach: { type: 'boolean' },
    json: { type: 'boolean' },
    store: { type: 'string' },
    'no-worker': { type: 'boolean' },
    artifacts: { type: 'string' },
    ...CONNECTION_OPTION_SPECS,
    limit: { type: 'string' },
    wait: { type: 'string' },
  },
  async run(parsed, ctx) {
    const { sub, arg } = parseStudyArgs(parsed);
    // Connection flags override TEMPORAL_* variables; an address (either way) means a cluster, not the embedded server.
    const connection = resolveConnectionSettings(connectionFlagsOf(parsed.values), process.env);
    const loaded = loadEnv();
    const env = connection.address !== undefined ? { ...loaded, temporalAddress: connection.address, namespace: connection.namespace } : loaded;
    const json = parsed.values.json === true;
    const detach = parsed.values.detach === true;
    const noWorker = parsed.values['no-worker'] === true;
    const embedded = env.temporalAddress === undefined;
    const limit = intOpt(parsed, 'limit', 1, 1_000_000) ?? DEFAULT_LIST_LIMIT;
    const waitS = intOpt(parsed, 'wait', 0, 86_400) ?? DEFAULT_CANCEL_WAIT_S;
    const plan = planSession(sub, { embedded, detach, noWorker });
    const artifactsText = stringOpt(parsed, 'artifacts');
    const artifactExchange = artifactsText === undefined ? undefined : parseArtifactLocation(artifactsText).kind;
    if (artifactExchange === 'file') throw new UsageError(`study ${sub}: --artifacts takes s3://bucket/prefix (S3 mode); in file mode the artifacts folder is the store's`);
    if (artifactExchange === 's3' && plan.withWorker !== false) {
      throw new UsageError(`study ${sub}: --artifacts s3://… runs on workers started with the same --artifacts (a \`pgsflow worker --store-only\` and compute-only workers); add --no-worker`);
    }

    // `run` validates the study file before any server starts; its store may come from it.
    let file: StudyFile | undefined;
    let storeDir = chooseStoreDir(stringOpt(parsed, 'store'), undefined, env.store);
    if (sub === 'run') {
      file = await loadStudyFile(arg!);
      storeDir = chooseStoreDir(stringOpt(parsed, 'store'), file.study.store, env.store);
    }
    const log = (line: string): void => ctx.stderr(`${line}\n`);
    // The Python ML worker only when the study compares nonlinear models (a resume: when its
    // environment exists, i.e. some study here used it).
    const mlWorker = sub === 'run' ? file?.study.nonlinear !== undefined : sub === 'resume' && findMlEnv() !== undefined;
    const session = await openSession({ env, storeDir, withWorker: plan.withWorker, log, mlWorker, connection }).catch((e: unknown) => {
      if (e instanceof StoreLockedError && !embedded && (sub === 'run' || sub === 'resume')) {
        throw new StoreLockedError(`${e.message}\n(a \`pgsflow worker\` already serves this store? then add --no-worker)`);
      }
      throw e;
    });
    const calls = new AbortableCalls(session);
    const sc: StudyCommandContext = { session, call: (fn) => calls.run(fn), env, ctx, json, embedded, withWorker: session.worker, storeDir, interrupted: false, ...(artifactExchange ? { artifactExchange } : {}) };
    const release = ctx.onInterrupt(async () => {
      sc.interrupted = true;
      if (sc.watching) log(interruptAdvice(sc, sc.watching));
      calls.abortAll();
      await session.shutdown();
    });
    try {
      switch (sub) {
        case 'run':
          return await startAndWatch(sc, file!, undefined, detach);
        case 'resume':
          return await resumeStudy(sc, arg!, detach);
        case 'status':
          return await studyStatus(sc, arg!);
        case 'list':
          return await listStudies(sc, limit);
        case 'cancel':
          return await cancelStudy(sc, arg!, waitS);
      }
    } finally {
      release();
      calls.abortAll();
      await session.shutdown();
    }
  },
};
