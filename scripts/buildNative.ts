// Builds the optional native addons with plain gcc (N-API is ABI-stable and node's headers ship
// with node, so no node-gyp and no download):
// - the LD eigen addon (native/ldeigen.c → native/build/ldeigen.node), needing the Debian
//   packages gcc, liblapacke-dev and libopenblas-dev; without it pgsflow falls back to the
//   TypeScript eigen solver (same results, much slower);
// - the SBayesR/SBayesRC sweep kernel (native/sbayes.c → native/build/sbayes.node), gcc only,
//   -O3 -march=native; without it the sampler uses its WebAssembly kernel (a valid chain that
//   differs from the native one in the last bits, and 2-3× slower).
// A failed build is reported, not fatal, unless --require is given (CI uses it to make the fast
// paths certain).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NATIVE_DIR = fileURLToPath(new URL('../native/', import.meta.url));
export const ADDON_PATH = join(NATIVE_DIR, 'build', 'ldeigen.node');
/** The SBayesR/SBayesRC sweep kernel (native/sbayes.c): gcc only, no BLAS. */
export const SBAYES_ADDON_PATH = join(NATIVE_DIR, 'build', 'sbayes.node');

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

/**
 * The sweep kernel, for this machine's CPU (-march=native: the addon is built where it runs).
 * -O3 lets gcc vectorise the 16 partial sums of the dot product; FMA contraction is gcc's default.
 */
export function buildSbayesNative(): string {
  mkdirSync(dirname(SBAYES_ADDON_PATH), { recursive: true });
  const tmp = `${SBAYES_ADDON_PATH}.tmp-${process.pid}`;
  const args = ['-O3', '-march=native', '-Wall', '-Wextra', '-shared', '-fPIC', `-I${nodeIncludeDir()}`, join(NATIVE_DIR, 'sbayes.c'), '-o', tmp, '-lm'];
  execFileSync('gcc', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, SBAYES_ADDON_PATH);
  return SBAYES_ADDON_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const required = process.argv.includes('--require');
  try {
    console.log(`built ${buildSbayesNative()}`);
  } catch (e) {
    console.error(`native SBayesRC sweep kernel not built: ${(e as Error).message}`);
    console.error('pgsflow fit will use the WebAssembly kernel (correct, but about 2-3× slower).');
    if (required) process.exitCode = 1;
  }
  try {
    console.log(`built ${buildNative()}`);
  } catch (e) {
    console.error(`native LD eigen addon not built: ${(e as Error).message}`);
    console.error('pgsflow ld will use the TypeScript solver (correct, but about 10-20× slower on big blocks).');
    if (required) process.exitCode = 1;
  }
}
