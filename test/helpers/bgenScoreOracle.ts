// PLINK 2's own dosages for a BGEN file, exactly: one --score column per variant with weight
// 16384 on that variant's counted allele and 0 elsewhere makes each `<ID>_SUM` the sample's
// dosage in 1/16384 units (an integer ≤ 32768, printed exactly). With no-mean-imputation a
// missing dosage adds 0, so missingness comes from the same run's `--export A` (NA).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { column, plink2, readTable } from './plink2.js';

export interface OracleVariant {
  id: string;
  /** The allele whose dosage is wanted (ALT under the given REF/ALT mode). */
  counted: string;
  other: string;
}

export interface BgenOracle {
  iid: string[];
  /** Per variant ID: per-sample dosage of the counted allele in 1/16384 units; NaN when missing. */
  dosage: Map<string, Float64Array>;
}

export function plink2BgenDosages(opts: {
  dir: string;
  name: string;
  bgen: string;
  sample?: string;
  refFirst: boolean;
  variants: OracleVariant[];
}): BgenOracle {
  const { dir, name, variants } = opts;
  const k = variants.length;
  const scoreFile = join(dir, `${name}.score`);
  const lines = [`ID A1 ${variants.map((v) => v.id).join(' ')}`];
  for (const [j, v] of variants.entries()) {
    const w = variants.map((_, i) => (i === j ? '16384' : '0'));
    lines.push(`${v.id} ${v.counted} ${w.join(' ')}`);
  }
  writeFileSync(scoreFile, `${lines.join('\n')}\n`);
  const out = join(dir, name);
  plink2([
    '--bgen', opts.bgen, opts.refFirst ? 'ref-first' : 'ref-last',
    ...(opts.sample ? ['--sample', opts.sample] : []),
    '--score', scoreFile, '1', '2', 'header-read', 'no-mean-imputation', 'cols=scoresums',
    '--score-col-nums', `3-${k + 2}`,
    '--export', 'A',
    '--threads', '1',
    '--out', out,
  ]);
  const sscore = readTable(`${out}.sscore`);
  const raw = readTable(`${out}.raw`);
  const iid = column(sscore, 'IID');
  const rawIid = column(raw, 'IID');
  if (rawIid.join('\t') !== iid.join('\t')) throw new Error('oracle: .sscore and .raw list the samples in different orders');
  const dosage = new Map<string, Float64Array>();
  for (const v of variants) {
    const sums = column(sscore, `${v.id}_SUM`).map(Number);
    // .raw names a column after the allele it counts, which need not be ours: only NA is used.
    const rawCol = raw.header.findIndex((h) => h === `${v.id}_${v.counted}` || h === `${v.id}_${v.other}`);
    if (rawCol < 0) throw new Error(`oracle: no .raw column for ${v.id}`);
    const d = new Float64Array(iid.length);
    for (let i = 0; i < iid.length; i++) {
      if (!Number.isInteger(sums[i]!)) throw new Error(`oracle: ${v.id}_SUM of ${iid[i]} is ${sums[i]}, not an integer`);
      d[i] = raw.rows[i]![rawCol] === 'NA' ? NaN : sums[i]!;
    }
    dosage.set(v.id, d);
  }
  return { iid, dosage };
}
