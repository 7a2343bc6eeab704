import { resolve } from 'node:path';
import { DEFAULT_CUTOFF, buildLdPanel } from '../../core/ld/buildLdPanel.js';
import { type Command, EXIT_OK, UsageError, intOpt, numberOpt, stringOpt } from '../command.js';
import { GENOTYPE_GREEDY_OPTIONS, GENOTYPE_HELP, GENOTYPE_OPTIONS, GENOTYPE_USAGE, genotypeInput } from '../genotypeOptions.js';
import type { LdPanelRequest } from '../../contracts/ld.js';
import { announceKernels } from '../kernelNotice.js';

export const ldCommand: Command = {
  name: 'ld',
  summary: 'LD eigen panel (SBayesRC LD folder) from reference genotypes and LD blocks',
  help: `Usage: pgsflow ld ${GENOTYPE_USAGE}
                  [--keep F] --blocks F --out DIR [--cutoff ${DEFAULT_CUTOFF}] [--max-block-snps N]

Per LD block, the correlation matrix of the A1 dosages (A1 = .bim 5th column, ALT in the other
formats; missing calls mean-imputed) of the --keep samples, its eigen-decomposition, and the
leading eigen-pairs up to --cutoff of the sum of positive eigenvalues, written as an SBayesRC LD
folder: DIR/ldm.info, DIR/snp.info (A1Freq and N over the kept samples, GenPos from the .bim or
.pvar cM), DIR/block<B>.eigen.bin, plus DIR/ld.json (blocks, SNPs, k per block, splits, dropped
SNPs, eigen backend, timings).
SNPs go to the block [StartBP, EndBP) of their chromosome; SNPs outside every block, without
variation among the kept samples, or with a duplicated ID are left out and counted.
  --keep F           samples to use (FID IID, or IID alone)
  --blocks F         LD blocks: SBayesRC .pos (Block Chrom StartBP EndBP) or BED
  --out DIR          the LD folder; replaced if it already holds a panel
  --cutoff C         share of the positive eigenvalue sum to keep, in (0, 1] (default ${DEFAULT_CUTOFF})
  --max-block-snps N split larger blocks at their largest base-pair gap, recursively
A reference of hard calls in any format gives the panel of the same .bed exactly; fractional
dosages are correlated as they are.
${GENOTYPE_HELP}`,
  greedyOptions: GENOTYPE_GREEDY_OPTIONS,
  options: {
    ...GENOTYPE_OPTIONS,
    keep: { type: 'string' },
    blocks: { type: 'string' },
    out: { type: 'string' },
    cutoff: { type: 'string' },
    'max-block-snps': { type: 'string' },
  },
  async run(parsed, ctx) {
    const need = (name: string): string => {
      const v = stringOpt(parsed, name);
      if (!v) throw new UsageError(`ld: --${name} is required`);
      return v;
    };
    const genotypes = genotypeInput(parsed, 'ld');
    const cutoff = numberOpt(parsed, 'cutoff');
    if (cutoff !== undefined && !(cutoff > 0 && cutoff <= 1)) throw new UsageError(`ld: --cutoff must be in (0, 1], got ${cutoff}`);
    const maxBlockSnps = intOpt(parsed, 'max-block-snps', 1, 1_000_000);
    const keep = stringOpt(parsed, 'keep');
    const req: LdPanelRequest = {
      ...(genotypes.kind === 'bfile' ? { bfiles: genotypes.paths } : { genotypes }),
      blocks: need('blocks'),
      outDir: resolve(need('out')),
      ...(keep ? { keep } : {}),
      ...(cutoff !== undefined ? { cutoff } : {}),
      ...(maxBlockSnps !== undefined ? { maxBlockSnps } : {}),
    };
    announceKernels((line) => ctx.stderr(`${line}\n`));
    const s = await buildLdPanel(req);
    const kept = s.perBlock.reduce((a, b) => a + b.k, 0);
    ctx.stdout(
      `LD panel of ${s.snps} SNPs in ${s.blocks} blocks (largest ${s.largestBlock} SNPs) from ${s.samples.kept} samples,` +
        ` ${kept} eigen-pairs at cut-off ${s.cutoff}, in ${s.seconds.total.toFixed(1)} s → ${s.outDir}\n`,
    );
    ctx.stdout(`  eigen backend: ${s.backend}\n`);
    if (s.dosages) {
      ctx.stdout(`  ${s.dosages.variants} variants read as dosages, ${s.dosages.hardCallVariants} of them hard calls among the kept samples\n`);
      for (const k of s.dosages.skipped) ctx.stdout(`  ${k.count} record(s) set aside: ${k.reason}${k.examples.length > 0 ? ` (e.g. ${k.examples.join(', ')})` : ''}\n`);
    }
    const dropped = Object.entries(s.dropped).filter(([, n]) => n > 0);
    if (dropped.length > 0) ctx.stdout(`  SNPs left out: ${dropped.map(([r, n]) => `${n} ${r}`).join(', ')}\n`);
    if (s.splits.length > 0) ctx.stdout(`  ${s.splits.length} blocks over --max-block-snps split at their largest gaps (see ld.json)\n`);
    if (s.samples.keepNotFound > 0) ctx.stdout(`  --keep names ${s.samples.keepNotFound} samples not in the genotypes\n`);
    return EXIT_OK;
  },
};
