// What a worker thread and its host agree on besides their own protocol: the module the boot
// file loads (workerData), the boot file's `loaded` message, and how a thread reports an error.
// workerBoot.mjs is plain JavaScript and cannot import this file: keep the two in step.

/** The boot file's workerData. */
export interface BootData {
  /** File URL of the TypeScript module the thread runs. */
  module: string;
}

/** Posted by the boot file once the module has been imported (its listeners are in place). */
export interface LoadedMessage {
  type: 'loaded';
}

/** A thread reports an error it caught (its stack, which names the thread's own frames). */
export interface ThreadErrorReply {
  type: 'error';
  message: string;
}

export function threadError(e: unknown): ThreadErrorReply {
  return { type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
