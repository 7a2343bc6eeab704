// Every dosage plink2 holds, exactly, through `--score`: one score column per variant, weight
// 16384 on that variant and 0 elsewhere, so column j's *_SUM is variant j's ALT dosage in
// 1/16384 units (dosage × 2^14 and sums with zeros are exact in double). With no-mean-imputation
// a missing genotype adds 0; which ones are missing comes from `--export A` (NA).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../core/genotypes/dosageSource.js';
import { plink2, readTable } from './plink2.js';

export interface OracleDosages {
  iid: string[];
  /** variants.length × iid.length, variant-major; DOSAGE_MISSING where plink2 has no genotype. */
  dosage: Uint16Array;
}

/**
 * `input` selects the fileset as plink2 takes it (e.g. ['--pfile', prefix] or ['--pfile', prefix,
 * 'vzs']); `variants` are biallelic variants by ID (plink2 names '.' IDs chr:pos:ref:alt here, as
 * our readers do) with their ALT allele. Files go to `dir`.
 */
export function plink2Dosages(input: string[], variants: { id: string; alt: string }[], dir: string): OracleDosages {
  const k = variants.length;
  const names = variants.map((_, j) => `v${j}`);
  const lines = [['ID', 'ALT', ...names].join('\t')];
  const row = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    row[j] = DOSAGE_SCALE;
    lines.push(`${variants[j]!.id}\t${variants[j]!.alt}\t${row.join('\t')}`);
    row[j] = 0;
  }
  const score = join(dir, 'oracle.score');
  const extract = join(dir, 'oracle.extract');
  writeFileSync(score, `${lines.join('\n')}\n`);
  writeFileSync(extract, `${variants.map((v) => v.id).join('\n')}\n`);
  const common = [...input, '--set-missing-var-ids', '@:#:$r:$a', '--extract', extract, '--threads', '1'];
  const out = join(dir, 'oracle');
  plink2([...common, '--score', score, '1', '2', 'header-read', 'no-mean-imputation', 'cols=scoresums', '--score-col-nums', `3-${k + 2}`, '--out', out]);
  plink2([...common, '--export', 'A', '--out', out]);

  const sums = readTable(`${out}.sscore`);
  const raw = readTable(`${out}.raw`);
  const iidCol = sums.header.indexOf('IID');
  const iid = sums.rows.map((r) => r[iidCol]!);
  const n = iid.length;
  if (raw.rows.length !== n || raw.header.length !== 6 + k) throw new Error(`--export A wrote ${raw.rows.length} × ${raw.header.length - 6}, expected ${n} × ${k}`);
  const dosage = new Uint16Array(k * n);
  for (let j = 0; j < k; j++) {
    const c = sums.header.indexOf(`${names[j]}_SUM`);
    if (c < 0) throw new Error(`no ${names[j]}_SUM column in ${out}.sscore`);
    for (let i = 0; i < n; i++) {
      const v = Number(sums.rows[i]![c]);
      if (!Number.isInteger(v) || v < 0 || v > 2 * DOSAGE_SCALE) throw new Error(`${out}.sscore: ${names[j]}_SUM of ${iid[i]} is ${sums.rows[i]![c]}, not a dosage in 1/16384 units`);
      const missing = raw.rows[i]![6 + j] === 'NA';
      if (missing && v !== 0) throw new Error(`${out}: ${names[j]} of ${iid[i]} is NA in --export A but its score sum is ${v}`);
      dosage[j * n + i] = missing ? DOSAGE_MISSING : v;
    }
  }
  return { iid, dosage };
}
