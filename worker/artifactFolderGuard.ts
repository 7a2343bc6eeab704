// `pgsflow worker --compute-only --artifacts DIR` in file mode (the HPC case): compute
// activities read and write the paths the workflow passes them, which are under the store's
// artifacts folder on the store worker's host (`<artifacts>/runs/<run>/<scope>/…`). On another
// host that folder must be mounted at the same path. When the worker was told where its
// artifacts folder is, an activity whose output lies elsewhere is refused (non-retryable
// ConfigError, which reaches `study run`'s output) instead of writing files nobody will see.
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';

import { ARTIFACT_OUTPUT_FIELDS } from '../contracts/artifactExchange.js';

export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The output paths of one activity call (the string fields ARTIFACT_OUTPUT_FIELDS of its object arguments). */
export function artifactOutputsOf(args: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) continue;
    const rec = a as Record<string, unknown>;
    for (const f of ARTIFACT_OUTPUT_FIELDS) {
      const v = rec[f];
      if (typeof v === 'string' && v !== '') out.push(v);
    }
  }
  return out;
}

/** Refuses to start when DIR is not an existing folder (a mount that is missing on this host). */
export function checkArtifactFolder(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ConfigError('worker', [{ field: '--artifacts', message: `${dir} is not a folder on ${hostname()}: mount the store's artifacts folder there (the same path as on the store worker's host)` }]);
  }
}

/** The error for an activity whose output is outside this worker's artifacts folder. */
export function artifactFolderMismatch(dir: string, path: string): ConfigError {
  return new ConfigError('compute worker', [
    {
      field: '--artifacts',
      message:
        `this worker on ${hostname()} was started with --artifacts ${dir}, but the study writes ${path}, outside it. ` +
        `In file mode every compute host must see the store's artifacts folder at the same path as the store worker: ` +
        `mount it at that path (and pass that path to --artifacts, or leave --artifacts out), then \`pgsflow study resume\``,
    },
  ]);
}

/** Wraps every activity so that its output paths are checked against `dir` before it runs. */
export function guardArtifactFolder<T extends object>(activities: T, dir: string): T {
  const root = resolve(dir);
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      for (const p of artifactOutputsOf(args)) if (!isInside(root, p)) throw artifactFolderMismatch(root, p);
      return (fn as (...a: unknown[]) => Promise<unknown>).apply(activities, args);
    };
  }
  return wrapped as T;
}
