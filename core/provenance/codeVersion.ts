// The code version recorded with every run: package version, git commit when available,
// and the lockfile's hash (so "same version" also means "same dependency tree").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CodeVersion {
  version: string;
  gitCommit: string | null;
  lockfileSha256: string | null;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
let cached: CodeVersion | undefined;

export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    gitCommit = null; // not a git checkout (e.g. an npm tarball)
  }
  let lockfileSha256: string | null = null;
  try {
    lockfileSha256 = createHash('sha256').update(readFileSync(`${root}package-lock.json`)).digest('hex');
  } catch {
    lockfileSha256 = null;
  }
  cached = { version: pkg.version, gitCommit, lockfileSha256 };
  return cached;
}

export function codeVersionString(v: CodeVersion = codeVersion()): string {
  return `${v.version}${v.gitCommit ? `+${v.gitCommit.slice(0, 12)}` : ''}`;
}
