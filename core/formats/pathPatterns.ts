// How file names are written on the command line: `chr{1..22}` stands for one fileset per
// chromosome. Expanded by us, not the shell, so a pattern also works where no shell sees it
// (quoted, or in a simulate request's founder list).

/** Expand `{a..b}` integer ranges in a path, as a shell would (`chr{1..22}`; `{3..1}` counts down). */
export function expandRanges(pattern: string): string[] {
  const m = /\{(\d+)\.\.(\d+)\}/.exec(pattern);
  if (!m) return [pattern];
  const from = Number(m[1]);
  const to = Number(m[2]);
  const out: string[] = [];
  for (let i = from; from <= to ? i <= to : i >= to; i += from <= to ? 1 : -1) {
    out.push(...expandRanges(pattern.slice(0, m.index) + String(i) + pattern.slice(m.index + m[0].length)));
  }
  return out;
}
