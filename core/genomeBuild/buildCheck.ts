// Does a summary-statistics file use the LD panel's genome build? Its positions are compared
// with the panel's, and a file in another build is refused with a message naming the builds and
// the way out (`--chain FILE`, or a panel of the file's build).
//
// By rsID (the usual case): for variants matched by rsID, the fraction at the same chromosome
// and position. GRCh37 → GRCh38 moved practically every position (each chromosome's coordinates
// shifted), so a file in another build agrees on ~0 %; in the same build, disagreement comes only
// from rsID merges and multi-mapping IDs, a few per cent at most. Hence ≥ 90 % → same build,
// ≤ 10 % → different, in between → unknown ('mixed': two builds merged, or unreliable IDs), and
// no verdict below 100 matched variants: with 100, a same-build file (≥ 98 % agreement) falls
// under 90 % with probability < 1e-4 (binomial), and a different-build one never reaches 10 %.
// Only `rs<digits>` IDs count: chr:pos:ref:alt IDs would match only where the positions already
// agree, which proves nothing.
//
// By position, when the file has no rsIDs: a file variant "agrees" when the panel has a variant
// at the same chromosome and position with the same allele pair (either order, or the other
// strand). The fraction is taken over the smaller of the two variant sets on the chromosomes both
// have: it is the overlap of that set with the other. In another build, agreement happens only
// by chance — the other set's density (at most one variant per ~100 bases even for a 30M-variant
// imputed file) times the chance that an unrelated allele pair fits (about 1/2 for SNPs) — under
// 1 %. In the same build a GWAS and an LD panel share most variants (panels are built from common
// SNPs a GWAS has). Hence ≥ 50 % → same, ≤ 5 % → different (or the two share almost no variants,
// which QC refuses anyway), in between → unknown, and again no verdict below 100 compared.
//
// Either way, when positions disagree but at least half are exactly one base off, the verdict is
// still 'different' and the message says the positions look 0-based (no chain file fixes that).
import { orient } from '../alleles/alleleOrientation.js';
import { I32Column, normaliseChrom, StringIndex } from '../formats/text.js';

export type BuildVerdict = 'same' | 'different' | 'unknown';

export interface BuildThresholds {
  /** No verdict below this many compared variants. */
  minCompared: number;
  /** By rsID: at least this fraction at the same position → same build. */
  sameAtLeast: number;
  /** By rsID: at most this fraction → different build. */
  differentAtMost: number;
  /** By position: at least this fraction agreeing → same build. */
  positionSameAtLeast: number;
  /** By position: at most this fraction → different build. */
  positionDifferentAtMost: number;
  /** Of the compared variants, at least this fraction one base off → 'positions look 0-based'. */
  offByOneAtLeast: number;
}

export const BUILD_THRESHOLDS: Readonly<BuildThresholds> = {
  minCompared: 100,
  sameAtLeast: 0.9,
  differentAtMost: 0.1,
  positionSameAtLeast: 0.5,
  positionDifferentAtMost: 0.05,
  offByOneAtLeast: 0.5,
};

export interface BuildCheck {
  verdict: BuildVerdict;
  /** How the positions were compared; 'none' when the file has no positions. */
  basis: 'rsid' | 'position' | 'none';
  /** Variants matched by rsID with a position on both sides (0 unless basis is 'rsid'). */
  matchedById: number;
  /**
   * The denominator of `fraction`: `matchedById`, or by position the smaller of the file's and
   * the panel's variant counts on the chromosomes both have.
   */
  compared: number;
  /**
   * By rsID: matched variants at the same chromosome and position. By position: panel variants
   * found at a file variant's chromosome and position with the same allele pair.
   */
  samePosition: number;
  /** samePosition / compared; NaN when nothing was compared. */
  fraction: number;
  /** By position: file variants at a panel variant's chromosome and position, whatever the alleles. */
  atPanelPosition: number;
  /**
   * Compared variants one base off (file − panel = `offByOneShift`; by position, with the same
   * alleles). Counted only when the positions disagree (verdict 'different'), else 0.
   */
  offByOne: number;
  /** −1 or +1 when at least `offByOneAtLeast` of the compared variants are one base off; else 0. */
  offByOneShift: -1 | 0 | 1;
}

/** The variants of one side: the sumstats file or the LD panel. Alleles compare case-insensitively. */
export interface BuildCheckVariants {
  id: readonly string[] | null;
  chrom: readonly string[] | null;
  /** 1-based; anything but a positive integer counts as missing. */
  pos: ArrayLike<number> | null;
  a1: readonly string[] | null;
  a2: readonly string[] | null;
}

