// Scoring benchmark (issue 4): ten weight columns over a simulated cohort with 1 % missing
// calls, ours (scoreFiles + writing the table, worker threads included) against plink2 --score
// with ten columns, both imputing from the same reference .afreq; best of 3 each. Also the
// fold trick: ten fold-specific columns, each sample scored with its own, in one pass, against
// ten plink2 runs with --keep.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alleleFrequencies } from '../core/genotypes/alleleFrequencies.js';
import { bytesPerVariant } from '../core/genotypes/bedCodec.js';
import { readFileRange } from '../core/genotypes/bedFile.js';
import { readBim, readFam } from '../core/formats/plink.js';
import { Rng } from '../core/numeric/random/rng.js';
import { scoreFiles } from '../core/score/scoreFiles.js';
import { writeScores } from '../core/score/writeScores.js';
import { simulateStudy } from '../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../config/simulate.js';
import { bestOf, runCommand } from './timing.js';

export interface ScoreBenchRow {
  name: string;
  ours: number;
  peer: number;
  peerName: string;
  goal: string;
}

const COLUMNS = 10;

/** A .afreq of the reference samples' A1 (ALT) frequencies, written by us. */
async function writeAfreq(prefix: string, out: string): Promise<void> {
  const fam = await readFam(`${prefix}.fam`);
  const bim = await readBim(`${prefix}.bim`);
  const n = fam.fid.length;
  const m = bim.id.length;
  const packed = await readFileRange(`${prefix}.bed`, 3, m * bytesPerVariant(n));
  const freq = new Float64Array(m);
  const obs = new Int32Array(m);
  alleleFrequencies(packed, 0, m, n, freq, obs, 0);
  const lines = ['#CHROM\tID\tREF\tALT\tALT_FREQS\tOBS_CT'];
  for (let v = 0; v < m; v++) lines.push(`${bim.chrom[v]}\t${bim.id[v]}\t${bim.a2[v]}\t${bim.a1[v]}\t${freq[v]}\t${obs[v]}`);
  writeFileSync(out, `${lines.join('\n')}\n`);
}

export async function scoreBench(dir: string, quick: boolean): Promise<ScoreBenchRow[]> {
  const size = quick ? { samples: 2000, snps: 10_000 } : { samples: 10_000, snps: 50_000 };
  const sim = join(dir, 'score-sim');
  await simulateStudy(parseSimulateOptions({ samples: [size.samples], snps: size.snps, refSamples: 1000, missingRate: 0.01, annotations: 0, seed: 3 }), sim);
  const geno = join(sim, 'geno', 'EUR');
  const afreq = join(dir, 'score-ref.afreq');
  await writeAfreq(join(sim, 'ref', 'EUR'), afreq);

  // Ten weight columns on every SNP, a third of them given for A2.
  const bim = await readBim(`${geno}.bim`);
  const rng = Rng.stream(3, 40);
  const weights = join(dir, 'score-w10.txt');
  const lines = [`SNP\tA1\t${Array.from({ length: COLUMNS }, (_, k) => `W${k + 1}`).join('\t')}`];
  for (let v = 0; v < bim.id.length; v++) {
    const allele = rng.uniform() < 1 / 3 ? bim.a2[v]! : bim.a1[v]!;
    lines.push(`${bim.id[v]}\t${allele}\t${Array.from({ length: COLUMNS }, () => (rng.normal() * 0.01).toPrecision(8)).join('\t')}`);
  }
  writeFileSync(weights, `${lines.join('\n')}\n`);

  const label = `${size.samples.toLocaleString('en')} × ${size.snps.toLocaleString('en')}`;
  const out = join(dir, 'score-ours.tsv');
  const ours = await bestOf(3, async () => {
    writeScores(out, await scoreFiles({ bfiles: [geno], weights: [weights], freq: afreq }));
  });
  const plinkArgs = ['--bfile', geno, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', `3-${2 + COLUMNS}`, '--read-freq', afreq];
  const peer = await bestOf(3, () => runCommand('plink2', [...plinkArgs, '--out', join(dir, 'score-plink')]));
  console.log(`score, ten columns, ${label}: ours ${ours.toFixed(2)} s, plink2 --score ${peer.toFixed(2)} s`);

  // Fold trick: sample i gets column fold(i); plink2 needs one --keep run per fold.
  const fam = await readFam(`${geno}.fam`);
  const folds = join(dir, 'score-folds.tsv');
  writeFileSync(folds, `FID\tIID\tfold\n${fam.fid.map((f, i) => `${f}\t${fam.iid[i]}\t${(i % COLUMNS) + 1}`).join('\n')}\n`);
  for (let k = 0; k < COLUMNS; k++) {
    const keep = fam.fid.flatMap((f, i) => (i % COLUMNS === k ? [`${f}\t${fam.iid[i]}`] : []));
    writeFileSync(join(dir, `score-keep${k + 1}.txt`), `${keep.join('\n')}\n`);
  }
  const foldOut = join(dir, 'score-ours-folds.tsv');
  const oursFolds = await bestOf(3, async () => {
    writeScores(foldOut, await scoreFiles({ bfiles: [geno], weights: [weights], freq: afreq, folds }));
  });
  const peerFolds = await bestOf(3, () => {
    for (let k = 0; k < COLUMNS; k++) {
      runCommand('plink2', ['--bfile', geno, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', String(3 + k), '--read-freq', afreq, '--keep', join(dir, `score-keep${k + 1}.txt`), '--out', join(dir, `score-plink-fold${k + 1}`)]);
    }
  });
  console.log(`score, ten folds in one pass, ${label}: ours ${oursFolds.toFixed(2)} s, ten plink2 --score --keep runs ${peerFolds.toFixed(2)} s`);

  return [
    { name: `score, ten columns, ${label}`, ours, peer, peerName: 'plink2 --score (10 columns)', goal: '≤ 1.0' },
    { name: `score, ten folds held out in one pass, ${label}`, ours: oursFolds, peer: peerFolds, peerName: '10 × plink2 --score --keep', goal: 'report' },
  ];
}
