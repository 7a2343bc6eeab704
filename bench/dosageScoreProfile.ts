// The scoring row of the dosage bench (bench/dosageBench.ts) alone, with where its time goes:
// ten-column scoring of a stored 10,000 × 100,000 dosage cohort (pgen) vs `plink2 --score` on the
// same pgen with the same .afreq, and the parts of ours — DuckDB streaming the 2 GB of dosage
// chunks with nothing done to them, the kernel (DosageScoreAccumulator.addChunk), the rest.
// The cohort is simulated, re-encoded by plink2 and ingested once into DIR (about 4 minutes) and
// reused by later runs.
//
//   npx tsx bench/dosageScoreProfile.ts [--dir DIR] [--samples N] [--snps M] [--reps R] [--kernel OTHER.node]
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachGenotypeChunk } from '../core/genotypes/storeGenotypes.js';
import { ingestInputs } from '../core/ingest/ingestInputs.js';
import { Rng } from '../core/numeric/random/rng.js';
import { DosageScoreAccumulator } from '../core/score/dosageScoreKernel.js';
import { matchAlleles } from '../core/alleles/matchAlleles.js';
import { readFrequencyFile } from '../core/score/frequencyFile.js';
import { scoreGenotypes } from '../core/score/scoreGenotypes.js';
import { readWeights } from '../core/score/weights.js';
import { scoreStore } from '../core/score/scoreStore.js';
import { Store } from '../core/store/store.js';
import { bestOf, runCommand } from './timing.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const COLUMNS = 10;
const samples = Number(arg('samples', '10000'));
const snps = Number(arg('snps', '100000'));
const reps = Number(arg('reps', '2'));
const dir = resolve(arg('dir', `/tmp/pgsflow-dosage-score-${samples}x${snps}`));
const label = `${samples.toLocaleString('en')} × ${snps.toLocaleString('en')}`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

const sim = join(dir, 'dosage-sim');
const pfile = join(dir, 'dosage-EUR-plink2');
const storeDir = join(dir, 'dosage-store-pfile');
const weights = join(dir, 'dosage-w10.txt');
const afreq = join(dir, 'dosage-ref');

