// `pgsflow ld` end to end: a hand-built .bed whose panel is known byte for byte, a simulated
// cohort with dense LD, missing calls, --keep and splits (every block checked against a direct
// Pearson correlation of the .bed, frequencies against plink2 --freq), 1000 Genomes chr22 EUR
// with the SBayesRC blocks, the activity adapter, and the --out safety rules.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { BED_MAGIC, MISSING_DOSAGE, bytesPerVariant, packVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { readEigenBlock, readLdFolder } from '../../core/formats/ldFolder.js';
import { makeLdEigenActivities } from '../../activities/ldEigen.js';
import { buildLdPanel } from '../../core/ld/buildLdPanel.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { type CommandContext, UsageError, parseCommandArgs } from '../../client/command.js';
import { ldCommand } from '../../client/commands/ld.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { LD_BLOCKS, THOUSAND_GENOMES } from '../helpers/sharedData.js';
import { pearson } from '../helpers/pearson.js';
import type { LdPanelSummary } from '../../contracts/ld.js';

const tmp = makeTmpDir('ld-panel');
afterAll(() => tmp.cleanup());

const G1000 = THOUSAND_GENOMES.replace(/\/$/, '');
const SBAYESRC_BLOCKS = `${LD_BLOCKS}sbayesrc_ref4cM_v37.pos`;

async function runLd(args: string[]): Promise<string> {
  let out = '';
  const ctx: CommandContext = { stdout: (t) => (out += t), stderr: (t) => (out += t), onInterrupt: () => () => undefined };
  const code = await ldCommand.run(parseCommandArgs(ldCommand, args), ctx);
  expect(code).toBe(0);
  return out;
}

function writeBfile(prefix: string, snps: { chrom: string; id: string; cm: number; pos: number; a1: string; a2: string; dosages: number[] }[]): void {
  const n = snps[0]!.dosages.length;
  const bpv = bytesPerVariant(n);
  const bed = new Uint8Array(3 + snps.length * bpv);
  bed.set(BED_MAGIC);
  snps.forEach((s, v) => packVariant(Uint8Array.from(s.dosages), bed, 3 + v * bpv));
  writeFileSync(`${prefix}.bed`, bed);
  writeFileSync(`${prefix}.bim`, snps.map((s) => `${s.chrom}\t${s.id}\t${s.cm}\t${s.pos}\t${s.a1}\t${s.a2}\n`).join(''));
  writeFileSync(`${prefix}.fam`, Array.from({ length: n }, (_, i) => `F${i} I${i} 0 0 0 -9\n`).join(''));
}

/** Mean-imputed A1 dosages of every variant of a .bed, kept samples only. */
function keptDosages(bedPath: string, nSamples: number, kept: Int32Array): { get(v: number): Float64Array } {
  const bed = new Uint8Array(readFileSync(bedPath));
  const bpv = bytesPerVariant(nSamples);
  const nVariants = (bed.length - 3) / bpv;
  const d = new Uint8Array(nSamples);
  const out: Float64Array[] = [];
  for (let v = 0; v < nVariants; v++) {
    unpackVariant(bed, 3 + v * bpv, nSamples, d);
    const obs = Array.from(kept, (s) => d[s]!).filter((x) => x !== MISSING_DOSAGE);
    const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
    out.push(Float64Array.from(kept, (s) => (d[s] === MISSING_DOSAGE ? mean : d[s]!)));
  }
  return { get: (v) => out[v]! };
}


