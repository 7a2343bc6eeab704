// `pgsflow ld`: an SBayesRC LD eigen folder (DESIGN §4) from reference genotypes (PLINK 1, or
// dosages from PLINK 2, VCF/BCF, BGEN: ldGenotypes.ts) and LD blocks. One stats pass over the
// genotypes, a block plan, then block by block: read the block's variants, correlate,
// decompose, keep pairs to the cut-off, write block<B>.eigen.bin. Only one block's matrices are
// alive at a time, so memory is set by the largest block, not the panel.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { readBlocks } from '../formats/blocks.js';
import { eigenFileName, formatLdmInfo, formatSnpInfo, ldmInfoFromSnps, writeEigenBlock } from '../formats/ldFolder.js';
import { normaliseChrom } from '../formats/text.js';
import type { BimTable, EigenBlock, LdSnpTable } from '../formats/types.js';
import { readKeep } from '../genotypes/sampleSelection.js';
import { type PanelPlan, type PlannedBlock, planPanel } from './blockPlan.js';
import { genotypeCorrelation } from './correlation.js';
import { toEigenBlock } from './eigenCutoff.js';
import { driverFor, driverName } from './eigenDriver.js';
import { describeEigenBackend, eigenSymmetricAsync, resolveEigenBackend } from './eigenSymmetric.js';
import type { NativeEigenMethod } from './nativeAddon.js';
import { createStaging, discardStaging, publishStaging } from './stagingFolder.js';
import { type BlockReader, type LdGenotypes, type ScannedGenotypes, openLdGenotypes } from './ldGenotypes.js';
import type { VariantStats } from './variantStats.js';
import type { LdPanelRequest, LdPanelProgress, LdBlockSummary, LdPanelSummary } from '../../contracts/ld.js';
import type { DropReason, BlockSplit, EigenBackend } from '../../contracts/ld.js';
import { availableMemory } from '../sbayesrc/memoryBudget.js';

export const DEFAULT_CUTOFF = 0.995;
export const SUMMARY_FILE = 'ld.json';

export interface LdPanelHooks {
  onBlock?: (p: LdPanelProgress) => void;
  /** Checked between blocks; an abort discards the staging folder. */
  signal?: AbortSignal;
}

