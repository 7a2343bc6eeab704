// A real S3 server for tests and for trying the `s3` artifact backend on one machine: SeaweedFS's
// `weed server` (master + volume + filer + S3 gateway in one process) on free ports, with a data
// folder and one S3 identity (access key / secret) of our own. Like client/devServer.ts it runs
// under a shell watchdog holding a pipe from us: when this process ends, even by SIGKILL, the pipe
// closes and the watchdog stops the server, so no orphan outlives a test run.
//
// Every listener gets an explicit port (SeaweedFS's defaults, gRPC = HTTP + 10000, collide between
// two servers on one host), the Iceberg/Lance side ports are off, its unix sockets go into the data
// folder (not a shared /tmp), and its anonymous usage telemetry is off (no traffic leaves the host).
// Ready = the S3 gateway accepts a signed request: the wanted buckets exist and a probe object can
// be written (which needs the volume server to have registered with the master) and deleted.
import { WATCHDOG } from './devServer.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './devServer.js';

export interface SeaweedS3Options {
  /** Path of the `weed` binary (client/seaweedfs.ts findWeed / ensureWeed). */
  weed: string;
  /** Data folder (volumes, filer metadata, sockets, identity file); created if absent. */
  dataDir: string;
  /** Address every SeaweedFS listener binds to and advertises (default 127.0.0.1; a veth address for namespaced clients). */
  ip?: string;
  /** S3 port (default a free one). */
  s3Port?: number;
  /** Buckets to create before it counts as ready. */
  buckets?: string[];
  /** Where the server's output goes (default `<dataDir>/weed.log`); 'inherit' streams it to our stdio. */
  log?: string | 'inherit';
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 3 s: weed's own shutdown can take minutes retrying its peers; test data is thrown away). */
  stopGraceMs?: number;
}

export interface SeaweedS3 {
  /** `http://<ip>:<s3Port>`, the endpoint to give the S3 client (path-style). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  pid: number;
  /** Milliseconds from spawn to ready. */
  startupMs: number;
  /** Resolves with the exit code once the server process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export class SeaweedServerError extends Error {
  override readonly name = 'SeaweedServerError';
}

/** `count` distinct free TCP ports on `ip`. */
async function freePorts(count: number, ip: string): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(ip));
  return [...ports];
}

export async function startSeaweedS3(opts: SeaweedS3Options): Promise<SeaweedS3> {
  const started = Date.now();
  const ip = opts.ip ?? '127.0.0.1';
  const dataDir = resolve(opts.dataDir);
  await mkdir(join(dataDir, 'data'), { recursive: true });
  const accessKeyId = `pgsflow${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const identityFile = join(dataDir, 's3-identity.json');
  const identities = { identities: [{ name: 'pgsflow', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] }] };
  await writeFile(identityFile, `${JSON.stringify(identities, null, 2)}\n`, { mode: 0o600 });

  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3Grpc, freeS3] = await freePorts(8, ip);
  const s3Port = opts.s3Port ?? freeS3!;
  const args = [
    'server',
    `-dir=${join(dataDir, 'data')}`,
    `-ip=${ip}`,
    `-ip.bind=${ip}`,
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=1024',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    '-volume.max=0',
    '-volume.preStopSeconds=0',
    '-filer',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    `-filer.localSocket=${join(dataDir, 'filer.sock')}`,
    '-s3',
    `-s3.port=${s3Port}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.localSocket=${join(dataDir, 's3.sock')}`,
    `-s3.config=${identityFile}`,
  ];
  const log = opts.log ?? join(dataDir, 'weed.log');
  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, 'seaweedfs-watchdog', opts.weed, ...args], {
    detached: true,
    stdio: ['pipe', log === 'inherit' ? 'inherit' : 'pipe', log === 'inherit' ? 'inherit' : 'pipe'],
  });
  if (log !== 'inherit') {
    const out = createWriteStream(log, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new SeaweedServerError(`could not start ${opts.weed}`);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const killGroup = (): void => {
    if (!running) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  const stop = async (): Promise<void> => {
    if (running) {
      child.stdin?.end();
      const timer = setTimeout(killGroup, opts.stopGraceMs ?? 3_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', killGroup);
  };

  const endpoint = `http://${ip}:${s3Port}`;
  const region = 'us-east-1';
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  try {
    await waitReady(client, opts.buckets ?? [], opts.readyTimeoutMs ?? 120_000, () => running);
  } catch (e) {
    await stop();
    const where = log === 'inherit' ? '' : ` (server log: ${log})`;
    throw new SeaweedServerError(`SeaweedFS S3 at ${endpoint} did not become ready: ${(e as Error).message}${where}`);
  } finally {
    client.destroy();
  }
  return { endpoint, region, accessKeyId, secretAccessKey, dataDir, pid, startupMs: Date.now() - started, exited, stop };
}

async function waitReady(client: S3Client, buckets: string[], timeoutMs: number, running: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probeBucket = buckets[0] ?? 'pgsflow-ready-probe';
  let lastError = 'timed out';
  while (Date.now() < deadline) {
    if (!running()) throw new Error('server exited');
    try {
      for (const b of new Set([...buckets, probeBucket])) {
        try {
          await client.send(new CreateBucketCommand({ Bucket: b }));
        } catch (e) {
          const name = (e as Error).name;
          if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
        }
      }
      const Key = `.ready-probe-${process.pid}`;
      await client.send(new PutObjectCommand({ Bucket: probeBucket, Key, Body: 'ready' }));
      await client.send(new DeleteObjectCommand({ Bucket: probeBucket, Key }));
      return;
    } catch (e) {
      lastError = `${(e as Error).name}: ${(e as Error).message}`;
      // A bad name never becomes good: say so now, not after the timeout.
      if ((e as Error).name === 'InvalidBucketName') throw new Error(`${lastError} (buckets: ${buckets.join(', ')})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(lastError);
}
