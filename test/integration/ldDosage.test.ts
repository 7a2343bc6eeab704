// LD panels from dosage references (issue 19): PLINK 2 pgen, VCF/BCF and BGEN. A simulated .bed
// with missing calls, converted by Debian's plink2, must give the .bed's panel byte for byte
// (every file but ld.json); VCF and BGEN samples have FID '0', so their --keep says so. A VCF of
// fractional dosages (with missing ones and some hard-call rows), and the pgen and BGEN plink2
// makes of it, must give correlations equal to Pearson's r of the dosages plink2 exports
// (`--export A`, mean-imputed here) to 1e-9.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLdEigenActivities } from '../../activities/ldEigen.js';
import { type CommandContext, UsageError, parseCommandArgs } from '../../client/command.js';
import { ldCommand } from '../../client/commands/ld.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { readEigenBlock, readLdFolder } from '../../core/formats/ldFolder.js';
import { buildLdPanel } from '../../core/ld/buildLdPanel.js';
import { genotypeCorrelation } from '../../core/ld/correlation.js';
import { openLdGenotypes } from '../../core/ld/ldGenotypes.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import type { LdDosageReference, LdPanelSummary } from '../../contracts/ld.js';
import { pearson } from '../helpers/pearson.js';
import { plink2 } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('ld-dosage');
afterAll(() => tmp.cleanup());

async function runLd(args: string[]): Promise<string> {
  let out = '';
  const ctx: CommandContext = { stdout: (t) => (out += t), stderr: (t) => (out += t), onInterrupt: () => () => undefined };
  const code = await ldCommand.run(parseCommandArgs(ldCommand, args), ctx);
  expect(code).toBe(0);
  return out;
}

/** Every panel file but ld.json (which names the inputs and timings). */
function panelFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n !== 'ld.json').sort();
}

