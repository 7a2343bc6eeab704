// The `s3` artifact backend against a real S3 server (SeaweedFS built from its Go module, started
// on free ports): multipart round trip of a multi-MB file, ranged reads, idempotent re-puts,
// corruption detected on read (the object rewritten behind the store's back through the S3 API),
// missing keys. The same behaviour on a folder: test/unit/artifactStoreFile.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeaweedS3 } from '../../client/seaweedfsServer.js';
import {
  ArtifactConflictError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactRangeError,
} from '../../core/artifacts/errors.js';
import { openArtifactStore } from '../../core/artifacts/openArtifactStore.js';
import { S3ArtifactStore } from '../../core/artifacts/s3ArtifactStore.js';
import { s3OptionsFor, startTestS3 } from '../helpers/seaweedS3.js';
import { makeTmpDir } from '../helpers/tmp.js';

const BUCKET = 'pgsflow-it';
const PREFIX = 'studies/it';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('s3 artifact store on SeaweedFS', () => {
  let tmp: { dir: string; cleanup: () => void };
  let s3: SeaweedS3;
  let store: S3ArtifactStore;
  const BIG = 23 * (1 << 20) + 12_345; // five 5 MiB parts and a short last one
  let big: Buffer;
  let bigPath: string;

  beforeAll(async () => {
    tmp = makeTmpDir('artifacts-s3');
    s3 = await startTestS3(join(tmp.dir, 'seaweed'), [BUCKET]);
    store = new S3ArtifactStore(BUCKET, PREFIX, { ...s3OptionsFor(s3), partSize: 5 << 20 });
    big = randomBytes(BIG);
    bigPath = join(tmp.dir, 'big.bin');
    writeFileSync(bigPath, big);
  });
  afterAll(async () => {
    store?.client.destroy();
    await s3?.stop();
    tmp?.cleanup();
  });

  it('round-trips a multi-MB file through a multipart upload, verified on the way back', async () => {
    const progress: number[] = [];
    const ref = await store.put({ path: bigPath }, { key: 'ld/panel-1/blocks.bin', onProgress: (b) => progress.push(b) });
    expect(ref).toEqual({ key: 'ld/panel-1/blocks.bin', sha256: sha(big), bytes: BIG });
    expect(progress.at(-1)).toBe(BIG);
    const head = await store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/ld/panel-1/blocks.bin` }));
    expect(head.Metadata?.sha256).toBe(sha(big));
    expect(head.ContentLength).toBe(BIG);
    expect(head.ETag).toMatch(/-5"?$/); // a multipart object's ETag names its part count
    expect(await store.head(ref.key)).toEqual(ref);
    expect(await store.exists(ref.key)).toBe(true);
    const out = join(tmp.dir, 'got', 'blocks.bin');
    let received = 0;
    expect(await store.get(ref.key, out, { onProgress: (b) => (received = b) })).toEqual(ref);
    expect(received).toBe(BIG);
    expect(readFileSync(out).equals(big)).toBe(true);
    expect(await store.get(ref, join(tmp.dir, 'got', 'again.bin'))).toEqual(ref);
  });

  it('stores a stream without a key under its content key', async () => {
    const data = randomBytes(7 << 20);
    const ref = await store.put({ stream: Readable.from([data.subarray(0, 3 << 20), data.subarray(3 << 20)]) });
    expect(ref).toEqual({ key: `sha256/${sha(data)}`, sha256: sha(data), bytes: data.length });
    const out = join(tmp.dir, 'stream.bin');
    await store.get(ref, out);
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('reads ranges (an LD block out of a panel file), across part boundaries, checked when a hash is given', async () => {
    await store.put({ path: bigPath }, { key: 'ld/panel-1/blocks.bin' });
    const ranges: [number, number][] = [[0, 100], [(5 << 20) - 50, 100], [12_345_678, 1 << 20], [BIG - 10, 10]];
    for (const [offset, length] of ranges) {
      const got = await store.readRange('ld/panel-1/blocks.bin', offset, length, { sha256: sha(big.subarray(offset, offset + length)) });
      expect(got.equals(big.subarray(offset, offset + length)), `${offset}+${length}`).toBe(true);
    }
    expect((await store.readRange('ld/panel-1/blocks.bin', BIG, 0)).length).toBe(0);
    const wrong = await caught(store.readRange('ld/panel-1/blocks.bin', 0, 100, { sha256: sha(big.subarray(1, 101)) }));
    expect(wrong).toBeInstanceOf(ArtifactIntegrityError);
    for (const [offset, length] of [[BIG - 10, 11], [BIG + 5, 1]] as const) {
      const e = await caught(store.readRange('ld/panel-1/blocks.bin', offset, length));
      expect(e, `${offset}+${length}`).toBeInstanceOf(ArtifactRangeError);
      expect((e as ArtifactRangeError).size).toBe(BIG);
    }
  });

  it('is idempotent: the same bytes again send nothing; other bytes under the key are a conflict', async () => {
    const data = randomBytes(6 << 20);
    const path = join(tmp.dir, 'ckpt.bin');
    writeFileSync(path, data);
    const first = await store.put({ path }, { key: 'ckpt/fit-1/iter-000100' });
    const objectKey = `${PREFIX}/ckpt/fit-1/iter-000100`;
    const before = await store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    await new Promise((r) => setTimeout(r, 1100)); // a re-upload would move LastModified by ≥ 1 s
    let sent = 0;
    expect(await store.put({ path }, { key: 'ckpt/fit-1/iter-000100', onProgress: (b) => (sent = b) })).toEqual(first);
    expect(await store.put({ stream: Readable.from([data]) }, { key: 'ckpt/fit-1/iter-000100' })).toEqual(first);
    expect(sent).toBe(0);
    const after = await store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    expect(after.LastModified).toEqual(before.LastModified);
    expect(after.ETag).toBe(before.ETag);

    const other = Buffer.from(data);
    other[0] = other[0]! ^ 1;
    writeFileSync(path, other);
    const err = await caught(store.put({ path }, { key: 'ckpt/fit-1/iter-000100' }));
    expect(err).toBeInstanceOf(ArtifactConflictError);
    expect(err.message).toContain('ckpt/fit-1/iter-000100');
    expect((err as ArtifactConflictError).storedSha256).toBe(sha(data));
    const out = join(tmp.dir, 'ckpt-back.bin');
    await store.get(first, out);
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('detects an object whose bytes changed behind its back, naming the key, and writes no destination', async () => {
    const data = randomBytes(3 << 20);
    const path = join(tmp.dir, 'victim.bin');
    writeFileSync(path, data);
    const ref = await store.put({ path }, { key: 'runs/r1/fold-2/effects.bin' });
    // Rewrite the object directly through the S3 API, keeping its recorded hash: one flipped byte.
    const corrupt = Buffer.from(data);
    corrupt[1_000_000] = corrupt[1_000_000]! ^ 0x40;
    await store.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/runs/r1/fold-2/effects.bin`, Body: corrupt, Metadata: { sha256: sha(data) } }),
    );
    const raw = await store.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/runs/r1/fold-2/effects.bin` }));
    expect(Buffer.from(await raw.Body!.transformToByteArray()).equals(corrupt)).toBe(true);
    const out = join(tmp.dir, 'victim-back.bin');
    for (const what of [ref.key, ref]) {
      const err = await caught(store.get(what, out));
      expect(err).toBeInstanceOf(ArtifactIntegrityError);
      expect(err.message).toContain('runs/r1/fold-2/effects.bin');
      expect(err.message).toContain(`s3://${BUCKET}/${PREFIX}`);
      expect((err as ArtifactIntegrityError).expected).toBe(sha(data));
      expect((err as ArtifactIntegrityError).actual).toBe(sha(corrupt));
      expect(existsSync(out)).toBe(false);
    }
  });

  it('reports a missing key as ArtifactNotFoundError naming it; head/exists say absent', async () => {
    const err = await caught(store.get('runs/none/x.bin', join(tmp.dir, 'none.bin')));
    expect(err).toBeInstanceOf(ArtifactNotFoundError);
    expect(err.message).toBe(`artifact runs/none/x.bin not found in s3://${BUCKET}/${PREFIX}`);
    expect(await caught(store.readRange('runs/none/x.bin', 0, 10))).toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.head('runs/none/x.bin')).toBeUndefined();
    expect(await store.exists('runs/none/x.bin')).toBe(false);
    expect(existsSync(join(tmp.dir, 'none.bin'))).toBe(false);
  });

  it('lists keys under a prefix, and opens from an s3:// location string', async () => {
    const other = openArtifactStore(`s3://${BUCKET}/listing`, { s3: s3OptionsFor(s3) });
    expect(other.location).toBe(`s3://${BUCKET}/listing`);
    for (const k of ['ckpt/fit-1/iter-200', 'ckpt/fit-1/iter-100', 'ckpt/fit-10/iter-100', 'ckpt/fit-2/iter-100']) {
      await other.put({ stream: Readable.from([Buffer.from(k)]) }, { key: k });
    }
    expect(await other.list('ckpt/fit-1/')).toEqual(['ckpt/fit-1/iter-100', 'ckpt/fit-1/iter-200']);
    expect(await other.list('ckpt/fit-1')).toEqual(['ckpt/fit-1/iter-100', 'ckpt/fit-1/iter-200', 'ckpt/fit-10/iter-100']);
    expect(await other.list()).toHaveLength(4);
    expect(await store.list('ckpt/')).toEqual(['ckpt/fit-1/iter-000100']);
    (other as S3ArtifactStore).client.destroy();
  });
});
