// Complete-case selection shared by the metrics: a sample is usable when every input value
// for it is finite (missing phenotype, covariate or score drops that sample only).
import { MetricInputError } from '../../errors.js';

/** Minimum usable samples for any metric. */
export const MIN_SAMPLES = 3;

/**
 * Checks that all columns have one length and returns them restricted to the rows where every
 * column is finite (the inputs themselves when nothing is dropped).
 */
export function completeCases<T extends readonly Float64Array[]>(columns: readonly [...T], names: readonly string[]): { -readonly [K in keyof T]: Float64Array } {
  const n = columns[0]?.length ?? 0;
  columns.forEach((c, i) => {
    if (c.length !== n) throw new MetricInputError(`${names[i] ?? `column ${i}`} has ${c.length} values, ${names[0] ?? 'column 0'} has ${n}`);
  });
  const keep = new Uint8Array(n);
  let m = 0;
  for (let r = 0; r < n; r++) {
    let ok = 1;
    for (const c of columns) if (!Number.isFinite(c[r]!)) ok = 0;
    keep[r] = ok;
    m += ok;
  }
  if (m < MIN_SAMPLES) throw new MetricInputError(`only ${m} usable samples (all of ${names.join(', ')} finite); need at least ${MIN_SAMPLES}`);
  type Out = { -readonly [K in keyof T]: Float64Array };
  if (m === n) return [...columns] as unknown as Out;
  return columns.map((c) => {
    const out = new Float64Array(m);
    let j = 0;
    for (let r = 0; r < n; r++) if (keep[r]) out[j++] = c[r]!;
    return out;
  }) as unknown as Out;
}

/** Throws unless every value is 0 or 1 (call after `completeCases`). */
export function checkBinary(y01: Float64Array, name: string): void {
  for (let i = 0; i < y01.length; i++) {
    const v = y01[i]!;
    if (v !== 0 && v !== 1) throw new MetricInputError(`${name} must be coded 1 (case) / 0 (control); found ${v}`);
  }
}

export function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}
