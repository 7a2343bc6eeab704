// Where a run ran, read by the worker when it records the run (never by the workflow, which must
// stay deterministic): host, platform, Node.js, CPUs, the worker's pid, and the code identity
// (package version, git commit when available, lockfile sha256).
import { cpus, hostname, totalmem } from 'node:os';
import { type CodeVersion, codeVersion } from './codeVersion.js';

export interface RunHost {
  host: string;
  platform: string;
  arch: string;
  node: string;
  cpus: number;
  totalMemoryBytes: number;
  workerPid: number;
  code: CodeVersion;
}

export function runHost(): RunHost {
  return {
    host: hostname(),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    cpus: cpus().length,
    totalMemoryBytes: totalmem(),
    workerPid: process.pid,
    code: codeVersion(),
  };
}

/** Peak resident set size of this process so far, in bytes (maxRSS is in kilobytes). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
