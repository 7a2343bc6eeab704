// The options every command that reads summary statistics shares: `--columns role=NAME,…`
// (override the detected columns), `--n N` (sample size when the file has none) and
// `--max-bad-rows F` (the fraction of rows with unusable values that is still accepted).
import type { SumstatsReadOptions } from '../contracts/sumstats.js';
import { DEFAULT_MAX_BAD_ROWS } from '../core/formats/sumstats.js';
import { parseColumnOverrides } from '../core/formats/sumstatsColumns.js';
import { type OptionSpec, type ParsedArgs, UsageError, numberOpt, stringOpt } from './command.js';

export const SUMSTATS_OPTIONS: OptionSpec = {
  columns: { type: 'string' },
  n: { type: 'string' },
  'max-bad-rows': { type: 'string' },
};

export const SUMSTATS_OPTIONS_HELP = `  --columns R=C,…   use column C for role R where detection is not enough (roles: snp chrom pos
                    a1 a2 freq b or orLower orUpper se z p log10p n nCase nControl info)
  --n N             GWAS sample size for every variant, when the file has no N (nor N_CASE/N_CONTROL)
  --max-bad-rows F  refuse the file when more than this fraction of its rows have unusable values
                    (NA, not a number, out of range; default ${DEFAULT_MAX_BAD_ROWS}); such rows are QC removals`;

export function sumstatsReadOptions(p: ParsedArgs, command: string): SumstatsReadOptions {
  const out: SumstatsReadOptions = {};
  const columns = stringOpt(p, 'columns');
  if (columns !== undefined) {
    try {
      out.columns = parseColumnOverrides(columns);
    } catch (e) {
      throw new UsageError(`${command}: ${(e as Error).message}`);
    }
  }
  const n = numberOpt(p, 'n');
  if (n !== undefined) {
    if (!(n > 0)) throw new UsageError(`${command}: --n must be a positive sample size, got ${n}`);
    out.n = n;
  }
  const bad = numberOpt(p, 'max-bad-rows');
  if (bad !== undefined) {
    if (!(bad >= 0 && bad <= 1)) throw new UsageError(`${command}: --max-bad-rows must be a fraction in [0, 1], got ${bad}`);
    out.maxBadRows = bad;
  }
  return out;
}
