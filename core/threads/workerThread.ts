// One worker thread running a TypeScript module (through workerBoot.mjs), with the lifecycle its
// owners share: a `loaded` promise, one awaited reply at a time, and a failure latch. The first
// failure (an uncaught error in the thread, its exit, a reported error when those are fatal, or
// terminate()) rejects the pending reply and every later one. Messages go by structured clone,
// so SharedArrayBuffers in them are shared, not copied.
import { Worker } from 'node:worker_threads';
import type { BootData, LoadedMessage, ThreadErrorReply } from './threadMessages.js';

const BOOT = new URL('./workerBoot.mjs', import.meta.url);

export interface WorkerThreadOptions {
  /** Starts the thread's errors: `<name>: <reported>`, `<name> exited (code 1)`, `<name> terminated`. */
  name: string;
  /**
   * What an error the thread reports does: reject the pending reply only (the thread goes on
   * serving requests), or fail the thread for good.
   */
  reportedError: 'rejects-reply' | 'fails-thread';
}

interface Pending<Reply> {
  /** The reply awaited; undefined: whichever comes next. */
  type: string | undefined;
  resolve: (reply: Reply) => void;
  reject: (e: Error) => void;
}

const isLoaded = (msg: { type: string }): msg is LoadedMessage => msg.type === 'loaded';
const isError = (msg: { type: string }): msg is ThreadErrorReply => msg.type === 'error';

/** `Reply`: the thread's replies (an `error` one is handled here, never resolved; `loaded` is the boot file's). */
export class WorkerThread<Request, Reply extends { type: string }> {
  private readonly worker: Worker;
  private latched: Error | null = null;
  private pending: Pending<Reply> | null = null;
  /** Settles when the module is loaded (or the thread failed first). */
  readonly loaded: Promise<void>;

  constructor(module: URL, private readonly options: WorkerThreadOptions) {
    // No inherited Node flags: the boot file loads TypeScript itself, and a parent's flags such
    // as `--input-type=module -e` make a worker fail to start.
    this.worker = new Worker(BOOT, { execArgv: [], workerData: { module: module.href } satisfies BootData });
    let loaded!: () => void;
    let failed!: (e: Error) => void;
    this.loaded = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      failed = reject;
    });
    this.loaded.catch(() => undefined); // observed through request()
    const fail = (e: Error): void => {
      this.latch(e);
      failed(e);
    };
    this.worker.on('message', (msg: Reply | LoadedMessage | ThreadErrorReply) => {
      if (isLoaded(msg)) loaded();
      else if (isError(msg)) {
        const e = new Error(`${options.name}: ${msg.message}`);
        if (options.reportedError === 'fails-thread') fail(e);
        else this.take()?.reject(e);
      } else if (this.pending && (this.pending.type === undefined || this.pending.type === msg.type)) this.take()!.resolve(msg);
    });
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`${options.name} exited (code ${code})`)));
  }

  /** The first failure, or null while the thread is sound. */
  get failure(): Error | null {
    return this.latched;
  }

  /** Once loaded, post `msg` and await the reply (of `type` when given: others are ignored). */
  async request(msg: Request, type?: Reply['type']): Promise<Reply> {
    await this.loaded;
    if (this.latched) throw this.latched;
    const reply = this.reply(type);
    this.worker.postMessage(msg);
    return reply;
  }

  /** Await the next reply (of `type` when given) to something not posted, e.g. a word in shared memory. */
  reply(type?: Reply['type']): Promise<Reply> {
    if (this.latched) return Promise.reject(this.latched);
    return new Promise((resolve, reject) => {
      this.pending = { type, resolve, reject };
    });
  }

  /** Keep the process alive while the thread runs (Node's default). */
  ref(): void {
    this.worker.ref();
  }

  /** Let the process exit while the thread runs. */
  unref(): void {
    this.worker.unref();
  }

  /** Stops the thread: what is awaited from it rejects once it has exited, with `<name> terminated` unless it had failed. */
  terminate(): Promise<number> {
    this.latched ??= new Error(`${this.options.name} terminated`);
    return this.worker.terminate();
  }

  private latch(e: Error): void {
    this.latched ??= e;
    this.take()?.reject(this.latched);
  }

  private take(): Pending<Reply> | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
