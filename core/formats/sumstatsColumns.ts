// Which column of a summary-statistics header plays which role, for the dialects GWAS tools
// write (COJO .ma, GWAS-SSF, PLINK 2 --glm, REGENIE, SAIGE, BOLT-LMM, METAL, GCTA fastGWA, LDSC
// munged, and the generic names harmonisation tools use). Matching is case-insensitive and
// ignores a leading '#'. Names are grouped in tiers per role: the first tier with a match wins
// (GWAS-SSF's `rsid` over its `variant_id`), two matches in one tier are ambiguous. A user's
// `--columns role=NAME,…` overrides detection role by role.
import { SUMSTATS_ROLES, type SumstatsRole } from '../../contracts/sumstats.js';
import { BadInputError } from '../errors.js';
import { editDistance } from './text.js';


/** Role → 0-based column index, for the roles the header has. */
export type ColumnMap = Partial<Record<SumstatsRole, number>>;

export type SumstatsDialect = 'cojo' | 'gwas-ssf' | 'plink2' | 'regenie' | 'saige' | 'bolt-lmm' | 'metal' | 'fastgwa' | 'ldsc' | 'generic';

export interface DetectedColumns {
  dialect: SumstatsDialect;
  columns: ColumnMap;
  /** Role → header name as written, for the record (printed, stored with the ingest, audited). */
  names: Partial<Record<SumstatsRole, string>>;
}

/** Header names per role, in tiers (lower case, no leading '#'). */
const GENERIC: Record<SumstatsRole, readonly (readonly string[])[]> = {
  snp: [['rsid', 'rs_id', 'rsids', 'rs'], ['snp', 'snpid', 'snp_id', 'markername', 'marker', 'id', 'markerid', 'variant_id', 'variant', 'variantid']],
  chrom: [['chr', 'chrom', 'chromosome', 'chr_name', 'chromosome_name']],
  pos: [['pos', 'bp', 'base_pair_location', 'position', 'genpos', 'ps', 'chr_position', 'bp_position']],
  a1: [['ea', 'effect_allele', 'a1', 'tested_allele', 'effectallele', 'alt', 'alt_allele', 'allele1', 'allele_1']],
  a2: [['nea', 'other_allele', 'non_effect_allele', 'a2', 'otherallele', 'ref', 'ref_allele', 'allele0', 'allele_0', 'allele2', 'allele_2', 'a0']],
  ref: [],
  alt: [],
  freq: [['eaf', 'freq', 'frq', 'a1freq', 'a1_freq', 'af1', 'effect_allele_frequency', 'freq1', 'af', 'a1frq', 'freq_a1', 'eaf_a1']],
  b: [['beta', 'b', 'effect', 'est', 'log_odds', 'logor']],
  or: [['or', 'odds_ratio', 'oddsratio']],
  orLower: [['or_95l', 'ci_lower', 'or_l95', 'lower_ci', 'l95', 'or_lower']],
  orUpper: [['or_95u', 'ci_upper', 'or_u95', 'upper_ci', 'u95', 'or_upper']],
  se: [['se', 'standard_error', 'stderr', 'log(or)_se', 'se_beta', 'sebeta', 'betase', 'se_b']],
  z: [['z', 'zscore', 'z_stat', 'z_score', 'zstat']],
  p: [['p', 'pval', 'p_value', 'pvalue', 'p-value', 'p.value', 'p_wald', 'pval_nominal'], ['p_bolt_lmm'], ['p_bolt_lmm_inf']],
  log10p: [['log10p', 'mlog10p', 'neg_log_10_p_value', 'log10_p', '-log10p', 'minus_log10_p', 'neglog10p', 'neg_log10_p']],
  n: [['n', 'obs_ct', 'n_total', 'ntotal', 'totalsamplesize', 'samplesize', 'nobs', 'n_obs', 'neff', 'weight']],
  nCase: [['n_case', 'ncase', 'n_cases', 'ncases', 'cases']],
  nControl: [['n_control', 'ncontrol', 'n_controls', 'ncontrols', 'controls', 'n_ctrl']],
  info: [['info', 'imputationinfo', 'info_score', 'info-score', 'mach_r2', 'imputation_info']],
  test: [['test']],
};

