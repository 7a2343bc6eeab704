// SBayesR on real LD: the 1000 Genomes EUR founders of chromosomes 21–22 (test/fixtures/data) as
// the LD reference, summary statistics b̂ = Rβ + ε (N = 50,000) from known effects, h² 0.5 and 0.1;
// and a tiny cohort: a GWAS of 300 of the EUR samples (issue 17).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BED_MAGIC, bytesPerVariant, packVariant } from '../../core/genotypes/bedCodec.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { fitOnFiles } from '../../core/sbayesrc/fitFiles.js';
import { loadFounders } from '../../core/simulate/founders.js';
import { ldPanelFromBed, type BedPanel } from '../helpers/ldPanel.js';
import { pearson } from '../helpers/pearson.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';

const DATA = THOUSAND_GENOMES;
const N_GWAS = 50_000;
const N_CAUSAL = 40;
const BLOCK_SNPS = 125;

const corr = pearson;

let dir: string;
let panel: BedPanel;
let beta: Float64Array;
let eurDosages: Uint8Array;
let eurN = 0;

async function writeEurBed(bfile: string): Promise<void> {
  const f = await loadFounders([join(DATA, 'chr{21..22}')], [join(DATA, 'EUR_IDs.txt')], ['EUR'], undefined, BLOCK_SNPS);
  const pop = f.populations[0]!;
  const m = f.map.id.length;
  eurDosages = pop.dosages;
  eurN = pop.n;
  const bpv = bytesPerVariant(pop.n);
  const bed = new Uint8Array(3 + m * bpv);
  bed.set(BED_MAGIC);
  for (let j = 0; j < m; j++) packVariant(pop.dosages.subarray(j * pop.n, (j + 1) * pop.n), bed, 3 + j * bpv);
  await writeFile(`${bfile}.bed`, bed);
  await writeFile(`${bfile}.bim`, `${f.map.id.map((id, j) => `${f.map.chrom[j]}\t${id}\t0\t${f.map.pos[j]}\t${f.map.a1[j]}\t${f.map.a2[j]}`).join('\n')}\n`);
  await writeFile(`${bfile}.fam`, `${pop.ids.map((x) => `${x.fid} ${x.iid} 0 0 0 -9`).join('\n')}\n`);
}

async function writeSumstats(path: string, h2: number, key: number): Promise<void> {
  const rng = Rng.stream(77, key);
  const m = panel.snps.id.length;
  const starts = [...panel.blockStart, m];
  let g = 0;
  panel.correlations.forEach((r, b) => {
    const first = starts[b]!;
    const mb = starts[b + 1]! - first;
    for (let i = 0; i < mb; i++) for (let j = 0; j < mb; j++) g += beta[first + i]! * r[i * mb + j]! * beta[first + j]!;
  });
  const scale = Math.sqrt(h2 / g);
  const lines = ['SNP A1 A2 freq b se p N'];
  panel.correlations.forEach((r, b) => {
    const first = starts[b]!;
    const mb = starts[b + 1]! - first;
    const { values, vectors } = symmetricEigen(Float64Array.from(r), mb);
    const z = Float64Array.from({ length: mb }, () => rng.normal());
    for (let i = 0; i < mb; i++) {
      let rb = 0;
      let e = 0;
      for (let j = 0; j < mb; j++) rb += r[i * mb + j]! * beta[first + j]! * scale;
      for (let t = 0; t < mb; t++) e += vectors[t * mb + i]! * Math.sqrt(Math.max(values[t]!, 0)) * z[t]!;
      const bhat = rb + e / Math.sqrt(N_GWAS);
      const s = first + i;
      const f = Math.min(Math.max(panel.snps.a1Freq[s]!, 0.005), 0.995);
      const sdx = Math.sqrt(2 * f * (1 - f));
      lines.push(`${panel.snps.id[s]} ${panel.snps.a1[s]} ${panel.snps.a2[s]} ${f} ${bhat / sdx} ${Math.sqrt((1 - bhat * bhat) / N_GWAS) / sdx} 0.5 ${N_GWAS}`);
    }
  });
  await writeFile(path, `${lines.join('\n')}\n`);
}

/**
 * A GWAS of the first `nGwas` EUR samples (individual level): y = Xβ·scale + e with h² `h2`,
 * per-allele least-squares b and se for every panel SNP (one monomorphic in the subset: b = 0).
 */
