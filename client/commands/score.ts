import { resolve } from 'node:path';
import { scoreFiles } from '../../core/score/scoreFiles.js';
import { formatReport } from '../../core/score/scoreSummary.js';
import { writeScores } from '../../core/score/writeScores.js';
import { type Command, EXIT_OK, UsageError, intOpt, listOpt, stringOpt } from '../command.js';
import { GENOTYPE_GREEDY_OPTIONS, GENOTYPE_HELP, GENOTYPE_OPTIONS, genotypeInput, genotypeUsage } from '../genotypeOptions.js';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'apply polygenic score weights to genotypes (PLINK 1/2, VCF/BCF, BGEN; one pass, any number of scores)',
  help: `Usage: pgsflow score ${genotypeUsage(21)}
                     --weights F [--weights F2 …] --out FILE [options]

Scores every sample: SCORE_s = Σ_j w_js · (dosage of the weight's allele), one pass over the
genotypes for all weight columns of all files (dosage files are read once more, first, to list
their variants). Equal to plink2 --score … cols=+scoresums on the same files given the same
allele frequencies (--read-freq). A missing genotype or dosage counts 2f copies of A1 (f its
frequency, from --freq or --allow-sample-freq), as plink2 does; ALLELE_CT counts the observed
ones. Dosage files of hard calls only (e.g. a GT-only VCF) score exactly as their .bed would.

Weights (each numeric column after the alleles is a score, named by its header):
  SBayesRC .txt (SNP A1 BETA …: BETA), GCTB .snpRes (Name … A1 A2 … A1Effect),
  SNP A1 [A2] W1 W2 … with a header, or a PGS Catalog scoring file (effect_weight).
Alleles are matched by SNP ID: weights on A2 count A2 copies, strand flips are recognised
except for A/T and C/G variants (kept as given unless --drop-ambiguous); IDs absent from the
genotypes and alleles that match neither way are counted on stderr, not fatal.

  --weights F             weight file(s)
  --out FILE              TSV: FID IID ALLELE_CT NAMED_ALLELE_DOSAGE_SUM SCORE_<name>…
  --center                score Σ w·(x − 2f), as plink2's 'center'
  --freq F [F2 …]         reference A1 frequencies for missing calls (2f) and centring, from
                          training/reference samples: plink2 .afreq, plink .frq, or SNP FREQ;
                          one file, or one per score in score order (e.g. each fold's training
                          samples)
  --allow-sample-freq     without --freq (or for variants it lacks), impute missing calls from
                          the scored samples' own frequencies. Without either, a missing call
                          at a weighted variant is an error: imputing from the scored samples
                          leaks them into their own scores.
  --keep F                score only these samples (FID IID, or IID)
  --folds F               FID IID fold (1..K, as pgsflow gwas writes): a sample in fold k is
                          scored with the k-th score only (held-out scoring of K fold fits)
  --drop-ambiguous        drop strand-ambiguous (A/T, C/G) variants
  --threads N             use N threads (default: as many as the job is worth, up to all cores)
  --json                  print the run summary as JSON on stdout

${GENOTYPE_HELP}`,
  greedyOptions: [...GENOTYPE_GREEDY_OPTIONS, 'weights', 'freq'],
  options: {
    ...GENOTYPE_OPTIONS,
    weights: { type: 'string', multiple: true },
    out: { type: 'string' },
    center: { type: 'boolean' },
    freq: { type: 'string', multiple: true },
    'allow-sample-freq': { type: 'boolean' },
    keep: { type: 'string' },
    folds: { type: 'string' },
    'drop-ambiguous': { type: 'boolean' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(parsed, ctx) {
    const genotypes = genotypeInput(parsed, 'score');
    const weights = listOpt(parsed, 'weights') ?? [];
    const out = stringOpt(parsed, 'out');
    if (weights.length === 0) throw new UsageError('score: --weights FILE is required');
    if (!out) throw new UsageError('score: --out FILE is required');
    const result = await scoreFiles({
      ...(genotypes.kind === 'bfile' ? { bfiles: genotypes.paths } : { genotypes }),
      weights: weights.map((w) => resolve(w)),
      center: parsed.values.center === true,
      freq: listOpt(parsed, 'freq')?.map((f) => resolve(f)),
      allowSampleFreq: parsed.values['allow-sample-freq'] === true,
      keep: opt(stringOpt(parsed, 'keep')),
      folds: opt(stringOpt(parsed, 'folds')),
      ambiguous: parsed.values['drop-ambiguous'] === true ? 'drop' : 'keep',
      threads: intOpt(parsed, 'threads', 1, 1024),
    });
    const outPath = resolve(out);
    writeScores(outPath, result);
    ctx.stderr(formatReport(result.report));
    if (result.dosage) {
      if (result.dosage.hardCallsOnly) ctx.stderr('  the dosages are all hard calls: scored as a .bed\n');
      for (const k of result.dosage.skipped) ctx.stderr(`  ${k.count} record(s) set aside: ${k.reason}${k.examples.length > 0 ? ` (e.g. ${k.examples.join(', ')})` : ''}\n`);
    }
    ctx.stderr(`  wrote ${outPath}\n`);
    if (parsed.values.json === true) ctx.stdout(`${JSON.stringify({ out: outPath, ...result.report, ...(result.dosage ? { dosage: result.dosage } : {}) }, null, 2)}\n`);
    return EXIT_OK;
  },
};

const opt = (s: string | undefined): string | undefined => (s === undefined ? undefined : resolve(s));