describe('a hand-built .bed with a known panel', () => {
  // x and y over 8 samples have Pearson r = 0.6 exactly: R = [[1, .6], [.6, 1]].
  const x = [0, 0, 0, 0, 0, 1, 1, 1];
  const y = [0, 0, 0, 1, 1, 1, 1, 1];
  const dir = join(tmp.dir, 'tiny');
  const out = join(tmp.dir, 'tiny-ld');

  it('writes the hand-written eigen bytes, snp.info and ldm.info; a constant SNP is dropped', async () => {
    mkdirSync(dir, { recursive: true });
    writeBfile(join(dir, 'g'), [
      { chrom: '1', id: 'rsX', cm: 0.5, pos: 1000, a1: 'A', a2: 'G', dosages: x },
      { chrom: '1', id: 'rsMono', cm: 0.6, pos: 1500, a1: 'C', a2: 'T', dosages: [1, 1, 1, 1, 1, 1, 1, MISSING_DOSAGE] },
      { chrom: '1', id: 'rsY', cm: 0.75, pos: 2000, a1: 'T', a2: 'C', dosages: y },
    ]);
    writeFileSync(join(dir, 'blocks.pos'), 'Block Chrom StartBP EndBP\n1 1 1000 5000\n');
    const text = await runLd(['--bfile', join(dir, 'g'), '--blocks', join(dir, 'blocks.pos'), '--out', out, '--cutoff', '1']);
    expect(text).toMatch(/LD panel of 2 SNPs in 1 blocks/);
    expect(text).toMatch(/1 monomorphic/);

    const f32 = (hex: number): number[] => [hex & 0xff, (hex >>> 8) & 0xff, (hex >>> 16) & 0xff, hex >>> 24];
    const expected = Uint8Array.from([
      2, 0, 0, 0, 2, 0, 0, 0, // m = 2, k = 2
      ...f32(0x40000000), ...f32(0x3f800000), // sumLambda 2, cut-off 1
      ...f32(0x3fcccccd), ...f32(0x3ecccccd), // 1.6, 0.4
      ...f32(0x3f3504f3), ...f32(0x3f3504f3), // (1, 1)/√2
      ...f32(0x3f3504f3), ...f32(0xbf3504f3), // (1, −1)/√2
    ]);
    expect(Array.from(readFileSync(join(out, 'block1.eigen.bin')))).toEqual(Array.from(expected));
    expect(readFileSync(join(out, 'snp.info'), 'utf8')).toBe(
      'Chrom\tID\tIndex\tGenPos\tPhysPos\tA1\tA2\tA1Freq\tN\tBlock\n' +
        '1\trsX\t0\t0.5\t1000\tA\tG\t0.1875\t8\t1\n' +
        '1\trsY\t1\t0.75\t2000\tT\tC\t0.3125\t8\t1\n',
    );
    expect(readFileSync(join(out, 'ldm.info'), 'utf8')).toBe('Block\tChrom\tStartSnpIdx\tStartSnpID\tEndSnpIdx\tEndSnpID\tNumSnps\n1\t1\t0\trsX\t1\trsY\t2\n');
    const summary = JSON.parse(readFileSync(join(out, 'ld.json'), 'utf8')) as LdPanelSummary;
    expect(summary.dropped).toEqual({ outsideBlocks: 0, noCalls: 0, monomorphic: 1, duplicateId: 0 });
    expect(summary.droppedExamples.monomorphic).toEqual(['rsMono']);
    expect(summary.backend).toMatch(/^native: LAPACK dsyevr \(OpenBLAS/); // one block: the largest
    expect(summary.perBlock[0]!.eigen).toBe('dsyevr');
  });

  it('usage errors name the flag', async () => {
    const ctx: CommandContext = { stdout: () => undefined, stderr: () => undefined, onInterrupt: () => () => undefined };
    await expect(ldCommand.run(parseCommandArgs(ldCommand, ['--bfile', join(dir, 'g'), '--blocks', 'b', '--out', 'o', '--cutoff', '1.5']), ctx)).rejects.toThrow(UsageError);
    await expect(ldCommand.run(parseCommandArgs(ldCommand, ['--bfile', join(dir, 'g'), '--out', 'o']), ctx)).rejects.toThrow(/--blocks is required/);
    await expect(ldCommand.run(parseCommandArgs(ldCommand, ['--bfile', join(dir, 'g'), '--blocks', 'b', '--out', 'o', '--max-block-snps', '0']), ctx)).rejects.toThrow(UsageError);
  });

  it('replaces an existing panel, refuses a folder that is not one, and leaves no staging folder', async () => {
    const blocks = join(dir, 'blocks.pos');
    await runLd(['--bfile', join(dir, 'g'), '--blocks', blocks, '--out', out, '--cutoff', '0.7']);
    expect((await readEigenBlock(join(out, 'block1.eigen.bin'))).k).toBe(1);
    const notPanel = join(tmp.dir, 'user-data');
    mkdirSync(notPanel);
    writeFileSync(join(notPanel, 'precious.txt'), 'keep me');
    await expect(buildLdPanel({ bfiles: [join(dir, 'g')], blocks, outDir: notPanel })).rejects.toThrow(/is not an LD panel/);
    expect(readFileSync(join(notPanel, 'precious.txt'), 'utf8')).toBe('keep me');
    // A failure mid-way (blocks on another chromosome: nothing to build) leaves nothing behind.
    writeFileSync(join(dir, 'chr2.pos'), 'Block Chrom StartBP EndBP\n1 2 1 5000\n');
    await expect(buildLdPanel({ bfiles: [join(dir, 'g')], blocks: join(dir, 'chr2.pos'), outDir: join(tmp.dir, 'none') })).rejects.toThrow(BadInputError);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('a simulated cohort with dense LD, missing calls, --keep and splits', () => {
  const sim = join(tmp.dir, 'sim');
  const out = join(tmp.dir, 'sim-ld');
  const N = 600;
  const kept = Int32Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 !== 0); // 400 samples
  let summary: LdPanelSummary;
  const heartbeats: unknown[] = [];

  beforeAll(async () => {
    await simulateStudy(parseSimulateOptions({ samples: [N], refSamples: 10, snps: 1000, blockSnps: 200, missingRate: 0.02, seed: 21 }), sim);
    // IID-only keep lines, as PLINK accepts.
    writeFileSync(join(sim, 'keep.txt'), Array.from(kept, (i) => `EUR_${String(i + 1).padStart(6, '0')}\n`).join(''));
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const { buildLdPanel: activity } = makeLdEigenActivities();
    summary = (await env.run(activity, {
      bfiles: [join(sim, 'geno/EUR')],
      keep: join(sim, 'keep.txt'),
      blocks: join(sim, 'blocks.tsv'),
      outDir: out,
      cutoff: 1,
      maxBlockSnps: 120,
    })) as LdPanelSummary;
  });

  it('splits every 200-SNP block at its largest gap and records it; heartbeats per block', () => {
    expect(summary.samples).toEqual({ inFam: N, kept: 400, keepNotFound: 0 });
    expect(summary.splits.length).toBe(5);
    for (const s of summary.splits) {
      expect(s.snps).toBe(200);
      expect(s.parts.reduce((a, b) => a + b, 0)).toBe(200);
      expect(Math.max(...s.parts)).toBeLessThanOrEqual(120);
      expect(s.cuts.length).toBe(s.parts.length - 1);
    }
    expect(summary.blocks).toBe(summary.splits.reduce((a, s) => a + s.parts.length, 0));
    expect(summary.snps).toBe(1000);
    expect(summary.largestBlock).toBeLessThanOrEqual(120);
    expect(heartbeats.length).toBe(summary.blocks + 1);
    // dsyevr where dsyevd's 3m² would pass dsyevr's 2L² on the largest block, dsyevd elsewhere.
    for (const b of summary.perBlock) expect(b.eigen).toBe(3 * b.snps ** 2 > 2 * summary.largestBlock ** 2 ? 'dsyevr' : 'dsyevd');
    expect(new Set(summary.perBlock.map((b) => b.eigen))).toEqual(new Set(['dsyevd', 'dsyevr']));
    expect(summary.backend).toMatch(/^native: LAPACK dsyev[dr] \+ dsyev[dr] \(OpenBLAS/);
    expect(heartbeats.at(-1)).toMatchObject({ block: summary.blocks, of: summary.blocks });
  });

  it('each block reconstructs the direct Pearson correlation of the mean-imputed .bed to 1e-5', async () => {
    const folder = await readLdFolder(out);
    const bimIds = readFileSync(join(sim, 'geno/EUR.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t')[1]!);
    const index = new Map(bimIds.map((id, v) => [id, v]));
    const dos = keptDosages(join(sim, 'geno/EUR.bed'), N, kept);
    let worst = 0;
    let ldSeen = 0;
    for (let b = 0; b < folder.info.block.length; b++) {
      const s = folder.info.startIdx[b]!;
      const m = folder.info.numSnps[b]!;
      const e = await readEigenBlock(folder.eigenFiles[b]!, m);
      expect(e.k).toBe(m); // 400 samples, ≤ 120 SNPs: full rank
      for (let i = 0; i < m; i++)
        for (let j = 0; j <= i; j++) {
          let r = 0;
          for (let c = 0; c < e.k; c++) r += e.vectors[c * m + i]! * e.values[c]! * e.vectors[c * m + j]!;
          const direct = pearson(dos.get(index.get(folder.snps.id[s + i]!)!), dos.get(index.get(folder.snps.id[s + j]!)!));
          worst = Math.max(worst, Math.abs(r - direct));
          if (j === i - 1) ldSeen = Math.max(ldSeen, Math.abs(direct));
        }
    }
    expect(worst).toBeLessThan(1e-5);
    expect(ldSeen).toBeGreaterThan(0.8);
  });

  it('snp.info A1Freq and N equal plink2 --freq on the kept samples; GenPos and PhysPos from the .bim', async () => {
    // plink2 reads a one-column keep file differently; give it FID IID.
    writeFileSync(join(sim, 'keep2.txt'), Array.from(kept, (i) => `EUR_${String(i + 1).padStart(6, '0')} EUR_${String(i + 1).padStart(6, '0')}\n`).join(''));
    plink2(['--bfile', join(sim, 'geno/EUR'), '--keep', join(sim, 'keep2.txt'), '--freq', '--out', join(sim, 'plinkfreq')]);
    const t = readTable(join(sim, 'plinkfreq.afreq'));
    const freq = new Map(column(t, 'ID').map((id, i) => [id, { f: Number(column(t, 'ALT_FREQS')[i]), obs: Number(column(t, 'OBS_CT')[i]) }]));
    const folder = await readLdFolder(out);
    folder.snps.id.forEach((id, i) => {
      const p = freq.get(id)!;
      expect(Math.abs(folder.snps.a1Freq[i]! - p.f)).toBeLessThan(1e-6); // plink2 prints 6 significant digits
      expect(folder.snps.n[i]).toBe(p.obs / 2);
    });
    expect(Math.min(...folder.snps.n)).toBeLessThan(400); // missing calls are counted out
    const bim = readFileSync(join(sim, 'geno/EUR.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    const byId = new Map(bim.map((f) => [f[1]!, f]));
    folder.snps.id.forEach((id, i) => {
      const f = byId.get(id)!;
      expect([folder.snps.chrom[i], folder.snps.genPos[i], folder.snps.physPos[i], folder.snps.a1[i], folder.snps.a2[i]]).toEqual([f[0], Number(f[2]), Number(f[3]), f[4], f[5]]);
    });
  });

  it('the TypeScript backend builds the same panel', async () => {
    const tsOut = join(tmp.dir, 'sim-ld-ts');
    const ts = await buildLdPanel({ bfiles: [join(sim, 'geno/EUR')], keep: join(sim, 'keep.txt'), blocks: join(sim, 'blocks.tsv'), outDir: tsOut, cutoff: 0.995, maxBlockSnps: 120, backend: 'typescript' });
    const nat = await buildLdPanel({ bfiles: [join(sim, 'geno/EUR')], keep: join(sim, 'keep.txt'), blocks: join(sim, 'blocks.tsv'), outDir: join(tmp.dir, 'sim-ld-nat'), cutoff: 0.995, maxBlockSnps: 120 });
    expect(ts.backend).toMatch(/^typescript/);
    expect(new Set(ts.perBlock.map((b) => b.eigen))).toEqual(new Set(['ql']));
    expect(ts.perBlock.map((b) => b.k)).toEqual(nat.perBlock.map((b) => b.k));
    expect(nat.perBlock.reduce((a, b) => a + b.snps - b.k, 0)).toBeGreaterThan(10); // 0.995 drops pairs here
    for (let b = 1; b <= nat.blocks; b++) {
      const x = await readEigenBlock(join(tsOut, `block${b}.eigen.bin`));
      const y = await readEigenBlock(join(tmp.dir, 'sim-ld-nat', `block${b}.eigen.bin`));
      for (let i = 0; i < x.values.length; i++) expect(Math.abs(x.values[i]! - y.values[i]!)).toBeLessThan(1e-5);
      // Leading vectors (well separated eigenvalues) agree component-wise once oriented.
      for (let i = 0; i < x.m; i++) expect(Math.abs(x.vectors[i]! - y.vectors[i]!)).toBeLessThan(1e-4);
    }
  });

  it('two filesets of one cohort (one per chromosome range) give the same panel as one', async () => {
    const bfile = join(sim, 'geno/EUR');
    plink2(['--bfile', bfile, '--chr', '1-4', '--make-bed', '--out', join(sim, 'part1')]);
    plink2(['--bfile', bfile, '--chr', '5-10', '--make-bed', '--out', join(sim, 'part2')]);
    const twoOut = join(tmp.dir, 'sim-ld-two');
    await runLd(['--bfile', join(sim, 'part1'), join(sim, 'part2'), '--keep', join(sim, 'keep.txt'), '--blocks', join(sim, 'blocks.tsv'), '--out', twoOut, '--cutoff', '1', '--max-block-snps', '120']);
    for (const name of ['snp.info', 'ldm.info', ...summary.perBlock.map((b) => `block${b.block}.eigen.bin`)]) {
      expect(readFileSync(join(twoOut, name)).equals(readFileSync(join(out, name)))).toBe(true);
    }
  });

  it('bad input fails the activity non-retryably', async () => {
    const env = new MockActivityEnvironment();
    const { buildLdPanel: activity } = makeLdEigenActivities();
    await expect(env.run(activity, { bfiles: [join(sim, 'geno/EUR')], blocks: join(sim, 'nope.pos'), outDir: join(tmp.dir, 'x') })).rejects.toMatchObject({
      type: 'BadInputError',
      nonRetryable: true,
    });
  });
});

describe('1000 Genomes chr22, EUR, SBayesRC 4 cM blocks', () => {
  const out = join(tmp.dir, 'g1000-ld');
  let summary: LdPanelSummary;

  beforeAll(async () => {
    summary = await buildLdPanel({ bfiles: [join(G1000, 'chr22')], keep: join(G1000, 'EUR_IDs.txt'), blocks: SBAYESRC_BLOCKS, outDir: out });
  });

  it('builds a readable SBayesRC folder over the chr22 blocks', async () => {
    expect(summary.samples.kept).toBe(503);
    const folder = await readLdFolder(out);
    expect(folder.snps.id.length).toBe(summary.snps);
    expect(summary.snps + Object.values(summary.dropped).reduce((a, b) => a + b, 0)).toBe(375);
    expect(new Set(folder.info.chrom)).toEqual(new Set(['22']));
    expect(summary.blocks + summary.emptyBlocks).toBe(591); // every block of the file is accounted for
    for (let b = 0; b < folder.info.block.length; b++) {
      const e = await readEigenBlock(folder.eigenFiles[b]!, folder.info.numSnps[b]!);
      expect(e.k).toBe(summary.perBlock[b]!.k);
      expect(e.sumLambda).toBeCloseTo(e.m, 3); // trace of a correlation matrix
    }
    expect(Array.from(folder.snps.n).every((n) => n === 503)).toBe(true);
  });

  it('A1Freq equals plink2 --freq --keep EUR, and correlations equal a direct Pearson computation', async () => {
    plink2(['--bfile', join(G1000, 'chr22'), '--keep', join(G1000, 'EUR_IDs.txt'), '--freq', '--out', join(tmp.dir, 'g1000freq')]);
    const t = readTable(join(tmp.dir, 'g1000freq.afreq'));
    const freq = new Map(column(t, 'ID').map((id, i) => [id, Number(column(t, 'ALT_FREQS')[i])]));
    const folder = await readLdFolder(out);
    folder.snps.id.forEach((id, i) => expect(Math.abs(folder.snps.a1Freq[i]! - freq.get(id)!)).toBeLessThan(1e-6));

    // Reconstruct a few adjacent pairs of the largest block at cut-off 1.
    const full = join(tmp.dir, 'g1000-ld-full');
    await buildLdPanel({ bfiles: [join(G1000, 'chr22')], keep: join(G1000, 'EUR_IDs.txt'), blocks: SBAYESRC_BLOCKS, outDir: full, cutoff: 1 });
    const fam = readFileSync(join(G1000, 'chr22.fam'), 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!);
    const eur = new Set(readFileSync(join(G1000, 'EUR_IDs.txt'), 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!));
    const kept = Int32Array.from(fam.flatMap((iid, i) => (eur.has(iid) ? [i] : [])));
    const dos = keptDosages(join(G1000, 'chr22.bed'), fam.length, kept);
    const bimIds = readFileSync(join(G1000, 'chr22.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t')[1]!);
    const index = new Map(bimIds.map((id, v) => [id, v]));
    const panel = await readLdFolder(full);
    const b = summary.perBlock.reduce((best, x) => (x.snps > best.snps ? x : best)).block - 1;
    const m = panel.info.numSnps[b]!;
    const s = panel.info.startIdx[b]!;
    const e = await readEigenBlock(panel.eigenFiles[b]!, m);
    let worst = 0;
    for (let i = 1; i < m; i++) {
      for (const j of [i - 1, 0]) {
        let r = 0;
        for (let c = 0; c < e.k; c++) r += e.vectors[c * m + i]! * e.values[c]! * e.vectors[c * m + j]!;
        const direct = pearson(dos.get(index.get(panel.snps.id[s + i]!)!), dos.get(index.get(panel.snps.id[s + j]!)!));
        worst = Math.max(worst, Math.abs(r - direct));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
