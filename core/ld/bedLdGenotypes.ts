// PLINK 1 reference genotypes for an LD panel: the stats pass streams the .bed, blocks are read
// in place by random access (nothing is copied).
import { BedVariantReader } from '../genotypes/bedVariantReader.js';
import { openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import type { LdGenotypes } from './ldGenotypes.js';
import { variantStats } from './variantStats.js';

export async function openBedLdGenotypes(prefixes: readonly string[]): Promise<LdGenotypes> {
  const geno = await openGenotypeFiles(prefixes);
  return {
    samples: geno.fam,
    nSamples: geno.nSamples,
    samplesFile: geno.famPath,
    async scan(kept) {
      const stats = await variantStats(geno, kept);
      return {
        bim: geno.bim,
        stats,
        async openReader() {
          const reader = await BedVariantReader.open(geno);
          return {
            read: async (variants) => ({ kind: 'packed', packed: await reader.read(variants), bytesPerVariant: geno.bytesPerVariant, kept }),
            close: () => reader.close(),
          };
        },
        dispose: async () => undefined,
      };
    },
  };
}