async function writeSmallGwas(path: string, nGwas: number, h2: number, key: number): Promise<void> {
  const rng = Rng.stream(78, key);
  const m = panel.snps.id.length;
  const x = new Float64Array(m * nGwas);
  const sdx = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < nGwas; i++) s += eurDosages[j * eurN + i]!;
    const mean = s / nGwas;
    let ss = 0;
    for (let i = 0; i < nGwas; i++) {
      const v = eurDosages[j * eurN + i]! - mean;
      x[j * nGwas + i] = v;
      ss += v * v;
    }
    sdx[j] = Math.sqrt(ss / nGwas);
  }
  const g = new Float64Array(nGwas);
  for (let j = 0; j < m; j++) if (beta[j] !== 0 && sdx[j]! > 0) for (let i = 0; i < nGwas; i++) g[i]! += (beta[j]! * x[j * nGwas + i]!) / sdx[j]!;
  const vg = g.reduce((a, v) => a + v * v, 0) / nGwas;
  const y = Float64Array.from(g, (v) => v * Math.sqrt(h2 / vg) + Math.sqrt(1 - h2) * rng.normal());
  const ym = y.reduce((a, v) => a + v, 0) / nGwas;
  for (let i = 0; i < nGwas; i++) y[i]! -= ym;
  const yy = y.reduce((a, v) => a + v * v, 0);
  const lines = ['SNP A1 A2 freq b se p N'];
  for (let j = 0; j < m; j++) {
    const sxx = sdx[j]! * sdx[j]! * nGwas;
    let b = 0;
    let se = 1 / Math.sqrt(nGwas * 0.1);
    if (sxx > 0) {
      let sxy = 0;
      for (let i = 0; i < nGwas; i++) sxy += x[j * nGwas + i]! * y[i]!;
      b = sxy / sxx;
      se = Math.sqrt((yy - b * sxy) / (nGwas - 2) / sxx);
    }
    const f = Math.min(Math.max(panel.snps.a1Freq[j]!, 0.005), 0.995);
    lines.push(`${panel.snps.id[j]} ${panel.snps.a1[j]} ${panel.snps.a2[j]} ${f} ${b} ${se} 0.5 ${nGwas}`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgsflow-sbayesrc-1000g-'));
  await writeEurBed(join(dir, 'eur'));
  panel = await ldPanelFromBed(join(dir, 'eur'), join(dir, 'ld'), BLOCK_SNPS, 0.995);
  const rng = Rng.stream(77, 1);
  beta = new Float64Array(panel.snps.id.length);
  for (let c = 0; c < N_CAUSAL; c++) beta[rng.below(beta.length)] = rng.normal();
  await writeSumstats(join(dir, 'h05.ma'), 0.5, 2);
  await writeSumstats(join(dir, 'h01.ma'), 0.1, 3);
  await writeSmallGwas(join(dir, 'tiny.ma'), 300, 0.3, 4);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SBayesR with the 1000 Genomes EUR LD panel (chr21–22)', () => {
  for (const [file, h2] of [['h05.ma', 0.5], ['h01.ma', 0.1]] as const) {
    it(`recovers h² = ${h2}`, async () => {
      const res = await fitOnFiles({ sumstats: join(dir, file), ld: join(dir, 'ld'), out: join(dir, `fit-${h2}`), seed: 5, checkpointEvery: 0 });
      const s = res.summary!;
      // Standardised posterior means (BETA · sd(x), sd from the frequency written to the .ma).
      const rows = (await readFile(res.files.txt, 'utf8')).trim().split('\n').slice(1);
      const post = rows.map((l, j) => {
        const f = Math.min(Math.max(panel.snps.a1Freq[j]!, 0.005), 0.995);
        return Number(l.split('\t')[2]) * Math.sqrt(2 * f * (1 - f));
      });
      const r = corr(post, beta);
      console.log(`1000G EUR chr21–22 (${s.snps} SNPs, ${s.blocks} blocks): h² ${s.h2.mean.toFixed(4)} ± ${s.h2.sd.toFixed(4)} (truth ${h2}), r(β̄, β) ${r.toFixed(3)}, nnz ${s.nnz.mean.toFixed(0)}, ${s.sweepsPerSecond.toFixed(0)} sweeps/s`);
      expect(r).toBeGreaterThan(0.7);
      expect(Math.abs(s.h2.mean / h2 - 1)).toBeLessThan(0.1);
      expect(s.warnings ?? []).toEqual([]);
    });
  }

  // Issue 17 (tiny cohorts): 300 genotyped EUR samples against the panel, far fewer people than
  // eigen-pairs kept. Every h² draw stays in [0, 1] and the fit says the data are too small.
  it('a GWAS of 300 samples: every h² draw in [0, 1] and a data-size warning', async () => {
    let lo = Infinity;
    let hi = -Infinity;
    const res = await fitOnFiles({ sumstats: join(dir, 'tiny.ma'), ld: join(dir, 'ld'), out: join(dir, 'fit-tiny'), seed: 5, checkpointEvery: 0, iterations: 600, burnIn: 200 }, (r) => {
      lo = Math.min(lo, r.h2);
      hi = Math.max(hi, r.h2);
    });
    const s = res.summary!;
    console.log(`1000G EUR, GWAS N = 300 (${s.snps} SNPs, ${s.blocks} blocks): h² ${s.h2.mean.toFixed(4)} ± ${s.h2.sd.toFixed(4)}, draws [${lo.toFixed(4)}, ${hi.toFixed(4)}], nnz ${s.nnz.mean.toFixed(0)}; ${(s.warnings ?? []).join(' | ')}`);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(s.h2Range!.min).toBeGreaterThanOrEqual(0);
    expect(s.h2Range!.max).toBeLessThanOrEqual(1);
    expect(s.h2.mean).toBeGreaterThanOrEqual(0);
    expect(s.h2.mean).toBeLessThanOrEqual(1);
    expect(s.warnings?.some((w) => /GWAS N/.test(w))).toBe(true);
    const json = JSON.parse(await readFile(res.files.json, 'utf8')) as { warnings?: string[] };
    expect(json.warnings).toEqual(s.warnings);
  });
});
