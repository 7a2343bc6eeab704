// Builds the optional LD eigen addon (native/ldeigen.c → native/build/ldeigen.node) with plain
// gcc: N-API is ABI-stable and node's headers ship with node, so no node-gyp and no download.
// Needs the Debian packages gcc, liblapacke-dev and libopenblas-dev. Without the addon pgsflow
// falls back to the TypeScript eigen solver (same results, much slower), so a failed build is
// reported, not fatal, unless --require is given (CI uses it to make the fast path certain).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NATIVE_DIR = fileURLToPath(new URL('../native/', import.meta.url));
export const ADDON_PATH = join(NATIVE_DIR, 'build', 'ldeigen.node');

/** Node's own headers: next to the running binary (nvm, tarballs), else Debian's. */
function nodeIncludeDir(): string {
  const candidates = [join(dirname(dirname(process.execPath)), 'include', 'node'), '/usr/include/node'];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`node_api.h not found in ${candidates.join(' or ')}: install node's headers (Debian: nodejs / libnode-dev)`);
  return found;
}

export function buildNative(): string {
  if (!existsSync('/usr/include/lapacke.h')) throw new Error('lapacke.h not found: apt-get install liblapacke-dev libopenblas-dev');
  mkdirSync(dirname(ADDON_PATH), { recursive: true });
  // Build beside the target and rename: a running process never sees a half-written library.
  const tmp = `${ADDON_PATH}.tmp-${process.pid}`;
  const args = ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC', `-I${nodeIncludeDir()}`, join(NATIVE_DIR, 'ldeigen.c'), '-o', tmp, '-llapacke', '-lopenblas'];
  execFileSync('gcc', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, ADDON_PATH);
  return ADDON_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const required = process.argv.includes('--require');
  try {
    console.log(`built ${buildNative()}`);
  } catch (e) {
    console.error(`native LD eigen addon not built: ${(e as Error).message}`);
    console.error('pgsflow ld will use the TypeScript solver (correct, but about 10-20× slower on big blocks).');
    process.exitCode = required ? 1 : 0;
  }
}
