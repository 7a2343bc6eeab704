// The Python ML worker's own suite (ml/tests, pytest) as part of `npm test`: models against
// closed forms and planted truths, no held-out leakage, byte-identical reruns, and the worker on a
// real dev server (bad input not retried, SIGKILL mid-fit retried on a new worker). Runs in the
// pinned venv the global setup provides; the temporal CLI is the one the other tests use.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { mlWorkerEnv } from '../../client/mlWorkerProcess.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('ML worker (pytest)', () => {
  it('ml/tests pass, none skipped', () => {
    const r = spawnSync(inject('mlPython'), ['-m', 'pytest', 'ml/tests', '-q', '-rs', '-p', 'no:cacheprovider'], {
      cwd: ROOT,
      env: { ...mlWorkerEnv(), TEMPORAL_CLI_PATH: inject('temporalCli') },
      encoding: 'utf8',
      timeout: 900_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) console.error(out);
    expect(r.status, out.slice(-3000)).toBe(0);
    const summary = /(\d+) passed/.exec(out);
    expect(Number(summary?.[1] ?? 0)).toBeGreaterThanOrEqual(10);
    expect(out).not.toMatch(/\d+ skipped/);
  }, 900_000);
});
