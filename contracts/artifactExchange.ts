// Compute workers without a shared filesystem (issue 22, S3 mode): what crosses the Temporal line
// so that a compute activity on another host sees the files the store worker's host sees.
//
// The workflow keeps passing paths as the store worker's host names them. Around each compute call
// (workflows/artifactExchange.ts) the store worker publishes the call's input files to the artifact
// store and hands over a manifest; the compute worker fetches them into a local mirror, runs the
// activity there, uploads what it wrote and returns their refs; the store worker fetches those back
// to the original paths. Every object is content-addressed (`sha256/<hex>`), so a retried upload
// of the same bytes is a no-op and no key is ever written with two contents.
import type { ArtifactRef } from './artifacts.js';

/** How compute workers reach the store's files: the same folder on every host, or the artifact store. */
export type ArtifactExchangeMode = 'file' | 's3';

/**
 * Request fields that name files or folders an activity writes (or, `resumeFrom`, resumes from)
 * under the artifacts folder. A field naming a prefix (`out`) covers the files `<prefix>.*`.
 */
export const ARTIFACT_OUTPUT_FIELDS = ['out', 'outDir', 'outTrain', 'outValid', 'resumeFrom'] as const;

/** One file as the store worker's host names it, and the artifact holding its bytes. */
export interface ExchangedFile {
  path: string;
  ref: ArtifactRef;
}

/** The files a compute call reads (stored as one JSON artifact; its ref travels with the call). */
export interface ExchangeManifest {
  files: ExchangedFile[];
}

/** The extra last argument of a compute call in S3 mode. */
export interface ExchangeEnvelope {
  artifactManifest: ArtifactRef;
}

/** What a compute activity returns in S3 mode: its own result, and the files it wrote. */
export interface ExchangedResult<T> {
  exchanged: true;
  result: T;
  outputs: ExchangedFile[];
}

export interface ExchangeTransfer {
  files: number;
  bytes: number;
  /** Files already in place (same bytes): not transferred. */
  reused: number;
}

/** Store-queue activities of the exchange (activities/artifactExchange.ts). */
export interface ArtifactExchangeActivities {
  /** Upload the input files of a compute call's arguments; returns the manifest's ref. */
  publishInputs(args: unknown[]): Promise<{ manifest: ArtifactRef; transfer: ExchangeTransfer }>;
  /** Fetch a compute call's outputs to their paths on this host: only inside `allowed` (the call's output paths). */
  fetchOutputs(outputs: ExchangedFile[], allowed: string[]): Promise<ExchangeTransfer>;
}

/** An absolute path as arguments carry them (one line, rooted). */
const isAbsolutePath = (s: string): boolean => s.startsWith('/') && s.length > 1 && s.length < 4096 && !/[\n\r\u0000]/.test(s);

const OUTPUT_FIELDS: ReadonlySet<string> = new Set<string>(ARTIFACT_OUTPUT_FIELDS.filter((f) => f !== 'resumeFrom'));

/**
 * The absolute paths in a call's arguments, split into what it reads and what it writes (the
 * top-level object fields ARTIFACT_OUTPUT_FIELDS; `resumeFrom` is read). Strings anywhere else,
 * at any depth, that are absolute paths are inputs.
 */
export function argumentPaths(args: readonly unknown[]): { inputs: string[]; outputs: string[] } {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const walk = (v: unknown, field: string | null, depth: number): void => {
    if (typeof v === 'string') {
      if (isAbsolutePath(v)) (depth === 1 && field !== null && OUTPUT_FIELDS.has(field) ? outputs : inputs).add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, null, depth + 1);
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  for (const a of args) walk(a, null, 0);
  return { inputs: [...inputs].sort(), outputs: [...outputs].sort() };
}

/** A deep copy of `value` with `fn` applied to every absolute-path string in it. */
export function mapPaths<T>(value: T, fn: (path: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return isAbsolutePath(v) ? fn(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export const isExchangeEnvelope = (x: unknown): x is ExchangeEnvelope =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && typeof (x as { artifactManifest?: unknown }).artifactManifest === 'object';

export const isExchangedResult = (x: unknown): x is ExchangedResult<unknown> =>
  x !== null && typeof x === 'object' && (x as { exchanged?: unknown }).exchanged === true && Array.isArray((x as { outputs?: unknown }).outputs);

/** Whether `path` is one of a call's outputs: an output path itself, under it, or `<prefix>.*` beside it. */
export function withinOutputs(path: string, outputs: readonly string[]): boolean {
  if (!isAbsolutePath(path) || path.split('/').some((seg) => seg === '..' || seg === '.')) return false;
  return outputs.some((o) => path === o || path.startsWith(`${o}/`) || (path.startsWith(`${o}.`) && !path.slice(o.length).includes('/')));
}
