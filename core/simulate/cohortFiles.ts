// A simulated target cohort in the format asked for (`pgsflow simulate --format`): where its
// hard calls go block by block, which files it makes, and how a study file names it. PLINK 1
// .bed keeps the FIDs (.fam); .pgen too (.psam); VCF and BGEN carry IIDs only, so their
// studies read the IID-only phenotype and covariate tables (FID '0' on both sides, as plink2).
import { basename, dirname, join } from 'node:path';
import type { SimulateFormat } from '../../config/simulate.js';
import { AtomicFileWriter, writeFileAtomic } from '../files/atomicWrite.js';
import { BgenWriter } from '../formats/bgenWrite.js';
import type { DosageWriter, WriteVariant } from '../formats/dosageWriter.js';
import { PGEN_MODE_DOSAGES, PGEN_MODE_HARDCALLS, PgenWriter, psamText, pvarText } from '../formats/pgenWrite.js';
import { VcfWriter } from '../formats/vcfWrite.js';
import { BED_MAGIC, bytesPerVariant, packVariant } from '../genotypes/bedCodec.js';
import { blurCalls, callsToUnits, dosageNoiseStream } from './dosageNoise.js';
import type { VariantMap } from './variantMap.js';

/**
 * zlib level of VCF (BGZF) and BGEN cohorts: level 1 writes 3-9× faster than the usual 6 for
 * 30-70 % larger files; simulated cohorts are rewritten at will, big ones are benchmark inputs.
 */
const ZLIB_LEVEL = 1;

/** Consumes a cohort's hard calls (A1 = ALT counts, MISSING_DOSAGE missing), SNP-major by block. */
export interface CallSink {
  /** calls[j·n + i] for the block's SNPs first … first + m − 1. */
  writeBlock(calls: Uint8Array, first: number, m: number): void;
  commit(): void;
  abort(): void;
}

export interface SampleId {
  fid: string;
  iid: string;
}

/** The PLINK 1 .bed of a cohort (ref/ panels, and target cohorts by default). */
export function bedSink(path: string, nSamples: number): CallSink {
  const bpv = bytesPerVariant(nSamples);
  let packed = new Uint8Array(0);
  const out = new AtomicFileWriter(path);
  out.write(BED_MAGIC);
  return {
    writeBlock(calls, _first, m) {
      if (packed.length < m * bpv) packed = new Uint8Array(m * bpv);
      for (let j = 0; j < m; j++) packVariant(calls.subarray(j * nSamples, (j + 1) * nSamples), packed, j * bpv);
      out.write(packed, m * bpv);
    },
    commit: () => out.commit(),
    abort: () => out.abort(),
  };
}

export interface SimulatedDosageCohort {
  format: Exclude<SimulateFormat, 'bed'>;
  /** Path without extension: geno/<ANC>. */
  prefix: string;
  map: VariantMap;
  samples: SampleId[];
  /** SD of the dosage blur; 0 writes hard calls. */
  noise: number;
  seed: number;
  cohortKey: number;
}

/** A pgen, VCF or BGEN cohort: calls become dosages (blurred with noise > 0), written per variant. */
export function dosageSink(c: SimulatedDosageCohort): CallSink {
  const n = c.samples.length;
  const nVariants = c.map.id.length;
  const withDosages = c.noise > 0;
  const file = join(dirname(c.prefix), cohortFiles(c.format, basename(c.prefix))[0]!);
  let writer: DosageWriter;
  if (c.format === 'pgen') writer = new PgenWriter(file, withDosages ? PGEN_MODE_DOSAGES : PGEN_MODE_HARDCALLS, nVariants, n);
  else if (c.format === 'vcf') {
    const contigs = [...new Set(c.map.chrom)];
    writer = new VcfWriter(file, { samples: c.samples.map((s) => s.iid), contigs, dosages: withDosages, source: 'pgsflow simulate', level: ZLIB_LEVEL });
  } else writer = new BgenWriter(file, { samples: c.samples.map((s) => s.iid), nVariants, level: ZLIB_LEVEL });
  const units = new Uint16Array(n);
  const variant: WriteVariant = { chrom: '', pos: 0, id: '', ref: '', alt: '' };
  return {
    writeBlock(calls, first, m) {
      for (let j = 0; j < m; j++) {
        const snp = first + j;
        const row = calls.subarray(j * n, (j + 1) * n);
        if (withDosages) blurCalls(row, c.noise, dosageNoiseStream(c.seed, c.cohortKey, snp), units);
        else callsToUnits(row, units);
        variant.chrom = c.map.chrom[snp]!;
        variant.pos = c.map.pos[snp]!;
        variant.id = c.map.id[snp]!;
        variant.ref = c.map.a2[snp]!;
        variant.alt = c.map.a1[snp]!;
        writer.writeVariant(variant, units);
      }
    },
    commit: () => writer.commit(),
    abort: () => writer.abort(),
  };
}

/** The files of cohort `name` in `format`, genotypes first (relative to its folder). */
export function cohortFiles(format: SimulateFormat, name: string): string[] {
  switch (format) {
    case 'bed':
      return [`${name}.bed`, `${name}.bim`, `${name}.fam`];
    case 'pgen':
      return [`${name}.pgen`, `${name}.pvar`, `${name}.psam`];
    case 'vcf':
      return [`${name}.vcf.gz`];
    case 'bgen':
      return [`${name}.bgen`];
  }
}

/** The .pvar and .psam beside a .pgen (sex 1/2 from the simulated covariates); nothing for VCF/BGEN. */
export async function writeDosageSidecars(format: Exclude<SimulateFormat, 'bed'>, prefix: string, map: VariantMap, samples: SampleId[], sex: Uint8Array): Promise<void> {
  if (format !== 'pgen') return;
  await writeFileAtomic(`${prefix}.pvar`, pvarText({ chrom: map.chrom, pos: map.pos, id: map.id, ref: map.a2, alt: map.a1 }));
  await writeFileAtomic(`${prefix}.psam`, psamText(samples, sex));
}

/** Whether the format's samples carry no FID, so the study needs '#IID' phenotype tables. */
export const iidOnly = (format: SimulateFormat): boolean => format === 'vcf' || format === 'bgen';

/** A study file's cohort entry for the target cohort `geno/<ancestry>`. */
export function studyCohort(format: SimulateFormat, ancestry: string, noise: number): Record<string, unknown> {
  const path = `geno/${ancestry}`;
  switch (format) {
    case 'bed':
      return { ancestry, bfile: [path] };
    case 'pgen':
      return { ancestry, genotypes: { format, path } };
    case 'vcf':
      return { ancestry, genotypes: { format, path: `${path}.vcf.gz`, ...(noise > 0 ? { dosageField: 'DS' } : {}) } };
    case 'bgen':
      return { ancestry, genotypes: { format, path: `${path}.bgen`, refFirst: true } };
  }
}