if (!existsSync(`${afreq}.afreq`)) {
  // As bench/dosageBench.ts builds it.
  let t0 = performance.now();
  execFileSync(process.execPath, [join(ROOT, 'bin', 'pgsflow.js'), 'simulate', '--out', sim, '--samples', String(samples), '--snps', String(snps)]
    .concat(['--ref-samples', '10', '--annotations', '0', '--format', 'pgen', '--dosage-noise', '0.1', '--seed', '4']), { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`simulated ${label} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  runCommand('plink2', ['--pfile', join(sim, 'geno', 'EUR'), '--make-pgen', '--threads', '1', '--out', pfile]);
  t0 = performance.now();
  const store = await Store.open(storeDir);
  try {
    await ingestInputs(store, [{ kind: 'pfile', paths: [pfile], name: 'EUR', ancestry: 'EUR' }]);
  } finally {
    store.close();
  }
  console.log(`ingested the pgen in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const s = await Store.open(storeDir);
  try {
    const variants = await s.all<{ id: string; a1: string; a2: string }>(`SELECT id, a1, a2 FROM variants WHERE cohort = 'EUR' ORDER BY idx`);
    const rng = Rng.stream(4, 40);
    const lines = [`SNP\tA1\t${Array.from({ length: COLUMNS }, (_, k) => `W${k + 1}`).join('\t')}`];
    for (const v of variants) {
      const allele = rng.uniform() < 1 / 3 ? v.a2 : v.a1;
      lines.push(`${v.id}\t${allele}\t${Array.from({ length: COLUMNS }, () => (rng.normal() * 0.01).toPrecision(8)).join('\t')}`);
    }
    writeFileSync(weights, `${lines.join('\n')}\n`);
  } finally {
    s.close();
  }
  runCommand('plink2', ['--pfile', pfile, '--freq', '--out', afreq]);
}

// --kernel OTHER.node: score with another build of native/dosageScore.c (e.g. an older source
// compiled to /tmp) in place of the built addon (swapped in the require cache).
const other = arg('kernel', '');
if (other) {
  const req = createRequire(import.meta.url);
  const built = join(ROOT, 'native', 'build', 'dosageScore.node');
  req(built);
  req.cache[built]!.exports = req(resolve(other)); // what nativeDosageScore.ts's require then gets
  console.log(`kernel: ${other}`);
}

/** scoreStore's scoring (no report), with the genotypes read `slice` chunks per query. */
async function scoreSliced(store: Store, weightFile: string, table: Awaited<ReturnType<typeof readFrequencyFile>>, slice: number): Promise<void> {
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  await store.forEachBatch<[string, string, string]>('SELECT id, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx', { c: 'EUR' }, (rows) => {
    for (const [i, x, y] of rows) {
      id.push(i);
      a1.push(x);
      a2.push(y);
    }
  });
  const fid: string[] = [];
  const iid: string[] = [];
  await store.forEachBatch<[string, string]>('SELECT fid, iid FROM samples WHERE cohort = $c ORDER BY idx', { c: 'EUR' }, (rows) => {
    for (const [f, i] of rows) {
      fid.push(f);
      iid.push(i);
    }
  });
  const geno = { id, a1, a2 };
  const matched = matchAlleles(geno, await readWeights([weightFile]), { ambiguous: 'keep' });
  const [{ n }] = (await store.all<{ n: number }>(`SELECT count(*)::INT AS n FROM genotypes WHERE cohort = 'EUR'`)) as [{ n: number }];
  await scoreGenotypes({
    geno,
    samples: { fid, iid },
    matched,
    frequencies: { kind: 'file', table },
    allowSampleFreq: false,
    center: false,
    sampleScore: null,
    workers: null,
    source: 'store',
    freqSource: 'store',
    kind: 'dosage',
    feed: async (_variants, _shared, onChunk) => {
      for (let a = 0; a < n; a += slice) {
        await store.forEachBatch<[number, number, Uint8Array]>(
          'SELECT first_variant, n_variants, packed FROM genotypes WHERE cohort = $c AND chunk >= $a AND chunk < $b ORDER BY chunk',
          { c: 'EUR', a, b: a + slice },
          async (rows) => {
            for (const [first, count, packed] of rows) await onChunk(packed, first, count);
          },
        );
      }
    },
  });
}

// Time in the kernel: wrap the accumulator's addChunk, which resolves when its chunk is added (the
// event loop runs meanwhile, so DuckDB's reading of the next slice is in this time too).
let kernelMs = 0;
const addChunk = DosageScoreAccumulator.prototype.addChunk;
DosageScoreAccumulator.prototype.addChunk = async function (this: DosageScoreAccumulator, ...a: Parameters<typeof addChunk>) {
  const t0 = performance.now();
  await addChunk.apply(this, a);
  kernelMs += performance.now() - t0;
};

console.log(`load average before: ${load()}`);
const table = await readFrequencyFile(`${afreq}.afreq`);
const store = await Store.open(storeDir);
try {
  const stream = await bestOf(reps, async () => {
    let chunks = 0;
    await forEachGenotypeChunk(store, 'EUR', () => {
      chunks++;
    });
  });
  console.log(`DuckDB streams the dosage chunks (nothing done with them): ${stream.toFixed(2)} s`);
  let kernelBest = Infinity;
  const ours = await bestOf(reps, async () => {
    kernelMs = 0;
    await scoreStore(store, { cohort: 'EUR', weights: [weights], frequencies: { kind: 'file', table } });
    kernelBest = Math.min(kernelBest, kernelMs / 1000);
  });
  console.log(`score, ten columns, from the store: ${ours.toFixed(2)} s, of which the kernel ${kernelBest.toFixed(2)} s (best runs)`);
  // For comparison, the same scoring fed as @duckdb/node-api hands BLOBs over (a fresh buffer per
  // chunk), by queries of SLICE chunks each without reading ahead — what scoreStore did before
  // forEachGenotypeChunk read ahead and copied into one reused buffer.
  const SLICE = 16;
  let kernelSliced = Infinity;
  const sliced = await bestOf(reps, async () => {
    kernelMs = 0;
    await scoreSliced(store, weights, table, SLICE);
    kernelSliced = Math.min(kernelSliced, kernelMs / 1000);
  });
  console.log(`the same scoring fed by queries of ${SLICE} chunks each: ${sliced.toFixed(2)} s, of which the kernel ${kernelSliced.toFixed(2)} s`);
  const peer = await bestOf(reps, () =>
    runCommand('plink2', ['--pfile', pfile, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', `3-${2 + COLUMNS}`, '--read-freq', `${afreq}.afreq`]
      .concat(['--threads', String(availableParallelism()), '--out', join(dir, 'dosage-score')])),
  );
  console.log(`plink2 --score: ${peer.toFixed(2)} s; ours/peer ${(ours / peer).toFixed(2)} (fed by slices: ${(sliced / peer).toFixed(2)})`);
} finally {
  store.close();
}
console.log(`load average after: ${load()}`);