const clean = (h: string): string => h.replace(/^#+/, '').trim().toLowerCase();

/**
 * Allele columns whose meaning depends on the tool: ALLELE1/ALLELE0 (BOLT-LMM, REGENIE: ALLELE1
 * tested), Allele1/Allele2 (METAL: Allele1 effect; SAIGE: Allele2 effect), A1 with REF/ALT
 * (PLINK 2: A1 is the effect allele, the other is REF or ALT, per row).
 */
function dialectOf(lower: readonly string[]): SumstatsDialect {
  const has = (...names: string[]): boolean => names.every((n) => lower.includes(n));
  if (has('a1', 'ref', 'alt') && (has('obs_ct') || has('a1_freq') || has('t_stat') || has('z_stat') || has('log(or)_se') || has('omitted'))) return 'plink2';
  if (has('allele0', 'allele1', 'log10p')) return 'regenie';
  if (has('allele0', 'allele1') && lower.some((h) => h.startsWith('p_bolt_lmm'))) return 'bolt-lmm';
  if (has('allele1', 'allele2') && (has('af_allele2') || has('ac_allele2') || has('markerid'))) return 'saige';
  if (has('markername', 'allele1', 'allele2')) return 'metal';
  if (has('effect_allele', 'other_allele', 'standard_error') || has('base_pair_location')) return 'gwas-ssf';
  if (has('snp', 'a1', 'a2', 'z', 'n') && !lower.includes('b') && !lower.includes('beta')) return 'ldsc';
  if (has('snp', 'a1', 'a2', 'af1', 'chr', 'pos')) return 'fastgwa';
  if (has('snp', 'a1', 'a2', 'b', 'se', 'p', 'n') && (has('freq') || has('frq') || has('af1'))) return 'cojo';
  return 'generic';
}

/** Names the dialect gives a role, overriding the generic tiers (only where the tool differs). */
function dialectNames(d: SumstatsDialect): Partial<Record<SumstatsRole, readonly (readonly string[])[]>> {
  switch (d) {
    case 'plink2':
      return { a1: [['a1']], a2: [['omitted']], ref: [['ref']], alt: [['alt']], or: [['or']], orLower: [['l95']], orUpper: [['u95']], n: [['obs_ct']] };
    case 'regenie':
      return { a1: [['allele1']], a2: [['allele0']] };
    case 'bolt-lmm':
      // BOLT's GENPOS is the genetic map position (cM); BP is the physical one.
      return { a1: [['allele1']], a2: [['allele0']], pos: [['bp']] };
    case 'saige':
      // SAIGE's effect allele is Allele2 (BETA and AF_Allele2 refer to it).
      return { a1: [['allele2']], a2: [['allele1']], freq: [['af_allele2']], info: [['imputationinfo']], snp: [['markerid'], ['snpid']] };
    case 'metal':
      return { a1: [['allele1']], a2: [['allele2']], freq: [['freq1']], b: [['effect']], se: [['stderr']], p: [['p-value']], z: [['zscore']], n: [['weight']] };
    default:
      return {};
  }
}

const ROLE_LABEL: Record<SumstatsRole, string> = {
  snp: 'snp',
  chrom: 'chrom',
  pos: 'pos',
  a1: 'a1 (effect allele)',
  a2: 'a2 (other allele)',
  ref: 'ref',
  alt: 'alt',
  freq: 'freq',
  b: 'b',
  or: 'or',
  orLower: 'orLower',
  orUpper: 'orUpper',
  se: 'se',
  z: 'z',
  p: 'p',
  log10p: 'log10p',
  n: 'n',
  nCase: 'nCase',
  nControl: 'nControl',
  info: 'info',
  test: 'test',
};

/** `snp=MarkerName,a1=EA` → role → header name; unknown roles are an error naming the valid ones. */
export function parseColumnOverrides(text: string, source = '--columns'): Partial<Record<SumstatsRole, string>> {
  const out: Partial<Record<SumstatsRole, string>> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim();
    const name = part.slice(eq + 1).trim();
    if (eq <= 0 || name === '') throw new BadInputError(source, `'${part}' is not role=COLUMN`);
    if (!(SUMSTATS_ROLES as readonly string[]).includes(role)) throw new BadInputError(source, `unknown role '${role}' (roles: ${SUMSTATS_ROLES.join(', ')})`);
    out[role as SumstatsRole] = name;
  }
  return out;
}

