// A dosage cohort's variant table assembled from its chunks: the readers hand variants over in
// chunks and never the whole table, which the GWAS outputs and allele matching need. Values are
// copied (a reader may reuse its chunk arrays).
import { F64Column, I32Column } from '../formats/text.js';
import type { BimTable } from '../formats/types.js';

export class VariantTableBuilder {
  private readonly chrom: string[] = [];
  private readonly id: string[] = [];
  private readonly a1: string[] = [];
  private readonly a2: string[] = [];
  private readonly cm = new F64Column();
  private readonly pos = new I32Column();

  get length(): number {
    return this.id.length;
  }

  append(b: BimTable): void {
    for (let j = 0; j < b.id.length; j++) {
      this.chrom.push(b.chrom[j]!);
      this.id.push(b.id[j]!);
      this.a1.push(b.a1[j]!);
      this.a2.push(b.a2[j]!);
      this.cm.push(b.cm[j]!);
      this.pos.push(b.pos[j]!);
    }
  }

  finish(): BimTable {
    return { chrom: this.chrom, id: this.id, cm: this.cm.finish(), pos: this.pos.finish(), a1: this.a1, a2: this.a2 };
  }
}
