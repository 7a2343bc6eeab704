// The `s3` artifact backend: any S3-compatible service (AWS S3, SeaweedFS, MinIO, Ceph RGW), a
// bucket and a key prefix. Credentials come from the AWS SDK's standard chain (AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws, instance roles); an endpoint
// override (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, or the option) selects another service and
// then path-style addressing (`<endpoint>/<bucket>/<key>`), which S3-compatible servers expect.
//
// Every object carries its sha256 as user metadata (`x-amz-meta-sha256`), set when it is
// uploaded: a put hashes its source first (a stream is spooled to a local temporary file for
// that), so a retried put of stored bytes sends nothing, and other bytes under a stored key are an
// ArtifactConflictError. Uploads are multipart (lib-storage: parts of `partSize`, `queueSize` in
// flight, at most their product in memory); the bytes sent are hashed again on the way and must
// match. Downloads stream to a temporary file, hashed, and are renamed into place only on a match.
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import {
  type ArtifactSource,
  type ArtifactStore,
  type GetOptions,
  type PutOptions,
  type RangeOptions,
  SHA256_HEX,
  checkKey,
  checkListPrefix,
  contentKey,
} from './artifactStore.js';
import { ArtifactConflictError, ArtifactIntegrityError, ArtifactNotFoundError, ArtifactRangeError } from './errors.js';
import { type Hashed, hashStream, sha256Of, tmpNameFor, writeHashed } from './hashedCopy.js';

export interface S3StoreOptions {
  /** Service endpoint, e.g. `http://127.0.0.1:8333` for a SeaweedFS test server; default from the environment, else AWS. */
  endpoint?: string;
  /** Default AWS_REGION, AWS_DEFAULT_REGION, else `us-east-1` (S3-compatible servers ignore it). */
  region?: string;
  /** Path-style URLs; default true when an endpoint is given. */
  forcePathStyle?: boolean;
  /** Explicit keys; default the SDK's chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size in bytes (default 16 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once (default 4). */
  queueSize?: number;
  /** Where streamed puts are spooled to be hashed first (default the OS temporary folder). */
  spoolDir?: string;
  /** Use this client instead of making one (its endpoint/credentials settings then apply). */
  client?: S3Client;
}

const CHUNK = 1 << 20;
const META = 'sha256';

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (e: unknown): number | undefined => (e as S3ErrorShape | undefined)?.$metadata?.httpStatusCode;
const isNotFound = (e: unknown): boolean => {
  const name = (e as S3ErrorShape | undefined)?.name;
  return statusOf(e) === 404 || name === 'NotFound' || name === 'NoSuchKey';
};

