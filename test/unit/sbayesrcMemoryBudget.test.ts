// The memory `--ld-memory auto` judges by: free memory, capped by the tightest cgroup limit
// (v1 and v2 layouts, nested levels, a container's own cgroup mounted as the root).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseLdMemory } from '../../core/sbayesrc/ldSource.js';
import { availableMemory, cgroupHeadroom } from '../../core/sbayesrc/memoryBudget.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('cgroup');
afterAll(() => tmp.cleanup());

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp.dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('cgroupHeadroom', () => {
  it('v2: limit minus usage, page cache the kernel can reclaim not counted as used', () => {
    const root = tree('v2', {
      'job/slot/memory.max': `${4 * GiB}\n`,
      'job/slot/memory.current': `${3 * GiB}\n`,
      'job/slot/memory.stat': `anon 123\ninactive_file ${GiB}\nactive_file 5\n`,
    });
    expect(cgroupHeadroom(root, '0::/job/slot\n')).toBe(2 * GiB);
  });

  it('v2: the tightest level wins; "max" is no limit', () => {
    const root = tree('v2nested', {
      'job/memory.max': `${2 * GiB}\n`,
      'job/memory.current': `${1536 * MiB}\n`,
      'job/slot/memory.max': 'max\n',
      'job/slot/memory.current': `${1536 * MiB}\n`,
    });
    expect(cgroupHeadroom(root, '0::/job/slot\n')).toBe(512 * MiB);
  });

  it('v1: the memory controller line, under <root>/memory; 2^63 rounded to a page is no limit', () => {
    const root = tree('v1', {
      'memory/memory.limit_in_bytes': '9223372036854771712\n',
      'memory/docker/abc/memory.limit_in_bytes': `${8 * GiB}\n`,
      'memory/docker/abc/memory.usage_in_bytes': `${5 * GiB}\n`,
      'memory/docker/abc/memory.stat': `cache 10\ntotal_inactive_file ${GiB}\n`,
    });
    const self = '9:pids:/docker/abc\n4:cpu,memory:/docker/abc\n0::/\n';
    expect(cgroupHeadroom(root, self)).toBe(4 * GiB);
  });

  it("a container's own cgroup mounted as the root is found through the host path", () => {
    const root = tree('v1container', {
      'memory/memory.limit_in_bytes': `${GiB}\n`,
      'memory/memory.usage_in_bytes': `${256 * MiB}\n`,
    });
    expect(cgroupHeadroom(root, '4:memory:/docker/abc\n')).toBe(768 * MiB);
  });

  it('no limit anywhere, no cgroup files, usage above the limit', () => {
    expect(cgroupHeadroom(tree('none', { 'memory/memory.limit_in_bytes': '9223372036854771712\n' }), '4:memory:/x\n')).toBeNull();
    expect(cgroupHeadroom(join(tmp.dir, 'absent'), '0::/a\n4:memory:/a\n')).toBeNull();
    const over = tree('over', { 'a/memory.max': `${GiB}\n`, 'a/memory.current': `${2 * GiB}\n` });
    expect(cgroupHeadroom(over, '0::/a\n')).toBe(0);
  });
});

describe('availableMemory and auto', () => {
  it('caps free memory by the cgroup headroom, and auto streams when Q exceeds half of it', () => {
    expect(availableMemory(16 * GiB, null)).toBe(16 * GiB);
    expect(availableMemory(16 * GiB, 2 * GiB)).toBe(2 * GiB);
    expect(availableMemory(GiB, 2 * GiB)).toBe(GiB);
    const q = 1.5 * GiB;
    expect(chooseLdMemory('auto', q, availableMemory(16 * GiB, null))).toBe('resident');
    expect(chooseLdMemory('auto', q, availableMemory(16 * GiB, 2 * GiB))).toBe('stream');
  });

  it('reads this machine without throwing and never reports more than the free memory', () => {
    const here = cgroupHeadroom();
    expect(here === null || here >= 0).toBe(true);
    expect(availableMemory()).toBeGreaterThan(0);
  });
});