describe('hard-call references in every format give the .bed panel bit for bit', () => {
  const sim = join(tmp.dir, 'sim');
  const N = 600;
  const keptIds = Array.from({ length: N }, (_, i) => `EUR_${String(i + 1).padStart(6, '0')}`).filter((_, i) => i % 3 !== 0);
  const common = (out: string): string[] => ['--blocks', join(sim, 'blocks.tsv'), '--out', out, '--max-block-snps', '120'];
  const bedOut = join(tmp.dir, 'ld-bed');

  beforeAll(async () => {
    await simulateStudy(parseSimulateOptions({ samples: [N], refSamples: 10, snps: 1000, blockSnps: 200, missingRate: 0.02, seed: 21 }), sim);
    const bfile = join(sim, 'geno/EUR');
    const f = join(sim, 'fmt');
    plink2(['--bfile', bfile, '--make-pgen', '--out', f]);
    plink2(['--bfile', bfile, '--chr', '1-4', '--make-pgen', '--out', `${f}_part1`]);
    plink2(['--bfile', bfile, '--chr', '5-10', '--make-pgen', '--out', `${f}_part2`]);
    plink2(['--bfile', bfile, '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', f]);
    plink2(['--bfile', bfile, '--export', 'bcf', 'id-paste=iid', '--out', f]);
    plink2(['--bfile', bfile, '--export', 'bgen-1.2', 'ref-first', 'id-paste=iid', '--out', f]);
    // FID IID as in the .fam (and the .psam, and plink2's .sample); FID '0' for VCF and BGEN's own IDs.
    writeFileSync(join(sim, 'keep.txt'), keptIds.map((id) => `${id} ${id}\n`).join(''));
    writeFileSync(join(sim, 'keep0.txt'), keptIds.map((id) => `0 ${id}\n`).join(''));
    await runLd(['--bfile', bfile, '--keep', join(sim, 'keep.txt'), ...common(bedOut)]);
  }, 60_000);

  const cases: [string, string[], string][] = [
    ['pgen', ['--pfile', 'fmt'], 'keep.txt'],
    ['pgen, one fileset per chromosome range', ['--pfile', 'fmt_part1', 'fmt_part2'], 'keep.txt'],
    ['VCF (bgzf)', ['--vcf', 'fmt.vcf.gz'], 'keep0.txt'],
    ['BCF', ['--vcf', 'fmt.bcf'], 'keep0.txt'],
    ['BGEN, its own sample IDs', ['--bgen', 'fmt.bgen', '--ref-first'], 'keep0.txt'],
    ['BGEN with plink2\'s .sample', ['--bgen', 'fmt.bgen', '--sample', 'fmt.sample'], 'keep.txt'],
  ];
  it.each(cases)('%s', async (name, args, keep) => {
    const out = join(tmp.dir, `ld-${name.replace(/\W+/g, '_')}`);
    const withPaths = args.map((a) => (a.startsWith('--') ? a : join(sim, a)));
    const text = await runLd([...withPaths, '--keep', join(sim, keep), ...common(out)]);
    expect(text).toMatch(/1000 variants read as dosages, 1000 of them hard calls/);
    expect(panelFiles(out)).toEqual(panelFiles(bedOut));
    for (const f of panelFiles(bedOut)) expect(readFileSync(join(out, f)).equals(readFileSync(join(bedOut, f))), f).toBe(true);
    const s = JSON.parse(readFileSync(join(out, 'ld.json'), 'utf8')) as LdPanelSummary;
    expect(s.samples).toEqual({ inFam: N, kept: 400, keepNotFound: 0 });
    expect(s.inputs.bfiles).toEqual([]);
    expect(s.inputs.genotypes?.paths).toEqual(withPaths.filter((a) => !a.startsWith('--') && !a.endsWith('.sample')));
    // The spill is gone with the staging folder.
    expect(readdirSync(out).some((n) => n.includes('tmp'))).toBe(false);
  });

  it('a keep file with the .fam FIDs matches no VCF sample (their FID is 0): refused, naming the VCF', async () => {
    await expect(buildLdPanel({ genotypes: { kind: 'vcf', paths: [join(sim, 'fmt.vcf.gz')] }, keep: join(sim, 'keep.txt'), blocks: join(sim, 'blocks.tsv'), outDir: join(tmp.dir, 'none') })).rejects.toThrow(
      /keeps 0 of the 600 samples in .*fmt\.vcf\.gz.*at least 2/,
    );
    expect(readdirSync(tmp.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('the activity builds a panel from a dosage reference', async () => {
    const env = new MockActivityEnvironment();
    const { buildLdPanel: activity } = makeLdEigenActivities();
    const out = join(tmp.dir, 'ld-activity');
    const s = (await env.run(activity, { genotypes: { kind: 'pfile' as const, paths: [join(sim, 'fmt')] }, keep: join(sim, 'keep.txt'), blocks: join(sim, 'blocks.tsv'), outDir: out, maxBlockSnps: 120 })) as LdPanelSummary;
    expect(s.dosages).toMatchObject({ variants: 1000, hardCallVariants: 1000, skipped: [] });
    expect(readFileSync(join(out, 'block1.eigen.bin')).equals(readFileSync(join(bedOut, 'block1.eigen.bin')))).toBe(true);
  });

  it('usage: one reference format, and options only with theirs', () => {
    const parse = (args: string[]): unknown => ldCommand.run(parseCommandArgs(ldCommand, [...args, '--blocks', 'b', '--out', 'o']), { stdout: () => undefined, stderr: () => undefined, onInterrupt: () => () => undefined });
    return Promise.all([
      expect(parse(['--bfile', 'x', '--pfile', 'y'])).rejects.toThrow(UsageError),
      expect(parse(['--vcf', 'x', '--sample', 's'])).rejects.toThrow(/--sample applies to --bgen/),
      expect(parse(['--bgen', 'x', '--dosage-field', 'DS'])).rejects.toThrow(/--dosage-field applies to --vcf/),
      expect(parse(['--bgen', 'x', '--ref-first', '--ref-last'])).rejects.toThrow(/alternatives/),
      expect(parse(['--vcf', 'x', '--dosage-field', 'GT'])).rejects.toThrow(/takes DS, GP or HDS/),
      expect(parse([])).rejects.toThrow(/--bfile, --pfile, --vcf or --bgen/),
    ]);
  });
});

describe('fractional dosages: correlations equal those of the dosages plink2 exports', () => {
  const dir = join(tmp.dir, 'frac');
  const N = 500;
  const ids = Array.from({ length: N }, (_, i) => `S${i + 1}`);
  const kept = Int32Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 !== 2); // 400
  const M = 160;
  let hardRows = 0;

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    // Two blocks of 80 variants, each driven by one latent per sample so that neighbours are in LD.
    let seed = 7;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const latent = [0, 1].map(() => ids.map(() => gauss()));
    const lines = [
      '##fileformat=VCFv4.2',
      '##FORMAT=<ID=DS,Number=A,Type=Float,Description="ALT dosage">',
      '##contig=<ID=1>',
      ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...ids].join('\t'),
    ];
    for (let v = 0; v < M; v++) {
      const b = v < M / 2 ? 0 : 1;
      const load = 0.3 + 0.6 * rand();
      const shift = gauss() * 0.5;
      const hard = v % 10 === 3; // some rows of hard calls among the fractional ones
      if (hard) hardRows++;
      const cells = ids.map((_, i) => {
        if (rand() < 0.03) return '.';
        const x = 1 + shift + load * latent[b]![i]! + 0.4 * gauss();
        const d = Math.min(2, Math.max(0, x));
        return hard ? String(Math.round(d)) : d.toFixed(4);
      });
      lines.push(['1', String(1000 + 100 * v + (b === 1 ? 1_000_000 : 0)), `rs${v}`, 'A', 'G', '.', '.', '.', 'DS', ...cells].join('\t'));
    }
    // A constant fractional dosage: no variation, left out.
    lines.push(['1', '5000', 'rsConst', 'C', 'T', '.', '.', '.', 'DS', ...ids.map(() => '0.5')].join('\t'));
    writeFileSync(join(dir, 'd.vcf'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'blocks.pos'), 'Block Chrom StartBP EndBP\n1 1 0 900000\n2 1 900000 2000000\n');
    writeFileSync(join(dir, 'keep.txt'), Array.from(kept, (i) => `0 ${ids[i]}\n`).join(''));
    plink2(['--vcf', join(dir, 'd.vcf'), 'dosage=DS', '--make-pgen', '--out', join(dir, 'd')]);
    plink2(['--vcf', join(dir, 'd.vcf'), 'dosage=DS', '--export', 'bgen-1.2', 'ref-first', '--out', join(dir, 'd')]);
  }, 30_000);

  /** ALT dosages per variant ID from `plink2 <input> --export A` (REF counted there), kept samples, NaN when missing. */
  function exported(input: string[], name: string): Map<string, Float64Array> {
    plink2([...input, '--export', 'A', '--out', join(dir, name)]);
    const lines = readFileSync(join(dir, `${name}.raw`), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    const header = lines[0]!;
    const row = new Map(lines.slice(1).map((f, r) => [f[1]!, r + 1]));
    const out = new Map<string, Float64Array>();
    for (let c = 6; c < header.length; c++) {
      const [id, counted] = header[c]!.split('_') as [string, string];
      // Printed to the digits that identify the 1/16384 unit: exact once rounded back to it.
      out.set(
        id,
        Float64Array.from(kept, (i) => {
          const s = lines[row.get(ids[i]!)!]![c]!;
          if (s === 'NA') return NaN;
          const u = Math.round(Number(s) * 16384);
          return (counted === 'G' || counted === 'T' ? u : 2 * 16384 - u) / 16384;
        }),
      );
    }
    return out;
  }

  const meanImputed = (d: Float64Array): Float64Array => {
    const obs = Array.from(d).filter((x) => !Number.isNaN(x));
    const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
    return d.map((x) => (Number.isNaN(x) ? mean : x));
  };

  const formats: [string, LdDosageReference, string[]][] = [
    ['VCF', { kind: 'vcf', paths: ['d.vcf'], dosageField: 'DS' }, ['--vcf', 'd.vcf', 'dosage=DS']],
    ['pgen', { kind: 'pfile', paths: ['d'] }, ['--pfile', 'd']],
    ['BGEN (16-bit probabilities)', { kind: 'bgen', paths: ['d.bgen'], sample: 'd.sample' }, ['--bgen', 'd.bgen', 'ref-first', '--sample', 'd.sample']],
  ];
  it.each(formats)('%s', async (name, refIn, plinkIn) => {
    const at = (p: string): string => (p.startsWith('--') || p.includes('=') || p === 'ref-first' ? p : join(dir, p));
    const ref: LdDosageReference = { ...refIn, paths: refIn.paths.map(at), ...(refIn.sample ? { sample: at(refIn.sample) } : {}) };
    const truth = exported(plinkIn.map(at), name.split(' ')[0]!);
    const out = join(tmp.dir, `frac-${name.split(' ')[0]!}`);
    // plink2's .sample carries the VCF's FID 0 too.
    const summary = await buildLdPanel({ genotypes: ref, keep: join(dir, 'keep.txt'), blocks: join(dir, 'blocks.pos'), outDir: out, cutoff: 1 });
    expect(summary.samples.kept).toBe(kept.length);
    expect(summary.snps).toBe(M);
    expect(summary.dropped.monomorphic).toBe(1);
    expect(summary.dosages!.hardCallVariants).toBe(hardRows);

    // The correlation matrices as the panel computes them, before float32 storage.
    const folder = await readLdFolder(out);
    const geno = await openLdGenotypes({ genotypes: ref });
    const scratch = join(tmp.dir, `scratch-${name.split(' ')[0]!}`);
    mkdirSync(scratch, { recursive: true });
    const scanned = await geno.scan(kept, scratch);
    const index = new Map(scanned.bim.id.map((id, v) => [id, v]));
    const reader = await scanned.openReader();
    let worst = 0;
    let worstEigen = 0;
    let ldSeen = 0;
    for (let b = 0; b < folder.info.block.length; b++) {
      const s = folder.info.startIdx[b]!;
      const m = folder.info.numSnps[b]!;
      const blockIds = folder.snps.id.slice(s, s + m);
      const g = await reader.read(Int32Array.from(blockIds, (id) => index.get(id)!));
      expect(g.kind).toBe('dosage');
      const r = await genotypeCorrelation(g, m, 'native');
      const e = await readEigenBlock(folder.eigenFiles[b]!, m);
      const d = blockIds.map((id) => meanImputed(truth.get(id)!));
      for (let i = 0; i < m; i++)
        for (let j = 0; j < i; j++) {
          const direct = pearson(d[i]!, d[j]!);
          worst = Math.max(worst, Math.abs(r[i * m + j]! - direct));
          let fromEigen = 0;
          for (let c = 0; c < e.k; c++) fromEigen += e.vectors[c * m + i]! * e.values[c]! * e.vectors[c * m + j]!;
          worstEigen = Math.max(worstEigen, Math.abs(fromEigen - direct));
          ldSeen = Math.max(ldSeen, Math.abs(direct));
        }
    }
    await reader.close();
    await scanned.dispose();
    expect(worst).toBeLessThan(1e-9);
    expect(worstEigen).toBeLessThan(1e-5); // float32 eigen-pairs
    expect(ldSeen).toBeGreaterThan(0.5);

    // snp.info: ALT frequency and N over the kept samples with a dosage.
    folder.snps.id.forEach((id, i) => {
      const obs = Array.from(truth.get(id)!).filter((x) => !Number.isNaN(x));
      expect(folder.snps.n[i]).toBe(obs.length);
      expect(Math.abs(folder.snps.a1Freq[i]! - obs.reduce((a, x) => a + x, 0) / (2 * obs.length))).toBeLessThan(1e-12);
      expect([folder.snps.a1[i], folder.snps.a2[i]]).toEqual(['G', 'A']);
    });
  });
});
