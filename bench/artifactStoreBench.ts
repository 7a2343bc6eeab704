// `npx tsx bench/artifactStoreBench.ts [--mb 200]`: artifact store throughput on this machine, the
// `file` backend (a folder) against the `s3` backend on a local SeaweedFS server (loopback): put of
// an N MB file (hash pass + copy/multipart upload), a verified get, an idempotent re-put, and 1 MiB
// ranged reads. Also the SeaweedFS startup time. Figures go to BENCHMARKS.md (issue 22).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWeed } from '../client/seaweedfs.js';
import { startSeaweedS3 } from '../client/seaweedfsServer.js';
import type { ArtifactStore } from '../core/artifacts/artifactStore.js';
import { FileArtifactStore } from '../core/artifacts/fileArtifactStore.js';
import { S3ArtifactStore } from '../core/artifacts/s3ArtifactStore.js';

const mbAt = process.argv.indexOf('--mb');
const MB = mbAt >= 0 ? Number(process.argv[mbAt + 1]) : 200;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - t) / 1e9];
}

async function measure(name: string, store: ArtifactStore, src: string, dir: string): Promise<string[]> {
  const bytes = statSync(src).size;
  const mb = bytes / 2 ** 20;
  const [ref, put] = await timed(() => store.put({ path: src }, { key: 'bench/big.bin' }));
  const [, reput] = await timed(() => store.put({ path: src }, { key: 'bench/big.bin' }));
  const [, get] = await timed(() => store.get(ref, join(dir, `${name}-back.bin`)));
  const N = 50;
  const [, ranges] = await timed(async () => {
    for (let i = 0; i < N; i++) await store.readRange(ref.key, Math.floor(((bytes - (1 << 20)) * i) / N), 1 << 20);
  });
  rmSync(join(dir, `${name}-back.bin`), { force: true });
  return [name, put.toFixed(2), (mb / put).toFixed(0), get.toFixed(2), (mb / get).toFixed(0), reput.toFixed(2), ((ranges / N) * 1000).toFixed(1)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgsflow-artifact-bench-'));
  try {
    const src = join(dir, 'big.bin');
    const fd = openSync(src, 'w');
    for (let i = 0; i < MB; i++) writeSync(fd, randomBytes(1 << 20));
    closeSync(fd);
    const weed = ensureWeed();
    const s3 = await startSeaweedS3({ weed, dataDir: join(dir, 'seaweed'), buckets: ['bench'] });
    console.log(`SeaweedFS ready in ${(s3.startupMs / 1000).toFixed(1)} s (${s3.endpoint}); file of ${MB} MiB`);
    const rows = [['backend', 'put (s)', 'put MB/s', 'get (s)', 'get MB/s', 're-put (s)', '1 MiB range (ms)']];
    try {
      rows.push(await measure('file', new FileArtifactStore(join(dir, 'folder')), src, dir));
      const store = new S3ArtifactStore('bench', 'p', { endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
      rows.push(await measure('s3 (SeaweedFS, loopback)', store, src, dir));
      store.client.destroy();
    } finally {
      await s3.stop();
    }
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
