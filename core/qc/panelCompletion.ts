// What a summary-statistics file may lack and the LD panel supplies: the frequency of a1 (a file
// without a frequency column takes the panel's reference frequency, oriented to the row's
// alleles) and, for a Z-only file, b and se on the per-allele scale from Z, that frequency and N:
// se = 1 / √(2f(1−f)(N + z²)), b = z·se. Rows whose alleles are not the panel SNP's pair keep
// NaN and are removed by the invalid-value rule, which names the missing value.
import { orient } from '../alleles/alleleOrientation.js';
import type { QcPanel, QcVariants } from './variants.js';

export interface PanelCompletion {
  /** Rows given the panel's frequency. */
  frequencies: number;
  /** Z-only rows put on the per-allele scale. */
  fromZ: number;
}

/** Fills `v` in place; call before QC. `zOnly`: b holds Z and se is NaN (sumstats.ts). */
export function completeFromPanel(v: QcVariants, panel: QcPanel, zOnly: boolean): PanelCompletion {
  const done: PanelCompletion = { frequencies: 0, fromZ: 0 };
  let index: Map<string, number> | null = null;
  for (let i = 0; i < v.snp.length; i++) {
    if (v.preRule !== null && v.preRule[i] !== 0) continue;
    if (Number.isNaN(v.freq[i]!)) {
      index ??= new Map(panel.id.map((id, j) => [id, j]));
      const j = index.get(v.snp[i]!);
      if (j === undefined) continue;
      const o = orient(v.a1[i]!.toUpperCase(), v.a2[i]!.toUpperCase(), panel.a1[j]!, panel.a2[j]!);
      const f = panel.a1Freq[j]!;
      if (o === 'a1' || o === 'flip-a1') v.freq[i] = f;
      else if (o === 'a2' || o === 'flip-a2') v.freq[i] = Number((1 - f).toPrecision(15));
      else continue;
      done.frequencies++;
    }
    if (zOnly && Number.isNaN(v.se[i]!)) {
      const f = v.freq[i]!;
      const h = 2 * f * (1 - f);
      const z = v.b[i]!;
      if (!(h > 0)) continue;
      const se = 1 / Math.sqrt(h * (v.n[i]! + z * z));
      v.se[i] = se;
      v.b[i] = z * se;
      done.fromZ++;
    }
  }
  return done;
}
