// `npm run bench [-- --quick]`: pgsflow against its peers, side by side in one run, on this
// machine. Prints a table of times and ratios; BENCHMARKS.md records the figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alleleFrequencies } from '../core/genotypes/alleleFrequencies.js';
import { bytesPerVariant, unpackVariant } from '../core/genotypes/bedCodec.js';
import { forEachGenotypeChunk } from '../core/genotypes/storeGenotypes.js';
import { ingestInputs } from '../core/ingest/ingestInputs.js';
import { simulateStudy } from '../core/simulate/simulateStudy.js';
import { Store } from '../core/store/store.js';
import { parseSimulateOptions } from '../config/simulate.js';
import { cohortBench } from './cohortBench.js';
import { dosageBench } from './dosageBench.js';
import { gwasBench } from './gwasBench.js';
import { ldBench, ldScaleBench } from './ldBench.js';
import { ldMemoryBench } from './ldMemoryBench.js';
import { sbayesrcBench } from './sbayesrcBench.js';
import { scaleBench } from './scaleBench.js';
import { scoreBench } from './scoreBench.js';
import { sumstatsBench } from './sumstatsBench.js';
import { type BenchRow, bestOf, printTable, runCommand } from './timing.js';

const quick = process.argv.includes('--quick');
/** `--only sbayesrc` runs just that part (e.g. while tuning the sampler). */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '') : null;
const SIM = quick ? { samples: 2000, snps: 10_000 } : { samples: 10_000, snps: 50_000 };
const DECODE = quick ? { samples: 2000, snps: 20_000 } : { samples: 10_000, snps: 100_000 };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgsflow-bench-'));
  const rows: BenchRow[] = [];
  console.log(`pgsflow bench${quick ? ' (quick)' : ''}: ${cpus().length} cores, node ${process.version}, scratch ${dir}`);
  try {
    if (only === 'sbayesrc') {
      rows.push(...(await sbayesrcBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only === 'ldmemory') {
      await ldMemoryBench(dir, quick);
      return;
    }
    if (only === 'sumstats') {
      rows.push(...(await sumstatsBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only === 'ldscale') {
      rows.push(...(await ldScaleBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only === 'dosage') {
      rows.push(...(await dosageBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only === 'gwas') {
      rows.push(...(await gwasBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (process.argv.includes('--scale')) {
      rows.push(...(await cohortBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only === 'scale') {
      rows.push(...(await scaleBench(dir, quick)));
      printTable(rows);
      return;
    }
    if (only !== null) throw new Error(`--only: unknown part ${only} (known: sbayesrc, ldmemory, sumstats, scale, gwas, ldscale, dosage)`);
    // 1. Simulation speed (goal: 10,000 people × 50,000 SNPs in under a minute).
    const simDir = join(dir, 'sim');
    const simSeconds = await bestOf(1, async () => {
      await simulateStudy(parseSimulateOptions({ samples: [SIM.samples], snps: SIM.snps, refSamples: 2000, seed: 1 }), simDir);
    });
    console.log(`simulate ${SIM.samples} × ${SIM.snps} (+2,000 reference samples): ${simSeconds.toFixed(1)} s`);
    rows.push({ name: `simulate ${SIM.samples} × ${SIM.snps} (+2k ref)`, ours: simSeconds, peer: 60, peerName: 'goal: 60 s', goal: '< 1.0' });

    // 2. Decoding from the store vs plink2 --freq on the same files.
    const decDir = join(dir, 'decode');
    await simulateStudy(parseSimulateOptions({ samples: [DECODE.samples], snps: DECODE.snps, refSamples: 10, missingRate: 0.01, seed: 2 }), decDir);
    const store = await Store.open(join(dir, 'store'));
    try {
      const ingestSeconds = await bestOf(1, async () => {
        await ingestInputs(store, [{ kind: 'bfile', paths: [join(decDir, 'geno/EUR')] }]);
      });
      console.log(`ingest ${DECODE.samples} × ${DECODE.snps} .bed into DuckDB: ${ingestSeconds.toFixed(1)} s`);
      const freq = new Float64Array(DECODE.snps);
      const obs = new Int32Array(DECODE.snps);
      const ours = await bestOf(3, async () => {
        await forEachGenotypeChunk(store, 'EUR', (c) => alleleFrequencies(c.packed, 0, c.nVariants, DECODE.samples, freq, obs, c.firstVariant));
      });
      const dosages = new Uint8Array(DECODE.samples);
      const bpv = bytesPerVariant(DECODE.samples);
      const unpack = await bestOf(3, async () => {
        await forEachGenotypeChunk(store, 'EUR', (c) => {
          for (let v = 0; v < c.nVariants; v++) unpackVariant(c.packed, v * bpv, DECODE.samples, dosages);
        });
      });
      const peer = await bestOf(3, () => runCommand('plink2', ['--bfile', join(decDir, 'geno/EUR'), '--freq', '--out', join(dir, 'plinkfreq')]));
      console.log(`decode + allele frequencies, ${DECODE.samples} × ${DECODE.snps}: store ${ours.toFixed(2)} s, plink2 --freq ${peer.toFixed(2)} s`);
      rows.push({ name: `stream + decode ${DECODE.samples} × ${DECODE.snps} from store (freq)`, ours, peer, peerName: 'plink2 --freq', goal: 'a few s' });
      rows.push({ name: `stream + unpack to dosages ${DECODE.samples} × ${DECODE.snps}`, ours: unpack, peer, peerName: 'plink2 --freq', goal: 'a few s' });
      rows.push({ name: `ingest ${DECODE.samples} × ${DECODE.snps} .bed`, ours: ingestSeconds, peer: null, peerName: '—', goal: '—' });
    } finally {
      store.close();
    }

    // 3. Fold GWAS and scoring against PLINK 2.
    rows.push(...(await gwasBench(dir, quick)));
    rows.push(...(await scoreBench(dir, quick)));
    rows.push(...(await dosageBench(dir, quick)));

    // 4. LD eigen-decomposition against numpy.linalg.eigh.
    rows.push(...(await ldBench(dir, quick)));

    // 5. SBayesR / SBayesRC sweeps against the reference's published times (issue 6).
    rows.push(...(await sbayesrcBench(dir, quick)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

await main();
