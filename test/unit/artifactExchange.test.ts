// The S3 exchange's parts without Temporal or S3 (the file backend stands in for the bucket; the
// S3 backend runs the same calls in test/cluster/s3Mode.test.ts): which paths a call reads and
// writes, which files a path names, uploads by content, placing files on a mirror, and the
// compute-side wrapper (inputs from the manifest, outputs back, checkpoints from a heartbeat).
import { MockActivityEnvironment } from '@temporalio/testing';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ComputeExchange, makeArtifactExchangeActivities } from '../../activities/artifactExchange.js';
import { type ExchangeManifest, type ExchangedResult, argumentPaths, mapPaths, withinOutputs } from '../../contracts/artifactExchange.js';
import { FileArtifactStore } from '../../core/artifacts/fileArtifactStore.js';
import { ContentUploader, fetchFiles, filesOf, placeFiles } from '../../core/artifacts/exchangeFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('exchange');
afterAll(() => tmp.cleanup());

function write(path: string, text: string): string {
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('which paths a compute call reads and writes', () => {
  it('top-level output fields are outputs; every other absolute path, at any depth, is an input', () => {
    const req = { sumstats: '/s/gwas.ma', ld: '/p/ld', out: '/a/fit/EUR', resumeFrom: '/a/old/EUR', nested: { files: ['/x/1', 'rel/2'], n: 3 }, note: 'text /not a path' };
    expect(argumentPaths([req])).toEqual({ inputs: ['/a/old/EUR', '/p/ld', '/s/gwas.ma', '/x/1'], outputs: ['/a/fit/EUR'] });
    // A nested `out` is an input (only the request's own fields name outputs); positional strings are inputs.
    expect(argumentPaths([{ inner: { out: '/y' } }, '/z'])).toEqual({ inputs: ['/y', '/z'], outputs: [] });
    expect(mapPaths({ a: '/x', b: ['/y', 'rel', 4], c: null }, (p) => `/m${p}`)).toEqual({ a: '/m/x', b: ['/m/y', 'rel', 4], c: null });
  });

  it('an output covers the path, what is under it and <prefix>.* beside it — nothing else', () => {
    const outs = ['/a/fit/EUR', '/a/panel'];
    for (const p of ['/a/fit/EUR', '/a/fit/EUR.json', '/a/fit/EUR.chain1.ckpt', '/a/panel/block1.bin', '/a/panel/x/y']) expect(withinOutputs(p, outs)).toBe(true);
    for (const p of ['/a/fit/EURO.json', '/a/fit/other', '/a/panel/../secret', '/etc/passwd', 'a/fit/EUR.json', '/a/fit/EUR./x']) expect(withinOutputs(p, outs)).toBe(false);
  });

  it('a path names itself, a folder everything under it, a prefix its <prefix>.* files', async () => {
    const d = `${tmp.dir}/names`;
    write(`${d}/ref.bed`, 'b');
    write(`${d}/ref.bim`, 'm');
    write(`${d}/refx.bed`, 'no');
    write(`${d}/panel/a.bin`, 'a');
    write(`${d}/panel/sub/b.bin`, 'b');
    expect(await filesOf(`${d}/ref`)).toEqual([`${d}/ref.bed`, `${d}/ref.bim`]);
    expect(await filesOf(`${d}/ref.bed`)).toEqual([`${d}/ref.bed`]);
    expect(await filesOf(`${d}/panel`)).toEqual([`${d}/panel/a.bin`, `${d}/panel/sub/b.bin`]);
    expect(await filesOf(`${d}/nothing`)).toEqual([]);
    expect(await filesOf(`${d}/no/such/dir/x`)).toEqual([]);
  });
});

describe('moving files by content', () => {
  it('uploads once per content, places files from a local content cache, fetches outputs to their paths', async () => {
    const bucket = new FileArtifactStore(`${tmp.dir}/bucket1`);
    const a = write(`${tmp.dir}/host/a.txt`, 'same bytes');
    const b = write(`${tmp.dir}/host/b.txt`, 'same bytes');
    const c = write(`${tmp.dir}/host/c.txt`, 'other');
    const up = new ContentUploader(bucket);
    const first = await up.upload([a, b, c]);
    expect(first.files.map((f) => f.ref.key)).toEqual([first.files[0]!.ref.key, first.files[0]!.ref.key, first.files[2]!.ref.key]);
    expect(first.files[0]!.ref.key).toMatch(/^sha256\/[0-9a-f]{64}$/);
    expect(first.transfer).toEqual({ files: 3, bytes: 25, reused: 0 });
    // Unchanged files are not hashed again.
    expect((await up.upload([a, c])).transfer).toEqual({ files: 0, bytes: 0, reused: 2 });

    const mirror = (p: string): string => `${tmp.dir}/mirror${p}`;
    const placed = await placeFiles(bucket, first.files, mirror, `${tmp.dir}/cache`);
    expect(placed).toEqual({ files: 2, bytes: 15, reused: 1 });
    expect(readFileSync(mirror(b), 'utf8')).toBe('same bytes');
    // Inputs share the cached copy (hard links); the second placement downloads nothing.
    expect(statSync(mirror(a)).ino).toBe(statSync(mirror(b)).ino);
    expect(await placeFiles(bucket, first.files, mirror, `${tmp.dir}/cache`)).toEqual({ files: 0, bytes: 0, reused: 3 });
    // Copies for files an activity may rewrite.
    await placeFiles(bucket, [first.files[2]!], (p) => `${tmp.dir}/copy${p}`, `${tmp.dir}/cache`, { copy: true });
    expect(statSync(`${tmp.dir}/copy${c}`).ino).not.toBe(statSync(mirror(c)).ino);

    const back = first.files.map((f) => ({ ...f, path: `${tmp.dir}/back${f.path}` }));
    expect(await fetchFiles(bucket, back)).toEqual({ files: 3, bytes: 25, reused: 0 });
    expect(readFileSync(`${tmp.dir}/back${c}`, 'utf8')).toBe('other');
  });

  it('refuses an object whose bytes no longer match its ref', async () => {
    const bucket = new FileArtifactStore(`${tmp.dir}/bucket2`);
    const f = write(`${tmp.dir}/tamper/x.bin`, 'original');
    const { files } = await new ContentUploader(bucket).upload([f]);
    writeFileSync(`${tmp.dir}/bucket2/${files[0]!.ref.key}`, 'tampered');
    await expect(placeFiles(bucket, files, (p) => `${tmp.dir}/m2${p}`, `${tmp.dir}/cache2`)).rejects.toThrow(/sha256|integrity|does not match/i);
    expect(existsSync(`${tmp.dir}/m2${f}`)).toBe(false);
  });
});

describe('the two ends around one compute call', () => {
  it('store publishes inputs, compute runs on its mirror and returns its outputs, store fetches them to the paths named', async () => {
    const bucket = new FileArtifactStore(`${tmp.dir}/bucket3`);
    const host = `${tmp.dir}/storehost`;
    const sumstats = write(`${host}/inputs/gwas.ma`, 'SNP A1 A2\nrs1 A G\n');
    write(`${host}/ld/block1.bin`, 'eigen');
    const req = { sumstats, ld: `${host}/ld`, out: `${host}/runs/r/fold-1/SBayesRC`, iterations: 10 };
    const store = makeArtifactExchangeActivities(bucket);
    const { manifest, transfer } = await store.publishInputs([req]);
    expect(transfer.files).toBe(2);

    const exchange = new ComputeExchange(bucket, `${tmp.dir}/computecache`);
    const seen: unknown[] = [];
    const acts = exchange.wrap({
      fake: async (r: typeof req) => {
        seen.push(r);
        // The activity reads its inputs and writes its outputs on the mirror.
        const text = readFileSync(r.sumstats, 'utf8') + readFileSync(`${r.ld}/block1.bin`, 'utf8');
        writeFileSync(`${r.out}.json`, JSON.stringify({ bytes: text.length }));
        writeFileSync(`${r.out}.ckpt`, 'chain state');
        return { summary: `${r.out}.json`, n: 1 };
      },
    });
    const answer = (await new MockActivityEnvironment().run<unknown[], unknown, (...a: unknown[]) => Promise<unknown>>(acts.fake as (...a: unknown[]) => Promise<unknown>, req, { artifactManifest: manifest })) as ExchangedResult<{ summary: string; n: number }>;
    expect((seen[0] as typeof req).sumstats).toBe(`${exchange.mirror}${sumstats}`);
    expect(answer.result).toEqual({ summary: `${req.out}.json`, n: 1 });
    expect(answer.outputs.map((o) => o.path)).toEqual([`${req.out}.ckpt`, `${req.out}.json`]);
    expect(existsSync(`${req.out}.json`)).toBe(false); // not on the store host until fetched
    await store.fetchOutputs(answer.outputs, [req.out]);
    expect(JSON.parse(readFileSync(`${req.out}.json`, 'utf8'))).toEqual({ bytes: 23 });
    // A compute worker's answer naming a path outside the call's outputs is refused.
    await expect(store.fetchOutputs([{ ...answer.outputs[0]!, path: `${host}/inputs/gwas.ma` }], [req.out])).rejects.toThrow(/not among the call's outputs/);
    const manifestJson = JSON.parse(readFileSync(`${tmp.dir}/computecache/manifests/${manifest.sha256}`, 'utf8')) as ExchangeManifest;
    expect(manifestJson.files.map((f) => f.path).sort()).toEqual([`${host}/inputs/gwas.ma`, `${host}/ld/block1.bin`]);
  });

  it('a retry starts from the checkpoint its last heartbeat named; a call without a manifest is refused', async () => {
    const bucket = new FileArtifactStore(`${tmp.dir}/bucket4`);
    const out = `${tmp.dir}/h4/runs/r/fit/EUR`;
    const ckpt = write(`${tmp.dir}/elsewhere/EUR.ckpt`, 'sweep 40');
    const { files } = await new ContentUploader(bucket).upload([ckpt]);
    const manifest = await bucket.put({ stream: Readable.from([Buffer.from(JSON.stringify({ files: [] }))]) });
    const exchange = new ComputeExchange(bucket, `${tmp.dir}/cc4`);
    const acts = exchange.wrap({ resume: async (r: { out: string }) => readFileSync(`${r.out}.ckpt`, 'utf8') });
    const details = { exchanged: [{ path: `${out}.ckpt`, ref: files[0]!.ref }, { path: '/somewhere/else', ref: files[0]!.ref }] };
    const env = new MockActivityEnvironment({ heartbeatDetails: details });
    const answer = (await env.run<unknown[], unknown, (...a: unknown[]) => Promise<unknown>>(acts.resume as (...a: unknown[]) => Promise<unknown>, { out }, { artifactManifest: manifest })) as ExchangedResult<string>;
    expect(answer.result).toBe('sweep 40');
    // Only files within the call's outputs are restored.
    expect(existsSync(`${exchange.mirror}/somewhere/else`)).toBe(false);
    await expect(new MockActivityEnvironment().run(acts.resume as (...a: unknown[]) => Promise<unknown>, { out })).rejects.toThrow(/came without a manifest/);
    await expect(makeArtifactExchangeActivities(null).publishInputs([{}])).rejects.toThrow(/this store worker has none; start it with --artifacts s3:/);
  });
});
