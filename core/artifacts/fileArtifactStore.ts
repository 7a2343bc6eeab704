// The `file` artifact backend: a folder (`<store>/artifacts`, or one path mounted on every node of
// an HPC cluster). An artifact is the file `<dir>/<key>`; its hash is recorded beside it in
// `<dir>/<key>.sha256` in `sha256sum` format (so `sha256sum -c` checks a folder by hand).
//
// A put streams into `<dir>/.partial/` while hashing, then publishes with link(2), which fails if
// the key exists: of two writers of one key exactly one wins, and the other compares hashes
// (same bytes: fine, other bytes: ArtifactConflictError). File systems without hard links fall
// back to rename. The data file is the truth; the record is written after it, and a data file
// without a record (written before records existed, or a crash in between) is hashed on demand.
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { DiskFullError, isDiskFull } from '../errors.js';
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

const PARTIAL = '.partial';
const RECORD = '.sha256';
const CHUNK = 1 << 20;

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

export class FileArtifactStore implements ArtifactStore {
  readonly dir: string;
  readonly location: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.location = this.dir;
  }

  private pathOf(key: string): string {
    return join(this.dir, checkKey(key));
  }

  async put(source: ArtifactSource, options: PutOptions = {}): Promise<ArtifactRef> {
    if (options.key !== undefined) checkKey(options.key);
    if ('path' in source && options.key !== undefined) {
      // A retry of a stored key: compare hashes without copying anything.
      const stored = await this.head(options.key);
      if (stored !== undefined) {
        const local = await hashStream(createReadStream(source.path, { highWaterMark: CHUNK }));
        if (local.sha256 !== stored.sha256) throw new ArtifactConflictError(options.key, this.location, stored.sha256, local.sha256);
        return { key: options.key, ...local };
      }
    }
    const partial = join(this.dir, PARTIAL);
    await mkdir(partial, { recursive: true });
    const tmp = tmpNameFor(join(partial, 'put'));
    const input = 'path' in source ? createReadStream(source.path, { highWaterMark: CHUNK }) : source.stream;
    const staged = await writeHashed(input, tmp, options.onProgress);
    try {
      const key = options.key ?? contentKey(staged.sha256);
      const ref: ArtifactRef = { key, ...staged };
      const dest = this.pathOf(key);
      await mkdir(dirname(dest), { recursive: true });
      if (await this.publish(tmp, dest)) {
        await this.writeRecord(dest, staged.sha256);
        return ref;
      }
      const stored = await this.head(key);
      if (stored?.sha256 !== staged.sha256) throw new ArtifactConflictError(key, this.location, stored?.sha256, staged.sha256);
      return ref;
    } catch (e) {
      throw isDiskFull(e) ? new DiskFullError(tmp, e.code!) : e;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Puts `tmp` at `dest` unless something is there: true when this call published it. */
  private async publish(tmp: string, dest: string): Promise<boolean> {
    try {
      await link(tmp, dest);
      return true;
    } catch (e) {
      const code = errno(e);
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw e;
    }
    // No hard links here: check, then rename (a narrow race between two writers of one key).
    try {
      await stat(dest);
      return false;
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
    }
    await rename(tmp, dest);
    return true;
  }

  private async writeRecord(dest: string, sha256: string): Promise<void> {
    const record = `${dest}${RECORD}`;
    const tmp = tmpNameFor(record);
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(`${sha256}  ${basename(dest)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, record);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private async readRecord(dest: string): Promise<string | undefined> {
    try {
      const sha = (await readFile(`${dest}${RECORD}`, 'utf8')).slice(0, 64);
      return SHA256_HEX.test(sha) ? sha : undefined;
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async head(key: string): Promise<ArtifactRef | undefined> {
    const dest = this.pathOf(key);
    let bytes: number;
    try {
      const st = await stat(dest);
      if (!st.isFile()) return undefined;
      bytes = st.size;
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
      throw e;
    }
    const recorded = await this.readRecord(dest);
    if (recorded !== undefined) return { key, sha256: recorded, bytes };
    // No record (an artifact from before records, or a writer killed between data and record):
    // the data file is whole (it was published by link/rename), so its hash is the truth.
    const hashed = await hashStream(createReadStream(dest, { highWaterMark: CHUNK }));
    await this.writeRecord(dest, hashed.sha256).catch(() => undefined); // a read-only mount keeps working
    return { key, ...hashed };
  }

  async exists(key: string): Promise<boolean> {
    const dest = this.pathOf(key);
    try {
      return (await stat(dest)).isFile();
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return false;
      throw e;
    }
  }

  async get(what: string | ArtifactRef, dest: string, options: GetOptions = {}): Promise<ArtifactRef> {
    const key = typeof what === 'string' ? what : what.key;
    const src = this.pathOf(key);
    const expected = typeof what === 'string' ? await this.readRecord(src) : what.sha256;
    let input;
    try {
      input = await open(src, 'r');
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new ArtifactNotFoundError(key, this.location);
      throw e;
    }
    const out = resolve(dest);
    await mkdir(dirname(out), { recursive: true });
    const tmp = tmpNameFor(out);
    let got: Hashed;
    try {
      got = await writeHashed(input.createReadStream({ highWaterMark: CHUNK }), tmp, options.onProgress);
    } finally {
      await input.close().catch(() => undefined);
    }
    try {
      this.verify(key, expected, got, typeof what === 'string' ? undefined : what.bytes);
      await rename(tmp, out);
    } finally {
      await rm(tmp, { force: true });
    }
    return { key, ...got };
  }

  private verify(key: string, expected: string | undefined, got: Hashed, bytes: number | undefined): void {
    // A data file without a record has nothing to be checked against but itself (see head).
    if (expected !== undefined && expected !== got.sha256) throw new ArtifactIntegrityError(key, this.location, expected, got.sha256);
    if (bytes !== undefined && bytes !== got.bytes) throw new ArtifactIntegrityError(key, this.location, `${bytes} bytes`, `${got.bytes} bytes`);
  }

  async readRange(key: string, offset: number, length: number, options: RangeOptions = {}): Promise<Buffer> {
    const src = this.pathOf(key);
    let fh;
    try {
      fh = await open(src, 'r');
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new ArtifactNotFoundError(key, this.location);
      throw e;
    }
    try {
      const size = (await fh.stat()).size;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new ArtifactRangeError(key, offset, length, size);
      }
      const buf = Buffer.allocUnsafe(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(buf, off, length - off, offset + off);
        if (bytesRead === 0) throw new ArtifactRangeError(key, offset, length, offset + off);
        off += bytesRead;
      }
      if (options.sha256 !== undefined) {
        const got = sha256Of(buf);
        if (got !== options.sha256) throw new ArtifactIntegrityError(`${key} [${offset}, ${offset + length})`, this.location, options.sha256, got);
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  async list(prefix = ''): Promise<string[]> {
    checkListPrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const start = join(this.dir, prefix.slice(0, cut + 1));
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
        throw e;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && !e.name.endsWith(RECORD) && !/\.tmp-\d+-\d+-\d+$/.test(e.name)) {
          const key = relative(this.dir, p);
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    return keys.sort();
  }
}
