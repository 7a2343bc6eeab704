import { describe, expect, it } from 'vitest';
import { ArtifactKeyError, ArtifactLocationError } from '../../core/artifacts/errors.js';
import { checkKey, contentKey } from '../../core/artifacts/artifactStore.js';
import { formatArtifactLocation, parseArtifactLocation } from '../../core/artifacts/location.js';
import { s3ClientConfig } from '../../core/artifacts/s3ArtifactStore.js';

describe('artifact location (--artifacts DIR|s3://bucket/prefix)', () => {
  it('reads folders, relative to the working directory, and file:// URLs', () => {
    expect(parseArtifactLocation('/data/pgs/artifacts/')).toEqual({ kind: 'file', dir: '/data/pgs/artifacts' });
    expect(parseArtifactLocation('art', '/home/u/run')).toEqual({ kind: 'file', dir: '/home/u/run/art' });
    expect(parseArtifactLocation('../shared/a', '/home/u/run')).toEqual({ kind: 'file', dir: '/home/u/shared/a' });
    expect(parseArtifactLocation('file:///scratch/pgs%20x')).toEqual({ kind: 'file', dir: '/scratch/pgs x' });
  });

  it('reads s3://bucket and s3://bucket/prefix, trailing slashes dropped', () => {
    expect(parseArtifactLocation('s3://pgs-bucket')).toEqual({ kind: 's3', bucket: 'pgs-bucket', prefix: '' });
    expect(parseArtifactLocation('s3://pgs-bucket/')).toEqual({ kind: 's3', bucket: 'pgs-bucket', prefix: '' });
    expect(parseArtifactLocation('S3://pgs.bucket.1/studies/run-7/')).toEqual({ kind: 's3', bucket: 'pgs.bucket.1', prefix: 'studies/run-7' });
  });

  it('formats back to the same location', () => {
    for (const text of ['/a/b', 's3://bkt', 's3://bkt/x/y']) expect(formatArtifactLocation(parseArtifactLocation(text))).toBe(text);
  });

  it('refuses what it cannot use, naming the string and the reason', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['s3://', /names no bucket/],
      ['s3:///prefix', /names no bucket/],
      ['s3://Upper/x', /not an S3 bucket name/],
      ['s3://ab', /not an S3 bucket name/],
      ['s3://a..b/x', /not an S3 bucket name/],
      ['s3://bkt/a//b', /empty segment/],
      ['s3://bkt/a/../b', /starts with "\."/],
      ['gs://bkt/x', /unknown scheme gs:\/\//],
      ['s3:/bkt/x', /mistyped s3:\/\//],
    ];
    for (const [text, why] of cases) {
      let err: unknown;
      try {
        parseArtifactLocation(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ArtifactLocationError);
      expect((err as ArtifactLocationError).location).toBe(text);
      expect((err as Error).message, text).toMatch(why);
    }
  });
});

describe('artifact keys', () => {
  it('takes relative paths of plain segments', () => {
    for (const k of ['a', 'runs/r1/fold-3/ckpt-000120.bin', 'ld/panel/block12.eigen.bin', contentKey('0'.repeat(64))]) expect(checkKey(k)).toBe(k);
  });

  it('refuses absolute, dotted, empty-segment, backslash and record-suffix keys', () => {
    for (const k of ['', '/abs', 'a/../b', './a', 'a/.hidden', 'a//b', 'a/', 'a\\b', 'a\nb', 'x.sha256']) {
      expect(() => checkKey(k), JSON.stringify(k)).toThrow(ArtifactKeyError);
    }
  });
});

describe('S3 client settings from the standard environment', () => {
  it('uses AWS endpoints only when set, with path-style addressing for them', () => {
    expect(s3ClientConfig({}, {})).toEqual({ region: 'us-east-1', forcePathStyle: false });
    expect(s3ClientConfig({}, { AWS_REGION: 'eu-west-2', AWS_ENDPOINT_URL: 'http://10.0.0.1:8333' })).toEqual({
      region: 'eu-west-2',
      endpoint: 'http://10.0.0.1:8333',
      forcePathStyle: true,
    });
    const both = s3ClientConfig({}, { AWS_DEFAULT_REGION: 'us-west-1', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' });
    expect(both).toEqual({ region: 'us-west-1', endpoint: 'http://s3:2', forcePathStyle: true });
    expect(s3ClientConfig({ endpoint: 'http://x:3', forcePathStyle: false, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, {})).toEqual({
      region: 'us-east-1',
      endpoint: 'http://x:3',
      forcePathStyle: false,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
});
