// The fault-injection suite (test/faults/harness.ts): PGSFLOW_FAULT_TRIALS seeded trials (4 in
// `npm test`, one per kind; `npm run test:faults` runs 20), PGSFLOW_FAULT_SEED picks the plan.
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, inject, it } from 'vitest';
import { FAULT_KINDS, runFaultSuite } from './harness.js';

const trials = Number(process.env.PGSFLOW_FAULT_TRIALS ?? 4);
const seed = Number(process.env.PGSFLOW_FAULT_SEED ?? 20_261_122);

it(`fault injection: ${trials} seeded trials (worker / server SIGKILL, disk full, corrupt checkpoint)`, async () => {
  const r = await runFaultSuite({ temporalCli: inject('temporalCli'), trials, seed });
  console.log(r.table);
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync(`test-artifacts/faults-${trials}.txt`, `${r.table}\n`);
  expect(r.outcomes).toHaveLength(trials);
  if (trials >= FAULT_KINDS.length) {
    for (const k of FAULT_KINDS) expect(r.outcomes.filter((o) => o.kind === k && o.injected).length, `${k} faults injected`).toBeGreaterThan(0);
  }
  for (const o of r.outcomes) {
    const what = `trial ${o.trial} (${o.kind}): ${o.note}`;
    expect(o.completed, what).toBe(true);
    expect(o.identical, what).toBe(true);
    expect(o.duplicates, what).toBe(0);
    expect(o.orphanRows, what).toBe(0);
    expect(o.orphanProcesses, what).toBe(0);
    if (o.kind === 'disk' && o.failure !== null) expect(o.failedClearly, `${what}: ${o.failure}`).toBe(true);
    if (o.corrupted) expect(o.corruptRefused, what).toBe(true);
  }
  expect(r.leftoverProcesses).toBe(0);
}, 3_600_000);
