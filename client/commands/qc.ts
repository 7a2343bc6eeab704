import { resolve } from 'node:path';
import { GuardError } from '../../core/errors.js';
import { type QcFilesResult, qcOnFiles } from '../../core/qc/qcFiles.js';
import { formatQcSummary } from '../../core/qc/qcSummary.js';
import { AMBIGUOUS_POLICIES, type AmbiguousPolicy, QC_DEFAULTS, type QcThresholdsInput, resolveQcThresholds } from '../../config/qcThresholds.js';
import { ConfigError } from '../../config/errors.js';
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError, listOpt, numberOpt, stringOpt } from '../command.js';
import { SUMSTATS_OPTIONS, SUMSTATS_OPTIONS_HELP, sumstatsReadOptions } from '../sumstatsOptions.js';

const d = QC_DEFAULTS;

export const qcCommand: Command = {
  name: 'qc',
  summary: 'summary-statistics QC against an LD panel (allele alignment, frequency and N filters)',
  help: `Usage: pgsflow qc --sumstats F --ld DIR --out F [--freq-diff ${d.freqDiff}] [--maf ${d.maf}] [--info ${d.info}] [--n-sd ${d.nSd}]
                  [--rate2pq ${d.rate2pq}] [--ambiguous keep|drop|auto] [--max-freq-drop ${d.maxFreqDrop}] [--no-impute]
                  [--explain SNP …] [--json]

Cleans GWAS summary statistics (COJO .ma or GWAS-SSF) for an SBayesRC LD folder. Rules, in
order, each counted: invalid values (non-finite N/b/se/freq, p outside [0, 1]); se ≤ 0;
duplicate SNP IDs (first kept); SNP not in the panel; alleles that match the panel's pair
neither as given, swapped (re-oriented: b → −b, freq → 1 − freq) nor on the other strand
(complemented) → allele_mismatch; strand-ambiguous A/T, C/G per --ambiguous;
|freq − panel A1Freq| > --freq-diff; MAF < --maf; INFO < --info (when the file has an INFO
column); N outside mean ± --n-sd SD; sqrt(v/median v) outside 1 ± --rate2pq with
v = 2f(1−f)(N·se² + b²).
Fails (exit 1, nothing cleaned) when the frequency filter removes more than --max-freq-drop
of the variants reaching it, when median |b/se| > ${d.maxMedianAbsZ}, when b looks like odds ratios, when
nothing survives, or with --no-impute when fewer than ${100 * d.minPanelCoverage}% of the panel's SNPs remain.

Writes F (COJO .ma on the panel's A1/A2, in panel order), F.qc.json (counts per rule,
thresholds, guards) and F.removed.tsv (SNP rule detail); the last two also when a guard fails.
  --ambiguous        keep, drop, or auto (default): keep A/T, C/G variants whose GWAS and panel
                     frequencies are both more than ${d.ambiguousMargin} from 0.5 on the same side
  --no-impute        no imputation of missing SNPs will follow: check panel coverage
  --explain SNP      print what happened to these SNPs (repeatable, or comma-separated)
  --json             print the report as JSON on stdout
${SUMSTATS_OPTIONS_HELP}
  --chain FILE       lift the summary statistics' positions to the LD panel's genome build with this
                     UCSC chain file (e.g. hg38ToHg19.over.chain.gz; not downloaded): unmapped
                     variants are removed under not_lifted. Without it, a file in another build
                     than the panel is refused (guard genome_build)`,
  greedyOptions: ['explain'],
  options: {
    sumstats: { type: 'string' },
    ld: { type: 'string' },
    out: { type: 'string' },
    'freq-diff': { type: 'string' },
    maf: { type: 'string' },
    info: { type: 'string' },
    'n-sd': { type: 'string' },
    rate2pq: { type: 'string' },
    ambiguous: { type: 'string' },
    'max-freq-drop': { type: 'string' },
    'no-impute': { type: 'boolean' },
    explain: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    ...SUMSTATS_OPTIONS,
    chain: { type: 'string' },
  },
  async run(parsed, ctx) {
    const need = (name: string): string => {
      const v = stringOpt(parsed, name);
      if (!v) throw new UsageError(`qc: --${name} is required`);
      return v;
    };
    const sumstats = need('sumstats');
    const ld = need('ld');
    const out = resolve(need('out'));
    const thresholds = thresholdsFromFlags(parsed);
    const explain = listOpt(parsed, 'explain') ?? [];
    const json = parsed.values.json === true;
    const show = (r: QcFilesResult): void => {
      if (json) ctx.stdout(`${JSON.stringify({ ...r.report, reading: r.reading, files: r.files, explanations: r.explanations }, null, 2)}\n`);
      else {
        ctx.stdout(`read as ${r.reading.columns}\n`);
        for (const d of r.reading.derived) ctx.stdout(`  derived: ${d}\n`);
        if (r.reading.liftover !== null) ctx.stdout(`  lifted over: ${r.reading.liftover}\n`);
        ctx.stdout(`${formatQcSummary(r.report).join('\n')}\n`);
        if (!r.infoColumn) ctx.stdout('  (no INFO column in the input: the INFO filter was not applied)\n');
        for (const line of r.explanations) ctx.stdout(`${line}\n`);
        ctx.stdout(`wrote ${r.files.join(', ')}\n`);
      }
    };
    try {
      const chain = stringOpt(parsed, 'chain');
      await qcOnFiles({ sumstats, ld, out, thresholds, explain, read: sumstatsReadOptions(parsed, 'qc'), ...(chain !== undefined ? { chain: resolve(chain) } : {}) }, show);
    } catch (e) {
      // The shared error printer does not know guards; their message is the whole story.
      if (e instanceof GuardError) {
        ctx.stderr(`pgsflow: ${e.message}\n`);
        return EXIT_FAILURE;
      }
      throw e;
    }
    return EXIT_OK;
  },
};

function thresholdsFromFlags(parsed: Parameters<Command['run']>[0]): QcThresholdsInput {
  const t: QcThresholdsInput = {};
  const flags: [string, 'freqDiff' | 'maf' | 'info' | 'nSd' | 'rate2pq' | 'maxFreqDrop'][] = [
    ['freq-diff', 'freqDiff'],
    ['maf', 'maf'],
    ['info', 'info'],
    ['n-sd', 'nSd'],
    ['rate2pq', 'rate2pq'],
    ['max-freq-drop', 'maxFreqDrop'],
  ];
  for (const [flag, key] of flags) {
    const v = numberOpt(parsed, flag);
    if (v !== undefined) t[key] = v;
  }
  const ambiguous = stringOpt(parsed, 'ambiguous');
  if (ambiguous !== undefined) {
    if (!(AMBIGUOUS_POLICIES as readonly string[]).includes(ambiguous)) {
      throw new UsageError(`qc: --ambiguous must be keep, drop or auto, got '${ambiguous}'`);
    }
    t.ambiguous = ambiguous as AmbiguousPolicy;
  }
  if (parsed.values['no-impute'] === true) t.noImpute = true;
  try {
    resolveQcThresholds(t, 'qc options');
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`qc: ${e.issues.map((i) => `--${flagOf(i.field)}: ${i.message}`).join('; ')}`);
    throw e;
  }
  return t;
}

const flagOf = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
