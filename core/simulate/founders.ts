// Founder panels for the block-mosaic simulator: real PLINK genotypes (e.g. 1000 Genomes, one
// fileset per chromosome) split into populations by ID lists such as EUR_IDs.txt.
import { basename } from 'node:path';
import { BadInputError } from '../errors.js';
import { expandRanges } from '../formats/pathPatterns.js';
import { unpackVariant } from '../genotypes/bedCodec.js';
import { readSampleList } from '../formats/sampleList.js';
import { readFileRange } from '../genotypes/bedFile.js';
import { openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import type { SimBlock, VariantMap } from './variantMap.js';

export interface FounderPopulation {
  name: string;
  n: number;
  ids: { fid: string; iid: string }[];
  /** SNP-major dosages of this population's founders: [snp · n + f], 3 = missing. */
  dosages: Uint8Array;
  /** A1 frequency over this population's called founders (0 where none is called). */
  freq: Float64Array;
}

export interface FounderPanel {
  map: VariantMap;
  populations: FounderPopulation[];
  /** A1 frequency over all selected founders: the shared frequency that scales effects. */
  pooledFreq: Float64Array;
}

/** Population name of an ID list: `EUR_IDs.txt` → `EUR`, `eas.txt` → `eas`. */
export function populationName(file: string): string {
  return basename(file).replace(/_IDs?\..*$/i, '').replace(/\..*$/, '');
}

export async function loadFounders(
  prefixes: string[],
  popFiles: string[],
  ancestries: string[],
  maxSnps: number | undefined,
  blockSnps: number,
): Promise<FounderPanel> {
  const pops = new Map<string, string>();
  for (const f of popFiles) pops.set(populationName(f), f);
  for (const a of ancestries) {
    if (!pops.has(a)) throw new BadInputError(popFiles.join(', '), `no founder population list for ancestry '${a}' (have ${[...pops.keys()].join(', ')})`);
  }

  const geno = await openGenotypeFiles(prefixes.flatMap(expandRanges));
  const famRef = geno.fam;
  const index = new Map<string, number>();
  famRef.iid.forEach((iid, i) => index.set(`${famRef.fid[i]}\t${iid}`, i));
  const selected: { name: string; rows: Int32Array; ids: { fid: string; iid: string }[] }[] = [];
  for (const a of ancestries) {
    const file = pops.get(a)!;
    const list = await readSampleList(file);
    const rows: number[] = [];
    const ids: { fid: string; iid: string }[] = [];
    list.fid.forEach((fid, k) => {
      const iid = list.iid[k]!;
      const r = index.get(`${fid}\t${iid}`);
      if (r === undefined) return; // listed but not genotyped: skipped, counted below
      rows.push(r);
      ids.push({ fid, iid });
    });
    if (rows.length < 2) throw new BadInputError(file, `only ${rows.length} of ${list.fid.length} listed samples are in ${geno.famPath}`);
    selected.push({ name: a, rows: Int32Array.from(rows), ids });
  }

  // Collect the map and dosages over all filesets, up to maxSnps.
  const id: string[] = [];
  const chrom: string[] = [];
  const pos: number[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const perPop: Uint8Array[][] = selected.map(() => []);
  const nAll = geno.nSamples;
  const bpv = geno.bytesPerVariant;
  const bim = geno.bim;
  const row = new Uint8Array(nAll);
  outer: for (const fs of geno.filesets) {
    if (maxSnps !== undefined && id.length >= maxSnps) break;
    const bed = await readFileRange(fs.paths.bed, 3, bpv * fs.count);
    for (let j = 0; j < fs.count; j++) {
      if (maxSnps !== undefined && id.length >= maxSnps) break outer;
      unpackVariant(bed, j * bpv, nAll, row);
      selected.forEach((s, p) => {
        const d = new Uint8Array(s.rows.length);
        for (let f = 0; f < s.rows.length; f++) d[f] = row[s.rows[f]!]!;
        perPop[p]!.push(d);
      });
      const v = fs.first + j;
      id.push(bim.id[v]!);
      chrom.push(bim.chrom[v]!);
      pos.push(bim.pos[v]!);
      a1.push(bim.a1[v]!);
      a2.push(bim.a2[v]!);
    }
  }
  const nSnps = id.length;
  const populations: FounderPopulation[] = selected.map((s, p) => {
    const n = s.rows.length;
    const dosages = new Uint8Array(nSnps * n);
    perPop[p]!.forEach((d, j) => dosages.set(d, j * n));
    const freq = new Float64Array(nSnps);
    for (let j = 0; j < nSnps; j++) {
      let sum = 0;
      let cnt = 0;
      for (let f = 0; f < n; f++) {
        const d = dosages[j * n + f]!;
        if (d !== 3) {
          sum += d;
          cnt += 2;
        }
      }
      freq[j] = cnt > 0 ? sum / cnt : 0;
    }
    return { name: s.name, n, ids: s.ids, dosages, freq };
  });
  const pooledFreq = new Float64Array(nSnps);
  for (let j = 0; j < nSnps; j++) {
    let sum = 0;
    let cnt = 0;
    for (const p of populations) {
      for (let f = 0; f < p.n; f++) {
        const d = p.dosages[j * p.n + f]!;
        if (d !== 3) {
          sum += d;
          cnt += 2;
        }
      }
    }
    pooledFreq[j] = cnt > 0 ? sum / cnt : 0;
  }
  const map: VariantMap = { id, chrom, pos: Int32Array.from(pos), a1, a2, blocks: founderBlocks(chrom, Int32Array.from(pos), blockSnps) };
  return { map, populations, pooledFreq };
}

/** Runs of up to `blockSnps` consecutive SNPs, never crossing a chromosome. */
function founderBlocks(chrom: string[], pos: Int32Array, blockSnps: number): SimBlock[] {
  const blocks: SimBlock[] = [];
  let first = 0;
  for (let j = 1; j <= chrom.length; j++) {
    if (j === chrom.length || chrom[j] !== chrom[first] || j - first === blockSnps) {
      blocks.push({ first, end: j, chrom: chrom[first]!, startBp: pos[first]!, endBp: pos[j - 1]! + 1 });
      first = j;
    }
  }
  return blocks;
}
