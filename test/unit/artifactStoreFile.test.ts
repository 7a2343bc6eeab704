// The `file` artifact backend (a folder): content hashes recorded and checked, idempotent puts,
// conflicts, ranged reads, listing. The same behaviour against a real S3 server:
// test/integration/artifactStoreS3.test.ts.
import { randomBytes, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../core/artifacts/fileArtifactStore.js';
import {
  ArtifactConflictError,
  ArtifactIntegrityError,
  ArtifactKeyError,
  ArtifactNotFoundError,
  ArtifactRangeError,
} from '../../core/artifacts/errors.js';
import { openArtifactStore } from '../../core/artifacts/openArtifactStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('file artifact store', () => {
  let tmp: { dir: string; cleanup: () => void };
  let store: FileArtifactStore;
  let root: string;
  beforeEach(() => {
    tmp = makeTmpDir('artifacts-file');
    root = join(tmp.dir, 'store');
    store = new FileArtifactStore(root);
  });
  afterEach(() => tmp.cleanup());

  const local = (name: string, data: Uint8Array): string => {
    const p = join(tmp.dir, name);
    writeFileSync(p, data);
    return p;
  };

  it('puts a file under its key, records its hash in sha256sum format and gets it back verified', async () => {
    const data = randomBytes(3 * (1 << 20) + 17);
    const ref = await store.put({ path: local('a.bin', data) }, { key: 'runs/r1/fold-1/a.bin' });
    expect(ref).toEqual({ key: 'runs/r1/fold-1/a.bin', sha256: sha(data), bytes: data.length });
    expect(readFileSync(join(root, 'runs/r1/fold-1/a.bin.sha256'), 'utf8')).toBe(`${sha(data)}  a.bin\n`);
    execFileSync('sha256sum', ['-c', '--quiet', 'a.bin.sha256'], { cwd: join(root, 'runs/r1/fold-1') });
    expect(await store.head(ref.key)).toEqual(ref);
    expect(await store.exists(ref.key)).toBe(true);
    const out = join(tmp.dir, 'out', 'a.bin');
    expect(await store.get(ref.key, out)).toEqual(ref);
    expect(readFileSync(out).equals(data)).toBe(true);
    expect(await store.get(ref, join(tmp.dir, 'out', 'b.bin'))).toEqual(ref);
    expect(readdirSync(join(root, '.partial'))).toEqual([]);
  });

  it('stores a stream without a key under its content key sha256/<hex>', async () => {
    const data = randomBytes(2_000_000);
    const chunks = Array.from({ length: 20 }, (_, i) => data.subarray(i * 100_000, (i + 1) * 100_000));
    let seen = 0;
    const ref = await store.put({ stream: Readable.from(chunks) }, { onProgress: (b) => (seen = b) });
    expect(ref).toEqual({ key: `sha256/${sha(data)}`, sha256: sha(data), bytes: data.length });
    expect(seen).toBe(data.length);
    expect(readFileSync(join(root, ref.key)).equals(data)).toBe(true);
  });

  it('is idempotent: the same bytes again return the same ref; other bytes are a conflict and change nothing', async () => {
    const data = randomBytes(10_000);
    const first = await store.put({ path: local('a', data) }, { key: 'ckpt/fit-1/iter-100' });
    expect(await store.put({ path: local('a-copy', data) }, { key: 'ckpt/fit-1/iter-100' })).toEqual(first);
    expect(await store.put({ stream: Readable.from([data]) }, { key: 'ckpt/fit-1/iter-100' })).toEqual(first);
    const other = randomBytes(10_000);
    const err = await caught(store.put({ path: local('b', other) }, { key: 'ckpt/fit-1/iter-100' }));
    expect(err).toBeInstanceOf(ArtifactConflictError);
    expect(err.message).toContain('ckpt/fit-1/iter-100');
    expect((err as ArtifactConflictError).storedSha256).toBe(sha(data));
    expect((err as ArtifactConflictError).newSha256).toBe(sha(other));
    expect(readFileSync(join(root, 'ckpt/fit-1/iter-100')).equals(data)).toBe(true);
    expect(readdirSync(join(root, '.partial'))).toEqual([]);
  });

  it('lets exactly one of two racing writers of one key win', async () => {
    const a = randomBytes(1 << 20);
    const b = randomBytes(1 << 20);
    const results = await Promise.allSettled([
      store.put({ path: local('a', a) }, { key: 'race' }),
      store.put({ path: local('b', b) }, { key: 'race' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(ArtifactConflictError);
    const stored = readFileSync(join(root, 'race'));
    expect((await store.head('race'))?.sha256).toBe(sha(stored));
  });

  it('detects a corrupt object on get, naming the key, and leaves no destination file', async () => {
    const data = randomBytes(100_000);
    const ref = await store.put({ path: local('a', data) }, { key: 'ld/block7.bin' });
    const corrupt = Buffer.from(data);
    corrupt[5_000] = corrupt[5_000]! ^ 0xff;
    writeFileSync(join(root, 'ld/block7.bin'), corrupt);
    const out = join(tmp.dir, 'got.bin');
    for (const what of [ref.key, ref]) {
      const err = await caught(store.get(what, out));
      expect(err).toBeInstanceOf(ArtifactIntegrityError);
      expect(err.message).toContain('ld/block7.bin');
      expect((err as ArtifactIntegrityError).expected).toBe(sha(data));
      expect((err as ArtifactIntegrityError).actual).toBe(sha(corrupt));
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('got.bin'))).toEqual([]);
  });

  it('checks a ref against the stored bytes (another hash is an integrity error)', async () => {
    const ref = await store.put({ path: local('a', randomBytes(1000)) }, { key: 'x' });
    const err = await caught(store.get({ ...ref, sha256: 'f'.repeat(64) }, join(tmp.dir, 'x')));
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
  });

  it('reads ranges, checked against a given hash and the object size', async () => {
    const data = randomBytes(50_000);
    await store.put({ path: local('a', data) }, { key: 'panel/eigen.bin' });
    const part = await store.readRange('panel/eigen.bin', 12_345, 6_789);
    expect(part.equals(data.subarray(12_345, 12_345 + 6_789))).toBe(true);
    expect((await store.readRange('panel/eigen.bin', 49_990, 10, { sha256: sha(data.subarray(49_990)) })).length).toBe(10);
    expect((await store.readRange('panel/eigen.bin', 50_000, 0)).length).toBe(0);
    expect(await caught(store.readRange('panel/eigen.bin', 0, 10, { sha256: sha(data.subarray(1, 11)) }))).toBeInstanceOf(ArtifactIntegrityError);
    const range = await caught(store.readRange('panel/eigen.bin', 49_990, 11));
    expect(range).toBeInstanceOf(ArtifactRangeError);
    expect((range as ArtifactRangeError).size).toBe(50_000);
    expect(await caught(store.readRange('panel/eigen.bin', -1, 5))).toBeInstanceOf(ArtifactRangeError);
  });

  it('reports a missing key as ArtifactNotFoundError naming it; head/exists say absent', async () => {
    const get = await caught(store.get('no/such/key', join(tmp.dir, 'o')));
    expect(get).toBeInstanceOf(ArtifactNotFoundError);
    expect(get.message).toContain('no/such/key');
    expect(get.message).toContain(root);
    expect(await caught(store.readRange('no/such/key', 0, 1))).toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.head('no/such/key')).toBeUndefined();
    expect(await store.exists('no/such/key')).toBe(false);
    expect(await store.exists('no')).toBe(false);
  });

  it('hashes a file written before hash records (today\'s artifact folders) and records it', async () => {
    const data = randomBytes(4096);
    mkdirSync(join(root, 'runs/old'), { recursive: true });
    writeFileSync(join(root, 'runs/old/effects.txt'), data);
    expect(await store.head('runs/old/effects.txt')).toEqual({ key: 'runs/old/effects.txt', sha256: sha(data), bytes: 4096 });
    expect(readFileSync(join(root, 'runs/old/effects.txt.sha256'), 'utf8')).toBe(`${sha(data)}  effects.txt\n`);
    expect(await store.put({ path: local('same', data) }, { key: 'runs/old/effects.txt' })).toEqual(await store.head('runs/old/effects.txt'));
  });

  it('lists keys under a prefix, without hash records or temporary files', async () => {
    for (const k of ['ckpt/fit-1/iter-200', 'ckpt/fit-1/iter-100', 'ckpt/fit-10/iter-100', 'ckpt/fit-2/iter-100', 'other']) {
      await store.put({ stream: Readable.from([Buffer.from(k)]) }, { key: k });
    }
    writeFileSync(join(root, 'ckpt/fit-1/iter-300.tmp-123-1700000000000-4'), 'partial');
    expect(await store.list('ckpt/fit-1/')).toEqual(['ckpt/fit-1/iter-100', 'ckpt/fit-1/iter-200']);
    expect(await store.list('ckpt/fit-1')).toEqual(['ckpt/fit-1/iter-100', 'ckpt/fit-1/iter-200', 'ckpt/fit-10/iter-100']);
    expect(await store.list()).toHaveLength(5);
    expect(await store.list('none/')).toEqual([]);
  });

  it('refuses keys that would leave the folder or collide with its bookkeeping', async () => {
    const p = local('a', Buffer.from('x'));
    for (const key of ['../escape', '/etc/passwd', '.partial/x', 'a/b.sha256']) {
      expect(await caught(store.put({ path: p }, { key }))).toBeInstanceOf(ArtifactKeyError);
    }
    expect(await caught(store.get('../x', join(tmp.dir, 'o')))).toBeInstanceOf(ArtifactKeyError);
  });

  it('opens from a location string', () => {
    const s = openArtifactStore(root);
    expect(s).toBeInstanceOf(FileArtifactStore);
    expect(s.location).toBe(root);
  });
});
