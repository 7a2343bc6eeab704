// The file side of the S3 exchange (contracts/artifactExchange.ts): which files a compute call's
// arguments name, uploading them by content, and fetching them back to a path. No Temporal here.
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExchangeTransfer, ExchangedFile } from '../../contracts/artifactExchange.js';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { type ArtifactStore, SHA256_HEX } from './artifactStore.js';
import { tmpNameFor } from './hashedCopy.js';

async function statOrNull(path: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  try {
    return await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

async function walkFiles(dir: string, out: string[]): Promise<void> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walkFiles(p, out);
    else if (e.isFile() && !/\.tmp-\d+-/.test(e.name)) out.push(p);
  }
}

/**
 * The files a path names: itself, everything under it (a folder, e.g. an LD panel), or — when
 * nothing is there — the files `<path>.*` beside it (a PLINK prefix, a fit's output prefix).
 */
export async function filesOf(path: string): Promise<string[]> {
  const s = await statOrNull(path);
  const out: string[] = [];
  if (s?.isFile()) out.push(path);
  else if (s?.isDirectory()) await walkFiles(path, out);
  if (s?.isDirectory()) return out;
  const dir = dirname(path);
  const stem = `${basename(path)}.`;
  const d = await statOrNull(dir);
  if (!d?.isDirectory()) return out;
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isFile() && e.name.startsWith(stem) && !/\.tmp-\d+-/.test(e.name)) out.push(join(dir, e.name));
  }
  return out;
}

/**
 * Uploads files by content. A file's ref is remembered by (path, size, mtime) for the process's
 * life, so a panel every fit reads is hashed once, not per call.
 */
export class ContentUploader {
  private readonly known = new Map<string, { size: number; mtimeMs: number; ref: ArtifactRef }>();

  constructor(readonly store: ArtifactStore) {}

  async upload(paths: readonly string[], onProgress?: () => void): Promise<{ files: ExchangedFile[]; transfer: ExchangeTransfer }> {
    const files: ExchangedFile[] = [];
    const transfer: ExchangeTransfer = { files: 0, bytes: 0, reused: 0 };
    for (const path of paths) {
      const s = await stat(path);
      const memo = this.known.get(path);
      if (memo && memo.size === s.size && memo.mtimeMs === s.mtimeMs && (await this.store.exists(memo.ref.key))) {
        files.push({ path, ref: memo.ref });
        transfer.reused++;
        continue;
      }
      // No key: the content key, so the same bytes land on the same key (a no-op when there).
      const ref = await this.store.put({ path }, onProgress ? { onProgress: () => onProgress() } : {});
      this.known.set(path, { size: s.size, mtimeMs: s.mtimeMs, ref });
      files.push({ path, ref });
      transfer.files++;
      transfer.bytes += ref.bytes;
    }
    return { files, transfer };
  }
}

/** Downloads exchanged files straight to their paths (the store worker fetching a call's outputs). */
export async function fetchFiles(store: ArtifactStore, files: readonly ExchangedFile[], onProgress?: () => void): Promise<ExchangeTransfer> {
  const transfer: ExchangeTransfer = { files: 0, bytes: 0, reused: 0 };
  for (const f of files) {
    await mkdir(dirname(f.path), { recursive: true });
    await store.get(f.ref, f.path);
    transfer.files++;
    transfer.bytes += f.ref.bytes;
    onProgress?.();
  }
  return transfer;
}

/**
 * Puts every exchanged file at `target(path)` (a compute worker's mirror of the store host's
 * paths): downloaded once into `cacheDir/sha256/<hex>` (verified on the way), then hard-linked
 * there (`copy`: copied, for files the activity may rewrite in place, such as a checkpoint).
 */
export async function placeFiles(
  store: ArtifactStore,
  files: readonly ExchangedFile[],
  target: (path: string) => string,
  cacheDir: string,
  opts: { copy?: boolean; onProgress?: () => void } = {},
): Promise<ExchangeTransfer> {
  const transfer: ExchangeTransfer = { files: 0, bytes: 0, reused: 0 };
  const contentDir = join(cacheDir, 'sha256');
  await mkdir(contentDir, { recursive: true });
  for (const f of files) {
    if (!SHA256_HEX.test(f.ref.sha256)) throw new Error(`exchanged file ${f.path}: ${JSON.stringify(f.ref.sha256)} is not a sha256`);
    const cached = join(contentDir, f.ref.sha256);
    const have = await statOrNull(cached);
    if (have?.size !== f.ref.bytes) {
      await store.get(f.ref, cached);
      transfer.files++;
      transfer.bytes += f.ref.bytes;
    } else transfer.reused++;
    const dest = target(f.path);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = tmpNameFor(dest);
    try {
      if (opts.copy) await copyFile(cached, tmp);
      else await link(cached, tmp);
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    opts.onProgress?.();
  }
  return transfer;
}
