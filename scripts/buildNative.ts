// Builds the native addons with plain gcc (N-API is ABI-stable and node's headers ship with
// node, so no node-gyp and no download):
// - the LD eigen addon (native/ldeigen.c → native/build/ldeigen.node), needing the Debian
//   packages gcc, liblapacke-dev and libopenblas-dev; without it pgsflow falls back to the
//   TypeScript eigen solver (same results, much slower);
// - the SBayesR/SBayesRC sweep kernel (native/sbayes.c → native/build/sbayes.node), gcc only,
//   -O3 -march=native; without it the sampler uses its WebAssembly kernel (a valid chain that
//   differs from the native one in the last bits, and 2-3× slower);
// - the fold-GWAS kernel (native/gwas.c → native/build/gwas.node), gcc only; without it the
//   linear GWAS runs its TypeScript loop (the same numbers bit for bit, on one thread);
// - the dosage scoring kernel (native/dosageScore.c → native/build/dosageScore.node), gcc only;
//   without it dosage cohorts are scored by its TypeScript loop (the same numbers bit for bit).
// - the BLOB copy addon (native/blobCopy.c → native/build/blobCopy.node), gcc only: genotype
//   chunks copied out of DuckDB into one reused buffer; without it, a fresh buffer each.
// Run by `npm ci` (postinstall), the first `npm start` and `npm test` with --if-stale: each addon
// is built when missing or when its stamp (a hash of the source, the compiler arguments and
// node's ABI) no longer matches, so a pull that changes native/*.c never runs an old binary. A
// failed build is reported, not fatal, unless --require is given (CI uses it to make the fast
// paths certain).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NATIVE_DIR = fileURLToPath(new URL('../native/', import.meta.url));
const ADDON_PATH = join(NATIVE_DIR, 'build', 'ldeigen.node');
/** The SBayesR/SBayesRC sweep kernel (native/sbayes.c): gcc only, no BLAS. */
const SBAYES_ADDON_PATH = join(NATIVE_DIR, 'build', 'sbayes.node');

interface AddonRecipe {
  name: string;
  source: string;
  target: string;
  /** gcc arguments before the source (the include path is added). */
  flags: string[];
  libs: string[];
  /** Why it could not be built, when a prerequisite is missing (checked before gcc runs). */
  missing(): string | null;
}

const RECIPES: readonly AddonRecipe[] = [
  {
    name: 'SBayesR/SBayesRC sweep kernel',
    source: join(NATIVE_DIR, 'sbayes.c'),
    target: SBAYES_ADDON_PATH,
    // -march=native: the addon is built where it runs. -O3 lets gcc vectorise the dot product's
    // partial sums; FMA contraction is gcc's default.
    flags: ['-O3', '-march=native', '-Wall', '-Wextra', '-shared', '-fPIC'],
    libs: ['-lm'],
    missing: () => (hasGcc() ? null : 'gcc not found'),
  },
  {
    name: 'fold-GWAS kernel',
    source: join(NATIVE_DIR, 'gwas.c'),
    target: join(NATIVE_DIR, 'build', 'gwas.node'),
    // No fused multiply-add: dosage products must round as the TypeScript loop's do.
    flags: ['-O3', '-march=native', '-ffp-contract=off', '-Wall', '-Wextra', '-shared', '-fPIC'],
    libs: ['-lpthread'],
    missing: () => (hasGcc() ? null : 'gcc not found'),
  },
  {
    name: 'dosage scoring kernel',
    source: join(NATIVE_DIR, 'dosageScore.c'),
    target: join(NATIVE_DIR, 'build', 'dosageScore.node'),
    // No fused multiply-add: the sums must round as the TypeScript loop's do.
    flags: ['-O3', '-march=native', '-ffp-contract=off', '-Wall', '-Wextra', '-shared', '-fPIC'],
    libs: ['-lpthread'],
    missing: () => (hasGcc() ? null : 'gcc not found'),
  },
  {
    name: 'BLOB copy addon',
    source: join(NATIVE_DIR, 'blobCopy.c'),
    target: join(NATIVE_DIR, 'build', 'blobCopy.node'),
    flags: ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC'],
    libs: [],
    missing: () => (hasGcc() ? null : 'gcc not found'),
  },
  {
    name: 'LD eigen addon',
    source: join(NATIVE_DIR, 'ldeigen.c'),
    target: ADDON_PATH,
    flags: ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC'],
    libs: ['-llapacke', '-lopenblas'],
    missing: () => (!hasGcc() ? 'gcc not found' : existsSync('/usr/include/lapacke.h') ? null : 'lapacke.h not found (Debian: liblapacke-dev libopenblas-dev)'),
  },
];

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Node's own headers: next to the running binary (nvm, tarballs), else Debian's. */
function nodeIncludeDir(): string {
  const candidates = [join(dirname(dirname(process.execPath)), 'include', 'node'), '/usr/include/node'];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`node_api.h not found in ${candidates.join(' or ')}: install node's headers (Debian: nodejs / libnode-dev)`);
  return found;
}

function stampPath(r: AddonRecipe): string {
  return `${r.target}.stamp`;
}

/** What the binary was built from: a change to any part means a rebuild. */
function stampOf(r: AddonRecipe): string {
  const h = createHash('sha256');
  h.update(readFileSync(r.source));
  h.update(readFileSync(join(NATIVE_DIR, 'napi_args.h'))); // the header the addons share
  h.update(JSON.stringify([r.flags, r.libs, process.versions.modules, process.arch]));
  return h.digest('hex');
}

/** True when the addon exists and was built from the current source and flags. */
function isUpToDate(r: AddonRecipe): boolean {
  if (!existsSync(r.target) || !existsSync(stampPath(r))) return false;
  return readFileSync(stampPath(r), 'utf8').trim() === stampOf(r);
}

function build(r: AddonRecipe): string {
  const why = r.missing();
  if (why) throw new Error(why);
  mkdirSync(dirname(r.target), { recursive: true });
  // Build beside the target and rename: a running process never sees a half-written library.
  const tmp = `${r.target}.tmp-${process.pid}`;
  execFileSync('gcc', [...r.flags, `-I${nodeIncludeDir()}`, r.source, '-o', tmp, ...r.libs], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, r.target);
  writeFileSync(stampPath(r), `${stampOf(r)}\n`);
  return r.target;
}

/** What to do when an addon is absent: printed by the build and by the kernel notices. */
const FALLBACK: Record<string, string> = {
  'SBayesR/SBayesRC sweep kernel': 'pgsflow fit will use the WebAssembly kernel (correct, but about 2-3× slower).',
  'LD eigen addon': 'pgsflow ld will use the TypeScript solver (correct, but about 10-20× slower on big blocks).',
  'fold-GWAS kernel': 'pgsflow gwas will use its TypeScript loop (same numbers, one thread, several times slower).',
  'BLOB copy addon': 'genotype chunks will be read from the store into a fresh buffer each (same numbers, slower on dosage cohorts).',
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const required = process.argv.includes('--require');
  const ifStale = process.argv.includes('--if-stale');
  for (const r of RECIPES) {
    if (ifStale && isUpToDate(r)) continue;
    try {
      console.log(`pgsflow: built ${r.name}: ${build(r)}`);
    } catch (e) {
      console.error(`pgsflow: ${r.name} not built: ${(e as Error).message}`);
      console.error(`${FALLBACK[r.name]} Fix: apt-get install gcc liblapacke-dev libopenblas-dev, then npm run build:native`);
      if (required) process.exitCode = 1;
    }
  }
}
