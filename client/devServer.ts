// The embedded Temporal dev server: `temporal server start-dev` persisting to a SQLite file.
// It runs under a tiny shell watchdog that holds a pipe from us: when this process ends for
// any reason (even SIGKILL) the pipe closes and the watchdog stops the server, so no orphan
// server outlives the CLI. A clean stop closes the same pipe.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { Connection } from '@temporalio/client';

export interface DevServerOptions {
  cli: string;
  dbFile: string;
  /** gRPC port; if busy and `strictPorts` is false, a free port is chosen. */
  port: number;
  uiPort: number;
  ip?: string;
  namespace?: string;
  strictPorts?: boolean;
  /** Where the server's own output goes; 'inherit' streams it to our stdio. */
  log: string | 'inherit';
  readyTimeoutMs?: number;
  /** No web UI (tests); `uiPort` is then unused. */
  headless?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  pid: number;
  /** Resolves with the exit code once the server process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export class DevServerError extends Error {
  override readonly name = 'DevServerError';
}

/** Runs "$@" and TERMs it when our stdin pipe closes, so a server never outlives its parent. */
export const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'p=$!',
  '( read -r _ <&3; kill -TERM "$p" 2>/dev/null ) &',
  'w=$!',
  'exec 3<&-',
  'wait "$p"; rc=$?',
  'kill "$w" 2>/dev/null',
  'exit $rc',
].join('\n');

export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(false));
    srv.listen(port, host, () => srv.close(() => resolvePromise(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

async function choosePort(wanted: number, strict: boolean, what: string, ip: string): Promise<number> {
  if (await portIsFree(wanted, ip)) return wanted;
  if (strict) throw new DevServerError(`${what} port ${wanted} on ${ip} is already in use`);
  return freePort(ip);
}

/** Fresh-port attempts when a non-strict server dies while starting (see below). */
const START_ATTEMPTS = 3;

export async function startDevServer(opts: DevServerOptions, attempt = 1): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const strict = opts.strictPorts ?? false;
  const port = await choosePort(opts.port, strict, 'gRPC', ip);
  let uiPort = await choosePort(opts.uiPort, strict, 'UI', ip);
  if (uiPort === port) uiPort = await freePort(ip);
  const dbFile = resolve(opts.dbFile);
  await mkdir(dirname(dbFile), { recursive: true });

  const args = [
    'server', 'start-dev',
    '--db-filename', dbFile,
    '--ip', ip,
    '--port', String(port),
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(uiPort)]),
    '--namespace', opts.namespace ?? 'default',
    '--log-level', 'warn',
  ];
  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, 'temporal-watchdog', opts.cli, ...args], {
    // Own process group: terminal Ctrl-C reaches only us, and we stop the server in order.
    detached: true,
    stdio: ['pipe', opts.log === 'inherit' ? 'inherit' : 'pipe', opts.log === 'inherit' ? 'inherit' : 'pipe'],
  });
  if (opts.log !== 'inherit') {
    const out = createWriteStream(opts.log, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new DevServerError(`could not start ${opts.cli}`);

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
    if (!running) return;
    child.stdin?.end();
    const timer = setTimeout(killGroup, 15_000);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', killGroup);
  };

  const address = `${ip}:${port}`;
  try {
    await waitReady(address, opts.namespace ?? 'default', opts.readyTimeoutMs ?? 60_000, exited);
  } catch (e) {
    // A port found free can be taken by another process before the server binds it (parallel
    // tests and servers); when the server died (not timed out) and ports are ours to choose,
    // start again on fresh ones.
    const diedStarting = !running && !strict;
    await stop();
    if (diedStarting && attempt < START_ATTEMPTS) {
      return startDevServer({ ...opts, port: await freePort(ip), uiPort: await freePort(ip) }, attempt + 1);
    }
    const where = opts.log === 'inherit' ? '' : ` (server log: ${opts.log})`;
    throw new DevServerError(`Temporal dev server did not become ready: ${(e as Error).message}${where}`);
  }
  return { address, uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${uiPort}`, dbFile, pid, exited, stop };
}

async function waitReady(address: string, namespace: string, timeoutMs: number, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead: number | null | undefined;
  void exited.then((c) => {
    dead = c;
  });
  let lastError = 'timed out';
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`server exited with code ${dead}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await conn.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await conn.close();
      }
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(lastError);
}
