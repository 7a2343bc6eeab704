// What both multi-host tests set up (file mode and S3 mode): the simulated study inputs, a host
// bridge, the Temporal dev server reachable at the bridge address, a client, and the worker
// processes on the host and in namespaces, all stopped at the end.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { Store } from '../../core/store/store.js';
import type { StudyResult } from '../../contracts/study.js';
import type { FitHeartbeat } from '../../contracts/fit.js';
import { runningFits, until } from '../helpers/studyObservation.js';
import { type LiveCli, spawnCli } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type Bridge, type Namespaced, createBridge, requireRoot } from './namespaces.js';

export const CLUSTER_FULL = process.env.PGSFLOW_CLUSTER_FULL === '1';
export const CLUSTER_FOLDS = CLUSTER_FULL ? 10 : 2;
// PGSFLOW_CLUSTER_ITERATIONS: longer fits for timing runs (fits then dominate the study's wall time).
// Small: fits long enough (several seconds) that a heartbeat past a checkpoint reaches the server
// (the worker throttles heartbeats to one per 2 s) before the fit ends, on a fast machine too.
export const CLUSTER_ITERATIONS = Number(process.env.PGSFLOW_CLUSTER_ITERATIONS ?? (CLUSTER_FULL ? 3000 : 20000));

export class ClusterHarness {
  readonly hostWorkers: LiveCli[] = [];
  readonly nsWorkers: Namespaced[] = [];
  server: DevServer | undefined;
  connection: Connection | undefined;
  client!: Client;
  temporalAddress = '';

  private constructor(
    readonly tmp: { dir: string; cleanup: () => void },
    readonly inputs: string,
    readonly bridge: Bridge,
  ) {}

  /** Needs root. `beforeServer` starts what else must listen on the bridge (an S3 server). */
  static async start(name: string, temporalCli: string, beforeServer?: (h: ClusterHarness) => Promise<void>): Promise<ClusterHarness> {
    requireRoot(`the multi-host (namespace) tests (${name})`);
    const tmp = makeTmpDir(name);
    const inputs = `${tmp.dir}/inputs`;
    await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [2000], refSamples: 400, snps: 1000, blockSnps: 100, seed: 22 }), inputs);
    const h = new ClusterHarness(tmp, inputs, createBridge());
    await beforeServer?.(h);
    // `start-dev --ip <bridge address>` binds its internal services there too but dials them at
    // 127.0.0.1 (frontend → matching: connection refused), so the server listens on 0.0.0.0; every
    // process (host or namespace) dials the bridge address.
    h.server = await startDevServer({ cli: temporalCli, dbFile: `${tmp.dir}/temporal.sqlite`, ip: '0.0.0.0', port: await freePort('0.0.0.0'), uiPort: await freePort('0.0.0.0'), headless: true, log: `${tmp.dir}/server.log` });
    h.temporalAddress = `${h.bridge.hostIp}:${h.server.address.split(':').pop()}`;
    h.connection = await Connection.connect({ address: h.temporalAddress });
    h.client = new Client({ connection: h.connection });
    return h;
  }

  /** A `pgsflow worker …` on the host, dialling the server at the bridge address. */
  async hostWorker(args: string[], env: NodeJS.ProcessEnv): Promise<LiveCli> {
    const w = spawnCli(['worker', ...args], { TEMPORAL_ADDRESS: this.temporalAddress, ...env });
    this.hostWorkers.push(w);
    await w.waitFor(/worker on /, 120_000);
    return w;
  }

  async stopHostWorker(w: LiveCli): Promise<void> {
    w.child.kill('SIGINT');
    await w.exit;
    this.hostWorkers.splice(this.hostWorkers.indexOf(w), 1);
  }

  /** Stops a namespaced worker (SIGINT: it drains) and forgets it. */
  async stopNamespaced(w: Namespaced): Promise<void> {
    w.child.kill('SIGINT');
    await w.exit;
    this.forget(w);
  }

  /** Forgets a namespaced worker that has exited (e.g. SIGKILLed by the test). */
  forget(w: Namespaced): void {
    w.cleanup();
    this.nsWorkers.splice(this.nsWorkers.indexOf(w), 1);
  }

  /**
   * Waits until worker `identity` runs a fit of study `runId` whose heartbeat satisfies `ready`
   * (e.g. past a checkpoint); fails at once, saying so, if the study closes first.
   */
  async runningFitOn(identity: string, runId: string, folds: number, ready: (beat: FitHeartbeat) => boolean): Promise<{ scope: string; beat: FitHeartbeat }> {
    return until(`a fit on ${identity} ready to be killed`, async () => {
      const fits = await runningFits(this.client, runId, folds);
      for (const [scope, f] of fits) if (f.identity === identity && f.beat && ready(f.beat)) return { scope, beat: f.beat };
      const { status } = await this.client.workflow.getHandle(runId).describe();
      if (status.name !== 'RUNNING') throw new Error(`study ${runId} closed (${status.name}) before a fit on ${identity} was ready to be killed`);
      return null;
    });
  }

  /** SIGKILLs `victim` (a compute worker mid-fit) and waits for the study to finish on the others. */
  async killAndFinish(victim: Namespaced, study: WorkflowHandle): Promise<StudyResult> {
    victim.child.kill('SIGKILL');
    if ((await victim.exit).signal !== 'SIGKILL') throw new Error('the compute worker was not killed by SIGKILL');
    this.forget(victim);
    return (await study.result()) as StudyResult;
  }

  async stop(): Promise<void> {
    for (const w of this.nsWorkers) {
      w.child.kill('SIGKILL');
      await w.exit;
      w.cleanup();
    }
    for (const w of this.hostWorkers) {
      w.child.kill('SIGINT');
      await w.exit;
    }
    await this.connection?.close();
    await this.server?.stop();
    this.bridge.remove();
  }
}

/** The sweep a recorded fit resumed from (null: it ran from sweep 0). */
export async function resumedFromSweep(storeDir: string, runId: string, scope: string): Promise<number | null> {
  const store = await Store.open(storeDir);
  try {
    const rows = await store.all<{ summary_json: string }>(`SELECT summary_json FROM fits WHERE run_id = $r AND scope = $s`, { r: runId, s: scope });
    if (!rows[0]) throw new Error(`no fit ${scope} in run ${runId}`);
    return (JSON.parse(rows[0].summary_json) as { resumedFromSweep: number | null }).resumedFromSweep;
  } finally {
    store.close();
  }
}