/** Positions of variants matched by ID: index i of each array is one matched pair. */
export interface MatchedPositions {
  fileChrom: readonly string[];
  filePos: ArrayLike<number>;
  panelChrom: readonly string[];
  panelPos: ArrayLike<number>;
}

const isPos = (p: number): boolean => Number.isInteger(p) && p >= 1;

/** 'rs' followed by digits only. */
export function isRsid(id: string): boolean {
  if (id.length < 3 || (id.charCodeAt(0) | 0x20) !== 0x72 || (id.charCodeAt(1) | 0x20) !== 0x73) return false;
  for (let i = 2; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function emptyCheck(basis: BuildCheck['basis']): BuildCheck {
  return { verdict: 'unknown', basis, matchedById: 0, compared: 0, samePosition: 0, fraction: NaN, atPanelPosition: 0, offByOne: 0, offByOneShift: 0 };
}

function verdictOf(fraction: number, compared: number, same: number, different: number, t: BuildThresholds): BuildVerdict {
  if (compared < t.minCompared) return 'unknown';
  if (fraction >= same) return 'same';
  if (fraction <= different) return 'different';
  return 'unknown';
}

/** Normalises chromosome names with a one-entry cache (inputs come sorted by chromosome). */
function chromNormaliser(): (s: string) => string {
  let lastRaw: string | undefined;
  let last = '';
  return (s) => {
    if (s !== lastRaw) {
      lastRaw = s;
      last = normaliseChrom(s);
    }
    return last;
  };
}

/**
 * Compare pairs matched by rsID: `rows` (optional) select the pairs as (file row, panel row);
 * without them index i of each array is pair i.
 */
function tallyPairs(
  fileChrom: readonly string[],
  filePos: ArrayLike<number>,
  panelChrom: readonly string[],
  panelPos: ArrayLike<number>,
  rows: { file: Int32Array; panel: Int32Array } | null,
  t: BuildThresholds,
): BuildCheck {
  const n = rows === null ? fileChrom.length : rows.file.length;
  const nf = chromNormaliser();
  const np = chromNormaliser();
  let matched = 0;
  let same = 0;
  let below = 0; // file = panel − 1
  let above = 0; // file = panel + 1
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : rows.file[i]!;
    const j = rows === null ? i : rows.panel[i]!;
    const fp = filePos[r]!;
    const pp = panelPos[j]!;
    if (!isPos(fp) || !isPos(pp)) continue;
    const fc = fileChrom[r];
    const pc = panelChrom[j];
    if (fc === undefined || fc === '' || pc === undefined || pc === '') continue;
    matched++;
    if (nf(fc) !== np(pc)) continue;
    if (fp === pp) same++;
    else if (fp === pp - 1) below++;
    else if (fp === pp + 1) above++;
  }
  const check = emptyCheck('rsid');
  check.matchedById = matched;
  check.compared = matched;
  check.samePosition = same;
  check.fraction = matched > 0 ? same / matched : NaN;
  check.verdict = verdictOf(check.fraction, matched, t.sameAtLeast, t.differentAtMost, t);
  if (check.verdict === 'different') setOffByOne(check, below, above, t);
  return check;
}

function setOffByOne(check: BuildCheck, below: number, above: number, t: BuildThresholds): void {
  check.offByOne = Math.min(Math.max(below, above), check.compared);
  if (check.offByOne >= t.offByOneAtLeast * check.compared) check.offByOneShift = below >= above ? -1 : 1;
}

/** Build check on the positions of variants already matched by rsID (e.g. by QC's panel match). */
export function compareMatchedPositions(m: MatchedPositions, thresholds: Partial<BuildThresholds> = {}): BuildCheck {
  const n = m.fileChrom.length;
  if (m.filePos.length !== n || m.panelChrom.length !== n || m.panelPos.length !== n) {
    throw new RangeError(`compareMatchedPositions: arrays of unequal length (${n}, ${m.filePos.length}, ${m.panelChrom.length}, ${m.panelPos.length})`);
  }
  return tallyPairs(m.fileChrom, m.filePos, m.panelChrom, m.panelPos, null, { ...BUILD_THRESHOLDS, ...thresholds });
}

/** Match the file's rsIDs to the panel's (first occurrence of a panel ID wins) and compare positions. */
export function compareByRsid(file: BuildCheckVariants, panel: BuildCheckVariants, thresholds: Partial<BuildThresholds> = {}): BuildCheck {
  const t = { ...BUILD_THRESHOLDS, ...thresholds };
  if (file.id === null || file.chrom === null || file.pos === null || panel.id === null || panel.chrom === null || panel.pos === null) {
    return emptyCheck('rsid');
  }
  const ix = new StringIndex();
  const panelRow = new I32Column();
  for (let j = 0; j < panel.id.length; j++) {
    const id = panel.id[j]!;
    if (isRsid(id) && ix.getOrAdd(id) === -1) panelRow.push(j);
  }
  const fileRows = new I32Column();
  const panelRows = new I32Column();
  for (let r = 0; r < file.id.length; r++) {
    const id = file.id[r]!;
    if (!isRsid(id)) continue;
    const k = ix.indexOf(id);
    if (k === -1) continue;
    fileRows.push(r);
    panelRows.push(panelRow.get(k));
  }
  return tallyPairs(file.chrom, file.pos, panel.chrom, panel.pos, { file: fileRows.finish(), panel: panelRows.finish() }, t);
}

// ---------------------------------------------------------------------------------------------
// By position and alleles

const CHROM_STRIDE = 2 ** 31; // key = chromosome code · 2^31 + position: exact in a double

interface PositionIndex {
  code: Map<string, number>;
  /** Sorted keys and the panel row of each. */
  keys: Float64Array;
  rows: Int32Array;
  /** Panel variants per chromosome code. */
  perChrom: number[];
}

function indexPanelPositions(chrom: readonly string[], pos: ArrayLike<number>): PositionIndex {
  const code = new Map<string, number>();
  const perChrom: number[] = [];
  const norm = chromNormaliser();
  const keyList: number[] = [];
  const rowList: number[] = [];
  for (let j = 0; j < chrom.length; j++) {
    const p = pos[j]!;
    const raw = chrom[j];
    if (!isPos(p) || raw === undefined || raw === '') continue;
    const c = norm(raw);
    let k = code.get(c);
    if (k === undefined) {
      k = code.size;
      code.set(c, k);
      perChrom.push(0);
    }
    perChrom[k]!++;
    keyList.push(k * CHROM_STRIDE + p);
    rowList.push(j);
  }
  let keys = Float64Array.from(keyList);
  let rows = Int32Array.from(rowList);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! <= keys[i]!;
  if (!sorted) {
    const order = new Int32Array(keys.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const k0 = keys;
    order.sort((a, b) => k0[a]! - k0[b]! || a - b);
    keys = Float64Array.from(order, (i) => k0[i]!);
    const r0 = rows;
    rows = Int32Array.from(order, (i) => r0[i]!);
  }
  return { code, keys, rows, perChrom };
}

/** First index with keys[i] ≥ key. */
function lowerBound(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const upper = (s: string | undefined): string => (s === undefined ? '' : s.toUpperCase());

/**
 * Build check by chromosome, position and alleles, for files without rsIDs (see the header for
 * the rule). Both sides need chrom, pos, a1 and a2.
 */
export function compareByPosition(file: BuildCheckVariants, panel: BuildCheckVariants, thresholds: Partial<BuildThresholds> = {}): BuildCheck {
  const t = { ...BUILD_THRESHOLDS, ...thresholds };
  const check = emptyCheck('position');
  const { chrom: fc, pos: fp, a1: fa1, a2: fa2 } = file;
  const { chrom: pc, pos: pp, a1: pa1, a2: pa2 } = panel;
  if (fc === null || fp === null || fa1 === null || fa2 === null || pc === null || pp === null || pa1 === null || pa2 === null) return check;
  const ix = indexPanelPositions(pc, pp);
  const { keys, rows } = ix;
  const norm = chromNormaliser();

  // Does a panel variant with the same allele pair sit at `key`? Its index in `keys`, else −1.
  // `from` is lowerBound(keys, key) when the caller has it.
  const fitting = (key: number, e: string, o: string, from = lowerBound(keys, key)): number => {
    for (let i = from; i < keys.length && keys[i] === key; i++) {
      const j = rows[i]!;
      if (orient(e, o, upper(pa1[j]), upper(pa2[j])) !== 'mismatch') return i;
    }
    return -1;
  };

  const fileKey = new Float64Array(fc.length).fill(NaN);
  const fileOnChrom: number[] = ix.perChrom.map(() => 0);
  const taken = new Uint8Array(keys.length);
  let same = 0;
  let atPosition = 0;
  for (let r = 0; r < fc.length; r++) {
    const p = fp[r]!;
    const raw = fc[r];
    if (!isPos(p) || raw === undefined || raw === '') continue;
    const k = ix.code.get(norm(raw));
    if (k === undefined) continue;
    fileOnChrom[k]!++;
    const key = k * CHROM_STRIDE + p;
    fileKey[r] = key;
    const at = lowerBound(keys, key);
    if (at === keys.length || keys[at] !== key) continue;
    atPosition++;
    const i = fitting(key, upper(fa1[r]), upper(fa2[r]), at);
    if (i !== -1 && taken[i] === 0) {
      taken[i] = 1;
      same++;
    }
  }
  let nFile = 0;
  let nPanel = 0;
  for (let k = 0; k < fileOnChrom.length; k++) {
    if (fileOnChrom[k]! === 0) continue;
    nFile += fileOnChrom[k]!;
    nPanel += ix.perChrom[k]!;
  }
  check.compared = Math.min(nFile, nPanel);
  check.samePosition = same;
  check.atPanelPosition = atPosition;
  check.fraction = check.compared > 0 ? same / check.compared : NaN;
  check.verdict = verdictOf(check.fraction, check.compared, t.positionSameAtLeast, t.positionDifferentAtMost, t);
  if (check.verdict === 'different') {
    // Second pass only on refusal: is the file one base off the panel?
    let below = 0;
    let above = 0;
    for (let r = 0; r < fc.length; r++) {
      const key = fileKey[r]!;
      if (key !== key) continue;
      const e = upper(fa1[r]);
      const o = upper(fa2[r]);
      if (fitting(key + 1, e, o) !== -1) below++; // panel at pos + 1: file = panel − 1
      if (key % CHROM_STRIDE > 1 && fitting(key - 1, e, o) !== -1) above++;
    }
    setOffByOne(check, below, above, t);
  }
  return check;
}

/**
 * The build check for a sumstats file against the LD panel: by rsID when at least
 * `minCompared` variants match by rsID with positions, else by position and alleles; 'none'
 * when the file has no positions (matching is then by ID only and the build does not matter).
 */
export function checkGenomeBuild(file: BuildCheckVariants, panel: BuildCheckVariants, thresholds: Partial<BuildThresholds> = {}): BuildCheck {
  const t = { ...BUILD_THRESHOLDS, ...thresholds };
  if (file.chrom === null || file.pos === null) return emptyCheck('none');
  const byId = compareByRsid(file, panel, t);
  if (byId.matchedById >= t.minCompared) return byId;
  if (file.a1 !== null && file.a2 !== null) {
    const byPos = compareByPosition(file, panel, t);
    if (byPos.compared >= t.minCompared || byId.matchedById === 0) return byPos;
  }
  return byId;
}

// ---------------------------------------------------------------------------------------------
// Build names and messages

const BUILD_ALIASES: Readonly<Record<string, string>> = {
  grch37: 'GRCh37',
  hg19: 'GRCh37',
  b37: 'GRCh37',
  hs37d5: 'GRCh37',
  '37': 'GRCh37',
  grch38: 'GRCh38',
  hg38: 'GRCh38',
  b38: 'GRCh38',
  '38': 'GRCh38',
  ncbi36: 'NCBI36',
  hg18: 'NCBI36',
  b36: 'NCBI36',
  '36': 'NCBI36',
};

const UCSC_NAME: Readonly<Record<string, string>> = { GRCh37: 'hg19', GRCh38: 'hg38', NCBI36: 'hg18' };

/**
 * 'GRCh37' for hg19, b37, 37, GRCh37.p13 (any case); 'GRCh38' and 'NCBI36' likewise; any other
 * name trimmed as given; undefined when blank or absent.
 */
export function canonicalBuild(name: string | null | undefined): string | undefined {
  const s = name?.trim() ?? '';
  if (s === '') return undefined;
  return BUILD_ALIASES[s.toLowerCase().replace(/\.p\d+$/, '')] ?? s;
}

/** The other of GRCh37 and GRCh38, the builds a mismatch is almost always between. */
function otherBuild(build: string | undefined): string | undefined {
  return build === 'GRCh37' ? 'GRCh38' : build === 'GRCh38' ? 'GRCh37' : undefined;
}

/** UCSC's name of the chain file from one build to another, e.g. hg38ToHg19.over.chain.gz. */
export function chainFileName(from: string, to: string): string | undefined {
  const f = UCSC_NAME[canonicalBuild(from) ?? ''];
  const t = UCSC_NAME[canonicalBuild(to) ?? ''];
  if (f === undefined || t === undefined || f === t) return undefined;
  return `${f}To${t[0]!.toUpperCase()}${t.slice(1)}.over.chain.gz`;
}

export interface BuildNames {
  /** The LD panel's build, when known (stated by the user or recorded with the panel). */
  panelBuild?: string;
  /** The file's build, when known (e.g. from GWAS-SSF metadata). */
  fileBuild?: string;
}

const count = (x: number): string => x.toLocaleString('en-US');
const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

function evidence(file: string, c: BuildCheck): string {
  return c.basis === 'rsid'
    ? `${file}: positions agree with the LD panel for ${percent(c.fraction)} of the ${count(c.compared)} variants matched by rsID`
    : `${file}: matching by position (the file has no rsIDs), only ${percent(c.fraction)} of the ${count(c.compared)} variants compared ` +
        `(the smaller of the file's and the panel's variants on the chromosomes both have) sit at a panel variant's position with the same alleles`;
}

/**
 * The refusal for a 'different' verdict: the evidence, which build each side looks like, and
 * what to do. Builds come from `names` when known; an unknown side is guessed as the other of
 * GRCh37/GRCh38 and marked '?'.
 */
export function buildMismatchMessage(file: string, c: BuildCheck, names: BuildNames = {}): string {
  if (c.verdict !== 'different') throw new RangeError(`buildMismatchMessage: verdict is '${c.verdict}', not 'different'`);
  const head = evidence(file, c);
  if (c.offByOneShift !== 0) {
    const how = c.offByOneShift < 0 ? 'one less than' : 'one more than';
    const fix =
      c.offByOneShift < 0
        ? "the file's positions look 0-based (as in BED): add 1 to them"
        : "one side counts from 0 (as in BED): check the file's positions and the panel's";
    return `${head}, but ${percent(c.offByOne / c.compared)} are ${how} the panel's: ${fix}. This is not a genome-build difference; a chain file will not fix it.`;
  }
  const panel = canonicalBuild(names.panelBuild);
  const own = canonicalBuild(names.fileBuild);
  let builds: string;
  if (panel !== undefined && own !== undefined) {
    builds = panel === own ? `, although both are said to be ${panel}: one of them is not (check which build each really is)` : `: the file is ${own} and the panel ${panel}`;
  } else if (panel !== undefined) {
    const guess = otherBuild(panel);
    builds = `: the file looks like a different genome build${guess ? ` (${guess}?)` : ''} than the panel (${panel})`;
  } else if (own !== undefined) {
    const guess = otherBuild(own);
    builds = `: the LD panel looks like a different genome build${guess ? ` (${guess}?)` : ''} than the file (${own})`;
  } else {
    builds = ': the file looks like a different genome build than the LD panel (one GRCh37 and the other GRCh38?)';
  }
  if (c.basis === 'position') builds += ', or the two share almost no variants';
  const from = own ?? otherBuild(panel);
  const to = panel ?? otherBuild(own);
  const name = from !== undefined && to !== undefined && from !== to ? chainFileName(from, to) : undefined;
  const chain =
    name !== undefined
      ? `a UCSC chain file from ${from} to ${to}, e.g. ${name}`
      : "a UCSC chain file from the file's build to the panel's, e.g. hg38ToHg19.over.chain.gz or hg19ToHg38.over.chain.gz";
  return `${head}${builds}. Lift it over with --chain FILE (${chain}; pgsflow does not download it) or use an LD panel of the file's build.`;
}

/** One line for any verdict, for logs and QC summaries; the refusal text for 'different'. */
export function describeBuildCheck(file: string, c: BuildCheck, names: BuildNames = {}, thresholds: Partial<BuildThresholds> = {}): string {
  const t = { ...BUILD_THRESHOLDS, ...thresholds };
  if (c.basis === 'none') return `${file}: no positions, genome build not checked (variants are matched by ID only)`;
  if (c.verdict === 'different') return buildMismatchMessage(file, c, names);
  if (c.compared < t.minCompared) {
    const what = c.basis === 'rsid' ? 'variants matched by rsID' : 'variants to compare by position';
    return `${file}: genome build not checked: only ${count(c.compared)} ${what} (at least ${count(t.minCompared)} needed)`;
  }
  const head = evidence(file, c);
  if (c.verdict === 'same') return `${head}: same genome build as the panel`;
  const [hi, lo] = c.basis === 'rsid' ? [t.sameAtLeast, t.differentAtMost] : [t.positionSameAtLeast, t.positionDifferentAtMost];
  const why = c.basis === 'rsid' ? 'two builds mixed, or unreliable rsIDs?' : 'a partial overlap with the panel?';
  return `${head}: neither the same build (≥ ${percent(hi)}) nor a different one (≤ ${percent(lo)}): ${why}`;
}
