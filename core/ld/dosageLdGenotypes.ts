// Reference genotypes as dosages (PLINK 2, VCF/BCF, BGEN) for an LD panel. The scan reads the
// files once: per variant the kept samples' dosages give N, the ALT (= A1) frequency and whether
// it varies, as variantStats.ts does for a .bed, and the rows a block can use are spilled to the
// staging folder for the blocks to read in any order.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { F64Column, I32Column } from '../formats/text.js';
import { readDosageCohort } from '../genotypes/dosageCohort.js';
import type { DosageReadSummary } from '../genotypes/dosageSource.js';
import { dosageChunkVariants, openDosageInput } from '../genotypes/genotypeInput.js';
import { VariantTableBuilder } from '../genotypes/variantTableBuilder.js';
import type { LdDosageReference } from '../../contracts/ld.js';
import { type DosageSpill, DosageSpillWriter, openSpillReader } from './dosageSpill.js';
import type { LdGenotypes, ScannedGenotypes } from './ldGenotypes.js';
import { summarizeDosageRow } from './standardizeDosages.js';

/** At most as many variants per chunk as the .bed stats pass reads at a time. */
const MAX_CHUNK_VARIANTS = 4096;
const SPILL_FILE = 'reference.dosages.tmp';

export async function openDosageLdGenotypes(ref: LdDosageReference): Promise<LdGenotypes> {
  const cohort = await openDosageInput(ref);
  const nSamples = cohort.samples.iid.length;
  return {
    samples: cohort.samples,
    nSamples,
    samplesFile: cohort.samples.source,
    async scan(kept, scratchDir): Promise<ScannedGenotypes> {
      const path = join(scratchDir, SPILL_FILE);
      const writer = await DosageSpillWriter.create(path, kept.length);
      const bim = new VariantTableBuilder();
      const nObs = new I32Column();
      const a1Freq = new F64Column();
      const polymorphic = new I32Column();
      // `kept` is ascending: as long as the samples, it is every sample, and rows need no picking.
      const everyone = kept.length === nSamples;
      const picked = new Uint16Array(kept.length);
      let hardCallVariants = 0;
      let spill: DosageSpill;
      let read: DosageReadSummary;
      try {
        read = await readDosageCohort(cohort, dosageChunkVariants(nSamples, MAX_CHUNK_VARIANTS), async (c) => {
          const nv = c.variants.id.length;
          const dosage = c.dosage;
          bim.append(c.variants);
          for (let v = 0; v < nv; v++) {
            const base = v * nSamples;
            const row = everyone ? dosage.subarray(base, base + nSamples) : picked;
            if (!everyone) for (let t = 0; t < kept.length; t++) picked[t] = dosage[base + kept[t]!]!;
            const s = summarizeDosageRow(row, 0, kept.length);
            nObs.push(s.obs);
            a1Freq.push(s.obs > 0 ? s.copies / (2 * s.obs) : NaN);
            polymorphic.push(s.polymorphic ? 1 : 0);
            if (s.hard) hardCallVariants++;
            // Only variants with calls that vary can enter a block (blockPlan.ts).
            writer.add(s.obs > 0 && s.polymorphic ? row : null, s.hard);
          }
          await writer.flush();
        });
        spill = await writer.finish();
      } catch (e) {
        await writer.abandon();
        throw e;
      }
      return {
        bim: bim.finish(),
        stats: { nObs: nObs.finish(), a1Freq: a1Freq.finish(), polymorphic: Uint8Array.from(polymorphic.finish()) },
        dosages: { variants: read.variants, hardCallVariants, skipped: read.skipped },
        openReader: () => openSpillReader(spill),
        dispose: () => rm(path, { force: true }),
      };
    },
  };
}
