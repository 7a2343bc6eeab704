// Study files for workflow tests: a variant of a simulated study file written next to its data,
// and the StudyInput a study workflow starts with (as `pgsflow study run` builds it).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolveStudyPaths } from '../../client/study/studyInput.js';
import { type StudyFileInput, parseStudy } from '../../config/study.js';
import type { StudyInput } from '../../contracts/study.js';
import { sha256Text } from '../../core/provenance/fileHash.js';

/** `simDir/<base>` (a file `pgsflow simulate` wrote) renamed `name` and patched, as `simDir/<name>.json`. */
export function writeStudyVariant(simDir: string, base: string, name: string, patch: Partial<StudyFileInput> = {}): string {
  const raw = JSON.parse(readFileSync(`${simDir}/${base}`, 'utf8')) as StudyFileInput;
  const path = `${simDir}/${name}.json`;
  writeFileSync(path, JSON.stringify({ ...raw, name, ...patch }, null, 2));
  return path;
}

export interface TestStudyOptions {
  computeTaskQueue: string;
  artifactsDir: string;
  /** Short in tests so a killed worker's activities are retried quickly. */
  heartbeatTimeout?: string;
  resumedFrom?: string;
}

/** The workflow input for a study file, paths resolved against the file's folder. */
export function studyInputFor(path: string, opts: TestStudyOptions): StudyInput {
  const text = readFileSync(path, 'utf8');
  const dir = path.slice(0, path.lastIndexOf('/'));
  return {
    study: resolveStudyPaths(parseStudy(JSON.parse(text), path), dir),
    studyText: text,
    studySha256: sha256Text(text),
    studyPath: path,
    codeVersion: 'test',
    computeTaskQueue: opts.computeTaskQueue,
    artifactsDir: opts.artifactsDir,
    heartbeatTimeout: opts.heartbeatTimeout ?? '20 seconds',
    ...(opts.resumedFrom !== undefined ? { resumedFrom: opts.resumedFrom } : {}),
  };
}