export async function buildLdPanel(req: LdPanelRequest, hooks: LdPanelHooks = {}): Promise<LdPanelSummary> {
  const started = performance.now();
  const cutoff = req.cutoff ?? DEFAULT_CUTOFF;
  if (!(cutoff > 0 && cutoff <= 1)) throw new BadInputError('(ld request)', `cutoff must be in (0, 1], got ${cutoff}`);
  const max = req.maxBlockSnps;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new BadInputError('(ld request)', `maxBlockSnps must be a positive integer, got ${max}`);
  const backend = resolveEigenBackend(req.backend);

  const geno = await openLdGenotypes(req);
  const blockTable = await readBlocks(req.blocks);
  const { kept, keepNotFound } = await keptSamples(geno, req.keep);
  // Staged first: a dosage reference spills its rows there during the scan.
  const staging = await createStaging(req.outDir);
  let scanned: ScannedGenotypes | undefined;
  let reader: BlockReader | undefined;
  try {
    const t0 = performance.now();
    scanned = await geno.scan(kept, staging);
    const { bim, stats } = scanned;
    const plan = planPanel(bim, stats, blockTable, max);
    const seconds = { stats: (performance.now() - t0) / 1000, read: 0, correlation: 0, eigen: 0, write: 0, total: 0 };
    if (plan.blocks.length === 0) {
      throw new BadInputError(req.blocks, `no genotyped SNP falls in a block with variation among the ${kept.length} samples (dropped: ${JSON.stringify(plan.dropped)})`);
    }

    const largest = plan.blocks.reduce((a, p) => Math.max(a, p.variants.length), 0);
    refuseBlocksBeyondMemory(plan.blocks, req.blocks, availableMemory());
    const perBlock: LdBlockSummary[] = [];
    reader = await scanned.openReader();
    for (let b = 0; b < plan.blocks.length; b++) {
      hooks.signal?.throwIfAborted();
      const pb = plan.blocks[b]!;
      const m = pb.variants.length;
      const method = driverFor(m, largest);
      const eigen = await decomposeBlock(reader, pb, backend, method, cutoff, seconds);
      const t = performance.now();
      await writeEigenBlock(join(staging, eigenFileName(b + 1)), eigen);
      seconds.write += (performance.now() - t) / 1000;
      perBlock.push({
        block: b + 1,
        source: pb.source,
        part: pb.part,
        parts: pb.parts,
        chrom: pb.chrom,
        firstBp: bim.pos[pb.variants[0]!]!,
        lastBp: bim.pos[pb.variants[m - 1]!]!,
        snps: m,
        k: eigen.k,
        sumLambda: eigen.sumLambda,
        eigen: backend === 'native' ? driverName(method) : 'ql',
      });
      hooks.onBlock?.({ block: b + 1, of: plan.blocks.length, snps: m, k: eigen.k });
    }
    await reader.close();
    reader = undefined;
    await scanned.dispose();
    const t = performance.now();
    // ldm.info last among the panel files: a folder with an ldm.info is complete.
    const snps = snpTable(bim, stats, plan);
    await writeFile(join(staging, 'snp.info'), formatSnpInfo(snps));
    await writeFile(join(staging, 'ldm.info'), formatLdmInfo(ldmInfoFromSnps(snps)));
    seconds.write += (performance.now() - t) / 1000;
    seconds.total = (performance.now() - started) / 1000;
    const summary: LdPanelSummary = {
      outDir: req.outDir,
      inputs: { bfiles: req.bfiles ?? [], keep: req.keep ?? null, blocks: req.blocks, ...(req.genotypes ? { genotypes: req.genotypes } : {}) },
      samples: { inFam: geno.nSamples, kept: kept.length, keepNotFound },
      ...(scanned.dosages ? { dosages: scanned.dosages } : {}),
      cutoff,
      maxBlockSnps: max ?? null,
      backend: describeEigenBackend(backend, plan.blocks.map((p) => driverFor(p.variants.length, largest))),
      blocks: plan.blocks.length,
      snps: snps.id.length,
      emptyBlocks: plan.emptyBlocks,
      largestBlock: largest,
      largestDenseBytes: 8 * largest * largest,
      splits: plan.splits,
      dropped: plan.dropped,
      droppedExamples: plan.droppedExamples,
      perBlock,
      seconds,
    };
    await writeFile(join(staging, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    await publishStaging(staging, req.outDir);
    return summary;
  } catch (e) {
    await reader?.close().catch(() => undefined);
    await discardStaging(staging);
    throw e;
  }
}

/**
 * A block's correlation matrix and the eigen solver's workspace take about 2 × 8m² bytes (the
 * LD bench measures 1.87×): a block too large for this machine — usually a blocks file with one
 * block per chromosome — is refused before anything is read, naming it, instead of the process
 * being killed by the kernel half-way through the panel.
 */
export function refuseBlocksBeyondMemory(blocks: readonly PlannedBlock[], blocksPath: string, available: number): void {
  let worst: PlannedBlock | null = null;
  for (const pb of blocks) if (!worst || pb.variants.length > worst.variants.length) worst = pb;
  if (!worst) return;
  const m = worst.variants.length;
  const need = 2 * 8 * m * m;
  if (need <= available) return;
  const gb = (x: number): string => (x / 1e9).toFixed(1);
  const fits = Math.floor(Math.sqrt(available / 16));
  throw new BadInputError(
    blocksPath,
    `LD block ${worst.source} (chromosome ${worst.chrom}, ${worst.startBp}–${worst.endBp}) has ${m.toLocaleString('en')} SNPs: its correlation matrix and eigen workspace need about ${gb(need)} GB, ` +
      `and ${gb(available)} GB are available. Use finer LD blocks, or split large blocks with --max-block-snps ${Math.min(fits, 20_000)}`,
  );
}

/** Correlate and decompose one block: R and the eigen workspace are the only m² arrays. */
async function decomposeBlock(
  reader: BlockReader,
  pb: PlannedBlock,
  backend: EigenBackend,
  method: NativeEigenMethod,
  cutoff: number,
  seconds: LdPanelSummary['seconds'],
): Promise<EigenBlock> {
  const m = pb.variants.length;
  let t = performance.now();
  const g = await reader.read(pb.variants);
  seconds.read += (performance.now() - t) / 1000;
  t = performance.now();
  const r = await genotypeCorrelation(g, m, backend);
  seconds.correlation += (performance.now() - t) / 1000;
  t = performance.now();
  const block = toEigenBlock(await eigenSymmetricAsync(r, m, { backend, method }), cutoff);
  seconds.eigen += (performance.now() - t) / 1000;
  return block;
}

async function keptSamples(geno: LdGenotypes, keepPath: string | undefined): Promise<{ kept: Int32Array; keepNotFound: number }> {
  if (!keepPath) return { kept: Int32Array.from({ length: geno.nSamples }, (_, i) => i), keepNotFound: 0 };
  const { keep, unknown } = await readKeep(keepPath, geno.samples);
  const kept = Int32Array.from(Array.from(keep).flatMap((k, i) => (k ? [i] : [])));
  if (kept.length < 2) {
    throw new BadInputError(keepPath, `keeps ${kept.length} of the ${geno.nSamples} samples in ${geno.samplesFile}: correlations need at least 2`);
  }
  return { kept, keepNotFound: unknown };
}

/** snp.info rows in panel order: block by block, by position within a block. */
function snpTable(bim: BimTable, stats: VariantStats, plan: PanelPlan): LdSnpTable {
  const order = Int32Array.from(plan.blocks.flatMap((b) => Array.from(b.variants)));
  const block = new Int32Array(order.length);
  let i = 0;
  plan.blocks.forEach((b, bi) => {
    block.fill(bi + 1, i, i + b.variants.length);
    i += b.variants.length;
  });
  return {
    chrom: Array.from(order, (v) => normaliseChrom(bim.chrom[v]!)),
    id: Array.from(order, (v) => bim.id[v]!),
    index: Int32Array.from(order, (_, j) => j),
    genPos: Float64Array.from(order, (v) => bim.cm[v]!),
    physPos: Int32Array.from(order, (v) => bim.pos[v]!),
    a1: Array.from(order, (v) => bim.a1[v]!),
    a2: Array.from(order, (v) => bim.a2[v]!),
    a1Freq: Float64Array.from(order, (v) => stats.a1Freq[v]!),
    n: Float64Array.from(order, (v) => stats.nObs[v]!),
    block,
  };
}
