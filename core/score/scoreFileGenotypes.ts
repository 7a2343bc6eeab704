// The genotype files `pgsflow score` reads, as a scoring job needs them: samples and every
// variant's ID and alleles up front (to match the weights), then a feed of the used variants'
// genotypes. PLINK 1 filesets are read window by window from the .bed. Dosage files (pgen,
// VCF/BCF, BGEN) are read twice: their readers stream variants without a table, so a first pass
// collects it — and learns whether every dosage is a hard call — and the feed reads them again.
// A cohort of hard calls only is packed into .bed codes and goes through the .bed kernel (the
// .bed's scores bit for bit, on threads); one decision for the whole cohort, since mixing
// kernels would change the summation order. Anything else takes the dosage kernel.
import { BadInputError } from '../errors.js';
import type { GenotypeVariants } from '../alleles/matchAlleles.js';
import { type DosageCohort, readDosageCohort } from '../genotypes/dosageCohort.js';
import type { DosageChunk, SkippedRecords } from '../genotypes/dosageSource.js';
import { openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import { type DosageInput, dosageChunkVariants, openDosageInput } from '../genotypes/genotypeInput.js';
import { allHardCalls, packHardCallDosages } from '../genotypes/hardCallDosages.js';
import type { GenotypeKind } from '../genotypes/storeGenotypes.js';
import { VariantTableBuilder } from '../genotypes/variantTableBuilder.js';
import { forEachBedWindow } from './bedWindows.js';
import type { ChunkFeeder } from './scoreGenotypes.js';

export interface ScoreFileGenotypes {
  samples: { fid: string[]; iid: string[] };
  variants: GenotypeVariants;
  /** What `feed` hands on: .bed codes, or uint16 little-endian dosages. */
  kind: GenotypeKind;
  feed: ChunkFeeder;
  /** The inputs as given (prefixes or files), for the report. */
  inputs: string[];
  /** Names the genotypes in error messages. */
  source: string;
  /** Dosage files only: whether every dosage is a hard call, and the records set aside. */
  dosage?: { hardCallsOnly: boolean; skipped: SkippedRecords[] };
}

/** Dosage variants per chunk at most (a chunk is also capped at ~16 MiB). */
const DOSAGE_CHUNK_VARIANTS = 1024;

const listFiles = (paths: readonly string[]): string => (paths.length === 1 ? paths[0]! : `${paths[0]} (and ${paths.length - 1} more)`);

export async function openBedScoreGenotypes(prefixes: readonly string[]): Promise<ScoreFileGenotypes> {
  const g = await openGenotypeFiles(prefixes);
  const sources = g.filesets.map((f) => ({ bed: f.paths.bed, firstVariant: f.first, nVariants: f.count }));
  return {
    samples: { fid: g.fam.fid, iid: g.fam.iid },
    variants: { id: g.bim.id, a1: g.bim.a1, a2: g.bim.a2 },
    kind: 'hardcall',
    feed: (variants, shared, onChunk) => forEachBedWindow(sources, g.bytesPerVariant, variants, shared, onChunk),
    inputs: [...prefixes],
    source: listFiles(sources.map((s) => s.bed)),
  };
}

export async function openDosageScoreGenotypes(input: DosageInput): Promise<ScoreFileGenotypes> {
  const cohort = await openDosageInput(input);
  const n = cohort.samples.iid.length;
  const chunkVariants = dosageChunkVariants(n, DOSAGE_CHUNK_VARIANTS);
  const table = new VariantTableBuilder();
  let hardCallsOnly = true;
  const { skipped } = await readDosageCohort(cohort, chunkVariants, (c) => {
    const nv = c.variants.id.length;
    table.append(c.variants);
    if (hardCallsOnly) hardCallsOnly = allHardCalls(c.dosage, nv * n);
  });
  const bim = table.finish();
  const source = listFiles(cohort.files);
  const feed: ChunkFeeder = async (variants, _shared, onChunk) => {
    let next = 0; // the first wanted variant not yet handed on
    const { variants: read } = await readDosageCohort(cohort, chunkVariants, async (c) => {
      const nv = c.variants.id.length;
      checkSameVariants(c, bim.id, cohort);
      const end = c.firstVariant + nv;
      if (next >= variants.length || variants[next]! >= end) return; // no used variant here
      while (next < variants.length && variants[next]! < end) next++;
      const bytes = hardCallsOnly ? packHardCallDosages(c.dosage, nv, n) : new Uint8Array(c.dosage.buffer, c.dosage.byteOffset, nv * n * 2);
      await onChunk(bytes, c.firstVariant, nv);
    });
    if (read !== bim.id.length) throw changed(cohort, `${read} variants on reading it again, ${bim.id.length} the first time`);
  };
  return {
    samples: { fid: cohort.samples.fid, iid: cohort.samples.iid },
    variants: { id: bim.id, a1: bim.a1, a2: bim.a2 },
    kind: hardCallsOnly ? 'hardcall' : 'dosage',
    feed,
    inputs: [...input.paths],
    source,
    dosage: { hardCallsOnly, skipped },
  };
}

function checkSameVariants(c: DosageChunk, ids: readonly string[], cohort: DosageCohort): void {
  const got = c.variants.id;
  for (let j = 0; j < got.length; j++) {
    const v = c.firstVariant + j;
    if (ids[v] !== got[j]) throw changed(cohort, `variant ${v + 1} is '${got[j]}' on reading it again, '${ids[v] ?? '(none)'}' the first time`);
  }
}

const changed = (cohort: DosageCohort, detail: string): BadInputError =>
  new BadInputError(listFiles(cohort.files), `${detail}: the files changed while being scored`);

