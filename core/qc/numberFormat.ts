// Numbers in QC outputs: `exact` for data files (15 significant digits round-trips every value
// read from text and hides the last-bit noise of 1 − freq), `short` for messages.

export function exact(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(15))) : 'NA';
}

export function short(x: number): string {
  if (Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  return String(Number(x.toPrecision(4)));
}

export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}
