// Wall-clock timing for benchmarks: best of `reps` runs (least disturbed by other load).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export async function bestOf(reps: number, fn: () => Promise<void> | void): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

export function runCommand(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

export interface BenchRow {
  name: string;
  ours: number;
  peer: number | null;
  peerName: string;
  goal: string;
}

export function printTable(rows: BenchRow[]): void {
  console.log('\n| benchmark | pgsflow (s) | peer | peer (s) | ratio ours/peer | goal |');
  console.log('|---|---:|---|---:|---:|---|');
  for (const r of rows) {
    const ratio = r.peer === null ? '—' : (r.ours / r.peer).toFixed(2);
    console.log(`| ${r.name} | ${r.ours.toFixed(2)} | ${r.peerName} | ${r.peer === null ? '—' : r.peer.toFixed(2)} | ${ratio} | ${r.goal} |`);
  }
}

/** Peak resident set of this process so far (Linux VmHWM), in bytes. */
export function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? 1024 * Number(m[1]) : NaN;
}
