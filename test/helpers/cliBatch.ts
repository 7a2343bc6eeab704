// Runs many `pgsflow` command lines in ONE process (the real CLI entry point, client/cli.ts
// main(), as bin/pgsflow.js calls it) to spare the ~1-2 s start-up per command. After each
// command it snapshots the given folders (every file's sha256, every symlink's target), so a
// test can prove a refused command changed nothing. Usage (from a test):
//   node --import tsx test/helpers/cliBatch.ts cases.json results.json
// cases.json: [{ "argv": [...], "env": {...}, "snapshot": ["/dir", ...] }, ...]
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { main } from '../../client/cli.js';

export interface BatchCase {
  argv: string[];
  env?: Record<string, string | null>;
  snapshot?: string[];
}
export interface BatchResult {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** folder → { relative path → sha256 | 'dir' | 'link:<target>' } after the command. */
  snapshots: Record<string, Record<string, string>>;
}

export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(p, r);
      } else out[r] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root, '');
  return out;
}

async function runAll(cases: BatchCase[]): Promise<BatchResult[]> {
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const results: BatchResult[] = [];
  for (const c of cases) {
    let stdout = '';
    let stderr = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stderr.write;
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(c.env ?? {})) {
      saved[k] = process.env[k];
      if (v === null) delete process.env[k];
      else process.env[k] = v;
    }
    const t0 = Date.now();
    let status: number;
    try {
      status = await main(c.argv);
    } catch (e) {
      stderr += `uncaught: ${(e as Error).stack ?? String(e)}\n`;
      status = -1;
    } finally {
      process.stdout.write = realOut;
      process.stderr.write = realErr;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const snapshots: BatchResult['snapshots'] = {};
    for (const d of c.snapshot ?? []) snapshots[d] = snapshotTree(d);
    results.push({ status, stdout, stderr, ms: Date.now() - t0, snapshots });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BatchCase[];
  const results = await runAll(cases);
  writeFileSync(process.argv[3]!, JSON.stringify(results));
  process.exitCode = 0;
}

/** Run `cases` in one child process through the real CLI entry point. */
export function runCliBatch(cases: BatchCase[], workDir: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): BatchResult[] {
  const input = join(workDir, `.batch-${process.pid}-${Date.now()}.json`);
  const output = `${input}.out`;
  writeFileSync(input, JSON.stringify(cases));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), input, output], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: timeoutMs,
    });
    if (r.status !== 0) throw new Error(`cliBatch exited ${r.status} ${r.signal ?? ''}:\n${r.stderr}`);
    return JSON.parse(readFileSync(output, 'utf8')) as BatchResult[];
  } finally {
    rmSync(input, { force: true });
    rmSync(output, { force: true });
  }
}
