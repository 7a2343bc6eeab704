// The Debian `plink2` is the independent reference; CI installs it (.ci/run). Never skipped.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function plink2(args: string[], cwd?: string): string {
  try {
    return execFileSync('plink2', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new Error('plink2 is not installed: apt-get install plink2 (CI does this in .ci/run)');
    throw new Error(`plink2 ${args.join(' ')} failed: ${err.stdout ?? ''}${err.stderr ?? ''}${err.message}`);
  }
}

/** A whitespace table with a header line (PLINK 2 writes `#` before the first column name). */
export function readTable(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.replace(/^#/, '').split(/\s+/);
  return { header, rows: lines.slice(1).map((l) => l.trim().split(/\s+/)) };
}

export function column(t: { header: string[]; rows: string[][] }, name: string): string[] {
  const i = t.header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in ${t.header.join(' ')}`);
  return t.rows.map((r) => r[i]!);
}