/** The client settings from options and the standard environment variables. */
export function s3ClientConfig(options: S3StoreOptions, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  return {
    region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly spoolDir: string;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    options: S3StoreOptions = {},
  ) {
    this.location = `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.client = options.client ?? new S3Client(s3ClientConfig(options));
    this.partSize = options.partSize ?? 16 << 20;
    this.queueSize = options.queueSize ?? 4;
    this.spoolDir = options.spoolDir ?? tmpdir();
  }

  /** The object key of artifact `key`. */
  objectKey(key: string): string {
    checkKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  async put(source: ArtifactSource, options: PutOptions = {}): Promise<ArtifactRef> {
    if (options.key !== undefined) checkKey(options.key);
    if ('stream' in source) {
      await mkdir(this.spoolDir, { recursive: true });
      const spool = tmpNameFor(join(this.spoolDir, 'pgsflow-s3-spool'));
      try {
        await writeHashed(source.stream, spool);
        return await this.put({ path: spool }, options);
      } finally {
        await rm(spool, { force: true });
      }
    }
    const path = source.path;
    const local = await hashStream(createReadStream(path, { highWaterMark: CHUNK }));
    const key = options.key ?? contentKey(local.sha256);
    const ref: ArtifactRef = { key, ...local };
    const stored = await this.headObject(key);
    if (stored !== undefined) {
      if (stored.sha256 !== local.sha256 || stored.bytes !== local.bytes) throw new ArtifactConflictError(key, this.location, stored.sha256, local.sha256);
      return ref;
    }
    const sent = createHash('sha256');
    let sentBytes = 0;
    async function* body(): AsyncGenerator<Buffer> {
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
        const b = chunk as Buffer;
        sent.update(b);
        sentBytes += b.length;
        yield b;
      }
    }
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: Readable.from(body()),
        ContentType: 'application/octet-stream',
        Metadata: { [META]: local.sha256 },
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    if (options.onProgress) {
      const report = options.onProgress;
      upload.on('httpUploadProgress', (p) => {
        if (p.loaded !== undefined) report(p.loaded);
      });
    }
    await upload.done();
    const sentSha = sent.digest('hex');
    if (sentSha !== local.sha256 || sentBytes !== local.bytes) {
      // The source changed between hashing and sending: the object holds neither version reliably.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      throw new ArtifactIntegrityError(key, this.location, local.sha256, `${sentSha} (${path} changed while it was uploaded)`);
    }
    // Two writers of one key race without a lock: whoever finished last holds it. Say so when it was not us.
    const after = await this.headObject(key);
    if (after?.sha256 !== local.sha256) throw new ArtifactConflictError(key, this.location, after?.sha256, local.sha256);
    return ref;
  }

  /** The object's recorded hash and size; undefined when absent; sha256 undefined on an object not written by a store. */
  private async headObject(key: string): Promise<{ sha256: string | undefined; bytes: number } | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      const sha = out.Metadata?.[META];
      return { sha256: sha !== undefined && SHA256_HEX.test(sha) ? sha : undefined, bytes: out.ContentLength ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async head(key: string): Promise<ArtifactRef | undefined> {
    const h = await this.headObject(key);
    if (h === undefined) return undefined;
    if (h.sha256 === undefined) throw new ArtifactIntegrityError(key, this.location, 'a recorded sha256 (x-amz-meta-sha256)', 'an object without one');
    return { key, sha256: h.sha256, bytes: h.bytes };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.headObject(key)) !== undefined;
  }

  async get(what: string | ArtifactRef, dest: string, options: GetOptions = {}): Promise<ArtifactRef> {
    const key = typeof what === 'string' ? what : what.key;
    let out;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (e) {
      if (isNotFound(e)) throw new ArtifactNotFoundError(key, this.location);
      throw e;
    }
    const recorded = out.Metadata?.[META];
    const expected = typeof what === 'string' ? recorded : what.sha256;
    const body = out.Body;
    if (!(body instanceof Readable)) throw new Error(`S3 GetObject of ${key} returned no stream body`);
    if (expected === undefined || !SHA256_HEX.test(expected)) {
      body.destroy();
      throw new ArtifactIntegrityError(key, this.location, 'a recorded sha256 (x-amz-meta-sha256)', 'an object without one');
    }
    const file = resolve(dest);
    await mkdir(dirname(file), { recursive: true });
    const tmp = tmpNameFor(file);
    let got: Hashed;
    try {
      got = await writeHashed(body, tmp, options.onProgress);
      if (got.sha256 !== expected) throw new ArtifactIntegrityError(key, this.location, expected, got.sha256);
      if (typeof what !== 'string' && got.bytes !== what.bytes) throw new ArtifactIntegrityError(key, this.location, `${what.bytes} bytes`, `${got.bytes} bytes`);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    return { key, ...got };
  }

  async readRange(key: string, offset: number, length: number, options: RangeOptions = {}): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new ArtifactRangeError(key, offset, length, (await this.headObject(key))?.bytes ?? 0);
    }
    if (length === 0) {
      const h = await this.headObject(key);
      if (h === undefined) throw new ArtifactNotFoundError(key, this.location);
      if (offset > h.bytes) throw new ArtifactRangeError(key, offset, length, h.bytes);
      return Buffer.alloc(0);
    }
    let buf: Buffer;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      if (out.Body === undefined) throw new Error(`S3 GetObject of ${key} returned no body`);
      buf = Buffer.from(await out.Body.transformToByteArray());
      // A range running past the end is answered with what there is (206): report the object's size.
      const size = Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? Number.NaN);
      if (buf.length !== length) throw new ArtifactRangeError(key, offset, length, Number.isFinite(size) ? size : offset + buf.length);
    } catch (e) {
      if (isNotFound(e)) throw new ArtifactNotFoundError(key, this.location);
      if (statusOf(e) === 416) throw new ArtifactRangeError(key, offset, length, (await this.headObject(key))?.bytes ?? 0);
      throw e;
    }
    if (options.sha256 !== undefined) {
      const got = sha256Of(buf);
      if (got !== options.sha256) throw new ArtifactIntegrityError(`${key} [${offset}, ${offset + length})`, this.location, options.sha256, got);
    }
    return buf;
  }

  async list(prefix = ''): Promise<string[]> {
    checkListPrefix(prefix);
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${base}${prefix}`, ...(token === undefined ? {} : { ContinuationToken: token }) }),
      );
      for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key.slice(base.length));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }
}
