// S3 mode: a fit's checkpoints uploaded beside its sweeps, newest first. A checkpoint file is
// replaced in place every `checkpointEvery` sweeps; only the newest content of each file matters
// to a retry, so a file written again while an upload runs is uploaded once more afterwards, not
// once per write, and what is still queued when the fit ends is dropped (its outputs, the final
// checkpoint among them, are uploaded then anyway). Each finished upload is announced (the fit's
// heartbeat names it).
import type { ExchangedFile } from '../contracts/artifactExchange.js';

export class CheckpointUploads {
  private readonly queued = new Set<string>();
  private readonly done = new Map<string, ExchangedFile>();
  private running: Promise<void> | null = null;
  private failed: unknown = null;
  private closed = false;

  constructor(
    private readonly upload: (path: string) => Promise<ExchangedFile>,
    private readonly announce: (uploaded: ExchangedFile[]) => void,
  ) {}

  /** The checkpoint at `path` was (re)written. */
  written(path: string): void {
    if (this.closed || this.failed !== null) return;
    this.queued.add(path);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.first(); next !== undefined && !this.closed; next = this.first()) {
        this.queued.delete(next);
        const f = await this.upload(next);
        this.done.set(f.path, f);
        this.announce([...this.done.values()]);
      }
    } catch (e) {
      this.failed = e;
    }
  }

  private first(): string | undefined {
    return this.queued.values().next().value;
  }

  /**
   * Stop taking new uploads and wait for the one in flight; `flush`: upload what is queued first
   * (a cancelled fit: its newest checkpoint is what the next attempt needs). Rethrows an upload's failure.
   */
  async close(flush = false): Promise<void> {
    if (flush) while (this.running && this.failed === null) await this.running;
    this.closed = true;
    this.queued.clear();
    await this.running;
    if (this.failed !== null) throw this.failed;
  }
}
