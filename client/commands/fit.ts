import { resolve } from 'node:path';
import { DEFAULT_FIT, fitOnFiles } from '../../core/sbayesrc/fitFiles.js';
import { DEFAULT_TUNE_GRID } from '../../core/sbayesrc/tuneCutoff.js';
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError, intOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { LD_MEMORY_REQUESTS, type LdMemoryRequest } from '../../contracts/fit.js';
import { announceKernels } from '../kernelNotice.js';

export const fitCommand: Command = {
  name: 'fit',
  summary: 'fit SBayesRC (with --annot) or SBayesR to summary statistics and an LD panel',
  help: `Usage: pgsflow fit --sumstats F --ld DIR [--annot F] --out PREFIX [--iterations ${DEFAULT_FIT.iterations}]
                   [--burn-in ${DEFAULT_FIT.burnIn}] [--cutoff ${DEFAULT_FIT.cutoff} | --tune ${DEFAULT_TUNE_GRID.join(',')}] [--seed S] [--threads 1] [--chains 1] [--checkpoint-every ${DEFAULT_FIT.checkpointEvery}]
                   [--ld-memory auto|resident|stream] [--json]

Bayesian multiple regression on summary statistics with the low-rank LD model of SBayesRC:
five-component mixture prior on standardised effects, per-SNP mixture probabilities from a
probit model of the annotations (SBayesRC) or one shared Dirichlet π (SBayesR, without --annot).

  --sumstats F          COJO .ma covering every panel SNP (run \`pgsflow impute\` first)
  --ld DIR              SBayesRC LD folder (ldm.info, snp.info, block<B>.eigen.bin)
  --annot F             SBayesRC annotation file (SNP, intercept, annotations): fits SBayesRC
  --out PREFIX          writes PREFIX.txt (SNP A1 BETA SE PIP BETAlast, per copy of A1 on the
                        phenotype scale), PREFIX.par, PREFIX.json and PREFIX.pgs.txt (PGS Catalog
                        scoring file)
  --iterations N        MCMC sweeps (default ${DEFAULT_FIT.iterations})
  --burn-in N           sweeps discarded before averaging (default ${DEFAULT_FIT.burnIn})
  --cutoff C            eigenvalue cut-off (default ${DEFAULT_FIT.cutoff}, at most the panel's)
  --tune C1,C2,…        choose the cut-off by pseudo-validation over these values (150 SBayesR
                        sweeps each on a 90 % in-silico training GWAS, scored on the other 10 %;
                        leaves 0.995 only for a > 1.25× better score; decision in PREFIX.json)
  --seed S              PRNG seed (default ${DEFAULT_FIT.seed}); results are identical for a seed
  --threads N           threads sweeping LD blocks in parallel (results identical for any N)
  --chains N            independent chains on derived seeds, draws pooled; R-hat and effective
                        sample size of h², nnz and σ²e in PREFIX.json, warning when R-hat > 1.1;
                        with --threads > 1 the chains run side by side (same numbers)
  --checkpoint-every N  chain state to PREFIX.ckpt every N sweeps (default ${DEFAULT_FIT.checkpointEvery},
                        0 = never); a rerun with the same inputs resumes from it bit-identically.
                        Ctrl-C stops the chains after the sweep in progress and checkpoints them there
  --ld-memory M         where the LD blocks' Q (4·Σ m·k bytes) lives: resident (in memory), stream
                        (written once to PREFIX.q, each block read back as it is swept: memory of
                        one block per thread, slower), auto (default: resident when it takes less
                        than half the free memory, or of what a cgroup memory limit leaves);
                        results are identical either way
  --json                print the run summary as JSON on stdout`,
  options: {
    sumstats: { type: 'string' },
    ld: { type: 'string' },
    annot: { type: 'string' },
    out: { type: 'string' },
    iterations: { type: 'string' },
    'burn-in': { type: 'string' },
    cutoff: { type: 'string' },
    tune: { type: 'string' },
    seed: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    chains: { type: 'string' },
    threads: { type: 'string' },
    'ld-memory': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(parsed, ctx) {
    const need = (name: string): string => {
      const v = stringOpt(parsed, name);
      if (!v) throw new UsageError(`fit: --${name} is required`);
      return v;
    };
    const iterations = intOpt(parsed, 'iterations', 1, 10_000_000) ?? DEFAULT_FIT.iterations;
    const burnIn = intOpt(parsed, 'burn-in', 0, 10_000_000) ?? DEFAULT_FIT.burnIn;
    if (burnIn >= iterations) throw new UsageError(`fit: --burn-in (${burnIn}) must be below --iterations (${iterations})`);
    const cutoff = numberOpt(parsed, 'cutoff');
    if (cutoff !== undefined && !(cutoff > 0 && cutoff <= 1)) throw new UsageError(`fit: --cutoff must be in (0, 1], got ${cutoff}`);
    const tune = listOpt(parsed, 'tune')?.map((x) => {
      const c = Number(x);
      if (!(c > 0 && c <= 1)) throw new UsageError(`fit: --tune values must be in (0, 1], got '${x}'`);
      return c;
    });
    if (tune && cutoff !== undefined) throw new UsageError('fit: give --cutoff or --tune, not both');
    if (tune && tune.length === 0) throw new UsageError('fit: --tune needs at least one cut-off');
    const seed = intOpt(parsed, 'seed', -2147483648, 2147483647);
    const every = intOpt(parsed, 'checkpoint-every', 0, 10_000_000);
    const chains = intOpt(parsed, 'chains', 1, 64);
    const threads = intOpt(parsed, 'threads', 1, 256);
    const annot = stringOpt(parsed, 'annot');
    const ldMemory = stringOpt(parsed, 'ld-memory');
    if (ldMemory !== undefined && !LD_MEMORY_REQUESTS.includes(ldMemory as LdMemoryRequest)) {
      throw new UsageError(`fit: --ld-memory must be one of ${LD_MEMORY_REQUESTS.join(', ')}, got '${ldMemory}'`);
    }
    const json = parsed.values.json === true;
    announceKernels((line) => ctx.stderr(`${line}\n`));
    let lastShown = 0;
    // Ctrl-C: the chains stop after the sweep in progress and are checkpointed there.
    const stop = new AbortController();
    const release = ctx.onInterrupt(async () => {
      stop.abort();
      await finished.catch(() => undefined);
    });
    const finished = fitOnFiles(
      {
        sumstats: resolve(need('sumstats')),
        ld: resolve(need('ld')),
        out: resolve(need('out')),
        iterations,
        burnIn,
        ...(annot ? { annot: resolve(annot) } : {}),
        ...(cutoff !== undefined ? { cutoff } : {}),
        ...(tune ? { tune } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(every !== undefined ? { checkpointEvery: every } : {}),
        ...(chains !== undefined ? { chains } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(ldMemory !== undefined ? { ldMemory: ldMemory as LdMemoryRequest } : {}),
      },
      (r, chain) => {
        if (r.sweep === 1) lastShown = 0;
        if (json || r.sweep - lastShown < Math.max(1, Math.floor(iterations / 10))) return;
        lastShown = r.sweep;
        ctx.stderr(`${chain > 0 ? `chain ${chain + 1}: ` : ''}sweep ${r.sweep}/${iterations}: h² ${r.h2.toFixed(4)}, nnz ${r.nnz}\n`);
      },
      undefined,
      stop.signal,
    );
    let result: Awaited<typeof finished>;
    try {
      result = await finished;
    } finally {
      release();
    }
    if (result.cancelled) {
      ctx.stderr(`fit interrupted after ${result.sweep} sweeps, checkpointed in ${result.files.checkpoint}; the same command continues from there\n`);
      return EXIT_FAILURE;
    }
    const s = result.summary;
    if (!s) throw new Error('fit stopped before the last sweep');
    if (s.convergence?.warning) ctx.stderr(`warning: ${s.convergence.warning}\n`);
    for (const w of s.warnings ?? []) ctx.stderr(`warning: ${w}\n`);
    if (json) {
      ctx.stdout(`${JSON.stringify(s, null, 2)}\n`);
      return EXIT_OK;
    }
    const cv = s.convergence;
    if (cv) {
      ctx.stdout(`${cv.chains} chains: R-hat h² ${cv.rhat.h2.toFixed(3)}, nnz ${cv.rhat.nnz.toFixed(3)}, σ²e ${cv.rhat.sigma2e.toFixed(3)}; ESS h² ${cv.ess.h2.toFixed(0)}\n`);
    }
    ctx.stdout(
      `${s.method}: h² ${s.h2.mean.toFixed(4)} (SD ${s.h2.sd.toFixed(4)}), nnz ${s.nnz.mean.toFixed(0)}, ${s.snps} SNPs in ${s.blocks} blocks,` +
        ` cut-off ${s.cutoff}${s.tuning ? ` (tuned: ${s.tuning.reason})` : ''}${s.ldMemory ? `, LD Q ${(s.ldMemory.qBytes / 1e6).toFixed(0)} MB ${s.ldMemory.mode}` : ''}, ${s.sweepsPerSecond.toFixed(1)} sweeps/s${s.resumedFromSweep !== null ? `, resumed at sweep ${s.resumedFromSweep}` : ''}` +
        `${s.removedSnps.length > 0 ? `, ${s.removedSnps.length} SNPs removed by the convergence guard` : ''}\n` +
        `  → ${result.files.txt}, ${result.files.par}, ${result.files.json}, ${result.files.pgs}\n`,
    );
    return EXIT_OK;
  },
};
