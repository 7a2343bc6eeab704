// Memory a fit may still take: the machine's free memory, or less when the process runs in a
// memory-limited control group (a container, a batch job's slot). os.freemem() sees the host, so
// a worker in a 4 GiB container on a 64 GiB host would keep a 10 GiB LD panel resident and be
// killed by the OOM killer; the cgroup's limit minus its usage is what is really left.
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';

/** Limits at or above this are "no limit" (v1 writes 2^63 rounded down to a page). */
const UNLIMITED = 2 ** 60;

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

const readBytes = (path: string): number | null => {
  const text = readText(path)?.trim();
  if (text === undefined || text === '' || text === 'max') return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 && v < UNLIMITED ? v : null;
};

/** `inactive_file` of a memory.stat: page cache the kernel reclaims before it OOM-kills. */
function inactiveFile(stat: string | null): number {
  const m = stat === null ? null : /^(?:total_)?inactive_file (\d+)$/m.exec(stat);
  return m ? Number(m[1]) : 0;
}

/** Ancestors of a cgroup path, itself first: /a/b → /a/b, /a, /. */
function lineage(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let n = parts.length; n >= 0; n--) out.push('/' + parts.slice(0, n).join('/'));
  return out;
}

/**
 * Bytes left under the tightest memory limit of this process's cgroup and its ancestors, or null
 * when none is set. `root` is the cgroup mount, `selfCgroup` the text of /proc/self/cgroup;
 * both are parameters so the parser is testable on a fake tree. Handles v2 (`0::/path`,
 * memory.max / memory.current) and v1 (`N:memory:/path`, memory.limit_in_bytes / usage_in_bytes
 * under `root/memory`). A container usually mounts its own cgroup as the root; the walk up to
 * `/` then reads the mount itself, where the container's limit is.
 */
export function cgroupHeadroom(root = '/sys/fs/cgroup', selfCgroup = readText('/proc/self/cgroup') ?? ''): number | null {
  const lines = selfCgroup.split('\n').map((l) => l.split(':'));
  const v1 = lines.find((f) => f.length >= 3 && f[1]!.split(',').includes('memory'));
  const v2 = lines.find((f) => f.length >= 3 && f[0] === '0' && f[1] === '');
  const layouts: { dir: string; path: string; limit: string; usage: string }[] = [];
  if (v2) layouts.push({ dir: root, path: cgroupPath(v2), limit: 'memory.max', usage: 'memory.current' });
  if (v1) layouts.push({ dir: join(root, 'memory'), path: cgroupPath(v1), limit: 'memory.limit_in_bytes', usage: 'memory.usage_in_bytes' });

  let best: number | null = null;
  for (const { dir, path, limit, usage } of layouts) {
    for (const level of lineage(path)) {
      const at = join(dir, level);
      const max = readBytes(join(at, limit));
      if (max === null) continue;
      const used = readBytes(join(at, usage)) ?? 0;
      const reclaimable = inactiveFile(readText(join(at, 'memory.stat')));
      const left = Math.max(0, max - Math.max(0, used - reclaimable));
      best = best === null ? left : Math.min(best, left);
    }
  }
  return best;
}

/** The path field of a /proc/self/cgroup line (`id:controllers:path`; the path may hold ':'). */
const cgroupPath = (fields: string[]): string => fields.slice(2).join(':');

/** Free memory for this process: the host's, capped by its cgroup's headroom when limited. */
export function availableMemory(free = freemem(), headroom = cgroupHeadroom()): number {
  return headroom === null ? free : Math.min(free, headroom);
}
