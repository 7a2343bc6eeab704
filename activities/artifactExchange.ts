// The S3 exchange's two ends (contracts/artifactExchange.ts). The store worker publishes a compute
// call's inputs and fetches its outputs back (store-queue activities); a compute worker started
// with `--artifacts s3://…` runs every compute activity on a local mirror of the store host's
// paths (`<cache>/fs/<path>`): inputs placed from the manifest, the activity run on the mirrored
// paths, what it wrote uploaded and returned as refs. Checkpoints a fit writes are uploaded as they
// are written and named in its heartbeat, so the next attempt — on any host — starts from them.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import {
  type ArtifactExchangeActivities,
  type ExchangeManifest,
  type ExchangedFile,
  type ExchangedResult,
  argumentPaths,
  isExchangeEnvelope,
  mapPaths,
  withinOutputs,
} from '../contracts/artifactExchange.js';
import { ConfigError } from '../config/errors.js';
import type { ArtifactStore } from '../core/artifacts/artifactStore.js';
import { ContentUploader, fetchFiles, filesOf, placeFiles } from '../core/artifacts/exchangeFiles.js';
import { withFailureMapping } from './failures.js';

const noExchange = (what: string): ConfigError =>
  new ConfigError('store worker', [
    { field: '--artifacts', message: `${what}: the study exchanges files through an artifact store (S3 mode), but this store worker has none; start it with --artifacts s3://bucket/prefix` },
  ]);

/** Store queue: publish a compute call's inputs, fetch its outputs. `store` null: not in S3 mode. */
export function makeArtifactExchangeActivities(store: ArtifactStore | null): ArtifactExchangeActivities {
  const uploader = store ? new ContentUploader(store) : null;
  return withFailureMapping({
    async publishInputs(args: unknown[]) {
      if (!store || !uploader) throw noExchange('publishInputs');
      const { inputs } = argumentPaths(args);
      const paths = [...new Set((await Promise.all(inputs.map(filesOf))).flat())].sort();
      const { files, transfer } = await uploader.upload(paths);
      const manifest: ExchangeManifest = { files };
      const ref = await store.put({ stream: Readable.from([Buffer.from(JSON.stringify(manifest))]) });
      return { manifest: ref, transfer };
    },
    async fetchOutputs(outputs: ExchangedFile[], allowed: string[]) {
      if (!store) throw noExchange('fetchOutputs');
      for (const f of outputs) {
        if (!withinOutputs(f.path, allowed)) {
          throw new ConfigError('compute worker', [{ field: 'outputs', message: `returned ${f.path}, which is not among the call's outputs (${allowed.join(', ')}); refused` }]);
        }
      }
      return fetchFiles(store, outputs);
    },
  });
}

type AsyncFn = (...args: never[]) => Promise<unknown>;

/** A compute worker's end: the mirror folder, the uploads, the wrapper around its activities. */
export class ComputeExchange {
  private readonly uploader: ContentUploader;
  readonly mirror: string;

  constructor(
    readonly store: ArtifactStore,
    readonly cacheDir: string,
  ) {
    this.uploader = new ContentUploader(store);
    this.mirror = join(resolve(cacheDir), 'fs');
  }

  /** Where the store host's `path` lives on this host. */
  local = (path: string): string => `${this.mirror}${path}`;

  /** The store host's name of a mirrored path (other paths unchanged). */
  original = (path: string): string => (path.startsWith(`${this.mirror}/`) ? path.slice(this.mirror.length) : path);

  /**
   * Uploads a checkpoint just written at (mirrored) `path`; a private copy is uploaded, so the fit
   * may replace the file meanwhile. Returns it under the store host's name.
   */
  async publishCheckpoint(path: string): Promise<ExchangedFile> {
    const staged = join(this.cacheDir, 'staging', randomUUID());
    await mkdir(dirname(staged), { recursive: true });
    try {
      await copyFile(path, staged);
      const ref = await this.store.put({ path: staged });
      return { path: this.original(path), ref };
    } finally {
      await rm(staged, { force: true });
    }
  }

  private async manifest(ref: ExchangedFile['ref']): Promise<ExchangeManifest> {
    const at = join(this.cacheDir, 'manifests', ref.sha256);
    await mkdir(dirname(at), { recursive: true });
    await this.store.get(ref, at);
    return JSON.parse(await readFile(at, 'utf8')) as ExchangeManifest;
  }

  /** Every activity of `activities` run on the mirror, taking the manifest and returning ExchangedResult. */
  wrap<T extends Record<string, AsyncFn>>(activities: T): T {
    const out: Record<string, AsyncFn> = {};
    for (const [name, fn] of Object.entries(activities)) {
      out[name] = async (...given: never[]) => {
        const envelope: unknown = given.at(-1);
        if (!isExchangeEnvelope(envelope)) {
          throw new ConfigError('compute worker', [
            {
              field: '--artifacts',
              message:
                `this worker exchanges files through ${this.store.location}, but ${name} came without a manifest: ` +
                'the study was started for a shared folder; start it with --artifacts s3://… (and the store worker with the same), or run this worker with --artifacts DIR',
            },
          ]);
        }
        const args = given.slice(0, -1) as unknown[];
        const { outputs } = argumentPaths(args);
        const manifest = await this.manifest(envelope.artifactManifest);
        await placeFiles(this.store, manifest.files, this.local, this.cacheDir);
        // A fit killed on another host: its newest checkpoints, named in its last heartbeat.
        const before = heartbeatFiles(Context.current().info.heartbeatDetails);
        if (before.length > 0) await placeFiles(this.store, before.filter((f) => withinOutputs(f.path, outputs)), this.local, this.cacheDir, { copy: true });
        for (const o of outputs) await mkdir(dirname(this.local(o)), { recursive: true });
        const result = await fn(...(mapPaths(args, this.local) as never[]));
        const written = [...new Set((await Promise.all(outputs.map((o) => filesOf(this.local(o))))).flat())].sort();
        const { files } = await this.uploader.upload(written);
        const exchanged: ExchangedResult<unknown> = {
          exchanged: true,
          result: mapPaths(result, this.original),
          outputs: files.map((f) => ({ path: this.original(f.path), ref: f.ref })),
        };
        return exchanged;
      };
    }
    return withFailureMapping(out) as unknown as T;
  }
}

/** The exchanged files an earlier attempt's heartbeat named (`exchanged` of FitHeartbeat). */
function heartbeatFiles(details: unknown): ExchangedFile[] {
  if (details === null || typeof details !== 'object') return [];
  const x = (details as { exchanged?: unknown }).exchanged;
  if (!Array.isArray(x)) return [];
  return x.filter((f): f is ExchangedFile => f !== null && typeof f === 'object' && typeof (f as ExchangedFile).path === 'string' && typeof (f as ExchangedFile).ref?.sha256 === 'string');
}
