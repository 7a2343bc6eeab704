// S3 mode's checkpoint uploads beside a fit: a file rewritten while an upload runs is uploaded once
// more, not once per write; each finished upload is announced; the end drops what is queued (or,
// for a cancelled fit, flushes it); an upload's failure surfaces at the end.
import { describe, expect, it } from 'vitest';
import { CheckpointUploads } from '../../activities/checkpointUploads.js';
import type { ExchangedFile } from '../../contracts/artifactExchange.js';

function slowUploads() {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const upload = (path: string): Promise<ExchangedFile> => {
    started.push(path);
    return new Promise((res) => gates.push(() => res({ path, ref: { key: `sha256/${'0'.repeat(64)}`, sha256: '0'.repeat(64), bytes: started.length } })));
  };
  const release = async (): Promise<void> => {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { started, upload, release };
}

describe('checkpoint uploads', () => {
  it('coalesces rewrites of a file during an upload, announces each upload, drops the queue at the end', async () => {
    const u = slowUploads();
    const announced: string[][] = [];
    const c = new CheckpointUploads(u.upload, (files) => announced.push(files.map((f) => f.path)));
    c.written('/o/x.ckpt');
    c.written('/o/x.ckpt');
    c.written('/o/x.chain1.ckpt');
    c.written('/o/x.ckpt');
    expect(u.started).toEqual(['/o/x.ckpt']);
    await u.release();
    // The oldest waiting file next: x.ckpt (rewritten during the first upload), then chain 1's.
    expect(u.started).toEqual(['/o/x.ckpt', '/o/x.ckpt']);
    expect(announced).toEqual([['/o/x.ckpt']]);
    await u.release();
    expect(u.started).toEqual(['/o/x.ckpt', '/o/x.ckpt', '/o/x.chain1.ckpt']);
    c.written('/o/x.chain1.ckpt');
    const closing = c.close();
    await u.release();
    await closing;
    // Three uploads for five writes; the write queued at the end was dropped.
    expect(u.started).toEqual(['/o/x.ckpt', '/o/x.ckpt', '/o/x.chain1.ckpt']);
    expect(announced.at(-1)).toEqual(['/o/x.ckpt', '/o/x.chain1.ckpt']);
    c.written('/o/late.ckpt');
    expect(u.started.length).toBe(3);
  });

  it('a cancelled fit flushes what is queued', async () => {
    const u = slowUploads();
    const c = new CheckpointUploads(u.upload, () => undefined);
    c.written('/o/a.ckpt');
    c.written('/o/b.ckpt');
    const closing = c.close(true);
    await u.release();
    await u.release();
    await closing;
    expect(u.started).toEqual(['/o/a.ckpt', '/o/b.ckpt']);
  });

  it("an upload's failure surfaces when the fit ends", async () => {
    const c = new CheckpointUploads(async () => {
      throw new Error('bucket gone');
    }, () => undefined);
    c.written('/o/a.ckpt');
    await expect(c.close()).rejects.toThrow('bucket gone');
  });
});