/**
 * The columns of `header` by role. Overrides name a header column per role (case-insensitive);
 * a named column that is absent is an error. Two candidates for one role in the same tier are
 * an error naming both (line 1, the second's column).
 */
export function detectColumns(file: string, header: readonly string[], overrides: Partial<Record<SumstatsRole, string>> = {}): DetectedColumns {
  const lower = header.map(clean);
  const dialect = dialectOf(lower);
  const special = dialectNames(dialect);
  const columns: ColumnMap = {};
  const taken = new Set<number>();
  for (const role of SUMSTATS_ROLES) {
    const o = overrides[role];
    if (o === undefined) continue;
    const i = lower.indexOf(clean(o));
    if (i < 0) throw new BadInputError(file, `--columns ${role}=${o}: no such column; columns present: ${header.join(', ')}`, 1);
    columns[role] = i;
    taken.add(i);
  }
  for (const role of SUMSTATS_ROLES) {
    if (columns[role] !== undefined) continue;
    for (const tier of special[role] ?? GENERIC[role]) {
      const hits = lower.flatMap((h, i) => (tier.includes(h) && !taken.has(i) ? [i] : []));
      if (hits.length > 1) {
        throw new BadInputError(
          file,
          `ambiguous header: columns '${header[hits[0]!]}' and '${header[hits[1]!]}' could both be ${ROLE_LABEL[role]}; name one with --columns ${role}=…`,
          1,
          hits[1]! + 1,
        );
      }
      if (hits.length === 1) {
        columns[role] = hits[0]!;
        taken.add(hits[0]!);
        break;
      }
    }
  }
  refuseNearMiss(file, header, lower, columns, special);
  // PLINK 2 without OMITTED: the other allele is REF or ALT, whichever A1 is not (per row).
  if (dialect !== 'plink2') {
    delete columns.ref;
    delete columns.alt;
  }
  const names: Partial<Record<SumstatsRole, string>> = {};
  for (const role of SUMSTATS_ROLES) if (columns[role] !== undefined) names[role] = header[columns[role]!]!;
  return { dialect, columns, names };
}


/** Roles whose absence a misspelt header most likely explains (`sd` for `se`). */
const NEAR_MISS_ROLES: readonly SumstatsRole[] = ['snp', 'a1', 'a2', 'b', 'se', 'p', 'freq', 'n'];

/**
 * A role the header lacks while an unclaimed column is one typo from one of its names: refused,
 * rather than derived around (a misspelt `se` would otherwise be derived from P without a word).
 * Single-letter names are skipped: every other one-letter column is one edit from them.
 */
function refuseNearMiss(
  file: string,
  header: readonly string[],
  lower: readonly string[],
  columns: ColumnMap,
  special: Partial<Record<SumstatsRole, readonly (readonly string[])[]>>,
): void {
  const claimed = new Set(Object.values(columns));
  for (const role of NEAR_MISS_ROLES) {
    if (columns[role] !== undefined) continue;
    if (role === 'b' && (columns.or !== undefined || columns.z !== undefined)) continue;
    if (role === 'a2' && columns.ref !== undefined && columns.alt !== undefined) continue;
    for (const name of (special[role] ?? GENERIC[role]).flat()) {
      if (name.length < 2) continue;
      const i = lower.findIndex((h, k) => !claimed.has(k) && h !== name && editDistance(h, name) <= (name.length <= 3 ? 1 : 2));
      if (i >= 0) {
        throw new BadInputError(file, `missing column '${name}' (${ROLE_LABEL[role]}); columns present: ${header.join(', ')}; did you mean '${header[i]}'? (or name it with --columns ${role}=…)`, 1);
      }
    }
  }
}
