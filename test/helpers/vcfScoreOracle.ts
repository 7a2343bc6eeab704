// Every dosage plink2 holds for a VCF/BCF, exactly: a --score file with one score column per
// variant, weight 16384 on that variant's ALT and 0 elsewhere, makes each <name>_SUM the
// sample's ALT dosage in 1/16384 units (no-mean-imputation: a missing dosage adds 0). Which ones
// are missing comes from --export A (NA). `.` IDs get chr:pos:ref:alt, as the reader names them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOSAGE_MISSING } from '../../core/genotypes/dosageSource.js';
import { plink2, readTable } from './plink2.js';

export interface OracleInput {
  path: string;
  kind: 'vcf' | 'bcf';
  /** dosage= field; undefined imports GT only. */
  field?: 'DS' | 'GP' | 'HDS';
  /** The biallelic variants (IDs as the reader names them) and their ALT alleles, in file order. */
  ids: string[];
  alts: string[];
}

export interface OracleDosages {
  iid: string[];
  /** ids.length × samples, variant-major, DOSAGE_MISSING where plink2 has no dosage. */
  dosage: Uint16Array;
}

export function plink2Dosages(dir: string, name: string, input: OracleInput): OracleDosages {
  const k = input.ids.length;
  const header = ['ID', 'A1', ...input.ids.map((_, j) => `V${j}`)].join('\t');
  const rows = input.ids.map((id, i) => [id, input.alts[i], ...input.ids.map((_, j) => (i === j ? '16384' : '0'))].join('\t'));
  const scoreFile = join(dir, `${name}.score`);
  writeFileSync(scoreFile, `${[header, ...rows].join('\n')}\n`);
  // GP-force: plain GP refuses a file whose header also declares DS; the import is the same.
  const dosage = input.field === undefined ? [] : [`dosage=${input.field === 'GP' ? 'GP-force' : input.field}`];
  const load = [`--${input.kind}`, input.path, ...dosage, '--set-missing-var-ids', '@:#:$r:$a', '--threads', '1', '--memory', '1000'];
  const out = join(dir, name);
  plink2([...load, '--score', scoreFile, '1', '2', 'header-read', 'no-mean-imputation', 'cols=scoresums', '--score-col-nums', `3-${k + 2}`, '--out', out]);
  plink2([...load, '--max-alleles', '2', '--export', 'A', '--out', out]);

  const sscore = readTable(`${out}.sscore`);
  const raw = readTable(`${out}.raw`);
  const iid = sscore.rows.map((r) => r[sscore.header.indexOf('IID')]!);
  const rawIid = raw.rows.map((r) => r[raw.header.indexOf('IID')]!);
  if (rawIid.join('\t') !== iid.join('\t')) throw new Error('plink2 --score and --export A list different samples');
  // --export A names columns <ID>_<counted allele>.
  const rawCol = new Map(raw.header.map((h, c) => [h.slice(0, h.lastIndexOf('_')), c]));
  const n = iid.length;
  const result = new Uint16Array(k * n);
  for (let j = 0; j < k; j++) {
    const sumCol = sscore.header.indexOf(`V${j}_SUM`);
    const naCol = rawCol.get(input.ids[j]!);
    if (sumCol < 0 || naCol === undefined) throw new Error(`plink2 output lacks variant ${input.ids[j]}`);
    for (let s = 0; s < n; s++) {
      const v = Number(sscore.rows[s]![sumCol]);
      if (!Number.isInteger(v)) throw new Error(`plink2 score sum ${sscore.rows[s]![sumCol]} is not a whole number of 1/16384 units`);
      result[j * n + s] = raw.rows[s]![naCol] === 'NA' ? DOSAGE_MISSING : v;
    }
  }
  return { iid, dosage: result };
}
