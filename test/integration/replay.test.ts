// Replays recorded histories against the current workflow code: a change that would break
// running or resumable studies (nondeterminism) fails here, in CI, before it ships.
// Re-record after an intended, patched() change: PGSFLOW_RECORD_HISTORIES=1 npx vitest run
// test/integration/workflow.test.ts test/integration/studyWorkflow.test.ts
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/workers.js';

const dir = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('%s replays deterministically on the current code', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(`${dir}${file}`, 'utf8')));
    // `type@workflow~id.json` carries the recorded workflow id (children's ids derive from it).
    const at = file.indexOf('@');
    const workflowId = at < 0 ? file : file.slice(at + 1, -'.json'.length).replaceAll('~', '/');
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId)).resolves.toBeUndefined();
  });
});
