// Pure parts of `pgsflow audit`: the headline metric per design, diffs of two runs, the canonical
// row-set hash (order-independent, sensitive to any value), and argument parsing.
import { describe, expect, it } from 'vitest';
import { headlineOf } from '../../core/runRecords/auditData.js';
import { RowSetHash } from '../../core/provenance/tableHash.js';
import { diffRuns, flatten } from '../../client/audit/auditDiff.js';
import { parseAuditArgs } from '../../client/commands/audit.js';
import type { AuditRun } from '../../contracts/runRecords.js';

const metric = (scope: string, method: string, value: number) => ({ scope, method, metric: 'r2', value, se: 0.01, n: 3 });

function run(id: string, patch: { seed?: number; git?: string; value?: number; sha?: string }): AuditRun {
  return {
    run: { runId: id, name: id, design: 'cross-validation', status: 'completed', temporalRunId: null, resumedFrom: null, startedAt: '', finishedAt: null, durationSeconds: null, studyPath: null, studySha256: null, studyJson: null, codeVersion: null, summary: null },
    code: { codeVersion: '0.1.0', packageVersion: '0.1.0', gitCommit: patch.git ?? 'abc', lockfileSha256: 'f'.repeat(64) },
    host: { host: 'h' },
    resolvedStudy: { name: id, seed: patch.seed ?? 1, qc: { maf: 0.01 }, design: { folds: [1, 2] } },
    inputs: [{ key: 'pheno', sha256: 'x', files: [{ path: '/p.tsv', bytes: 10, sha256: patch.sha ?? 'a'.repeat(64) }] }],
    datasets: [],
    steps: [],
    qc: [],
    fits: [],
    metrics: [metric('folds', 'SBayesRC', patch.value ?? 0.4)],
    outputs: [],
    histories: [],
  };
}

describe('audit', () => {
  it('picks the headline metric by design', () => {
    const rows = [metric('folds', 'SBayesR', 0.3), metric('folds', 'SBayesRC', 0.4), metric('combined', 'SBayesRC-multi', 0.2)];
    expect(headlineOf('cross-validation', rows)).toEqual({ label: 'mean r2 over folds (SBayesRC)', value: 0.4, se: 0.01 });
    expect(headlineOf('cross-validation', rows.slice(0, 1))?.label).toBe('mean r2 over folds (SBayesR)');
    expect(headlineOf('cross-ancestry', rows)).toEqual({ label: 'combined r2 (SBayesRC-multi, test samples)', value: 0.2, se: 0.01 });
    expect(headlineOf('cross-ancestry', [])).toBeNull();
  });

  it('diffs parameters, code, inputs and metrics', () => {
    const d = diffRuns(run('a', {}), run('b', { seed: 2, git: 'def', value: 0.5, sha: 'b'.repeat(64) }));
    expect(d.parameters).toEqual([
      { what: 'name', a: 'a', b: 'b' },
      { what: 'seed', a: '1', b: '2' },
    ]);
    expect(d.code).toEqual([{ what: 'git commit', a: 'abc', b: 'def' }]);
    expect(d.inputs.map((r) => r.what)).toEqual(['pheno /p.tsv']);
    expect(d.metrics).toEqual([{ what: 'folds SBayesRC r2', a: '0.4000', b: '0.5000 (+0.1000)' }]);
    expect(diffRuns(run('a', {}), run('a', {})).parameters).toEqual([]);
  });

  it('flattens nested objects to dotted paths, arrays of scalars as one value', () => {
    expect([...flatten({ a: { b: 1, c: [1, 2] }, d: null })]).toEqual([['a.b', 1], ['a.c', [1, 2]], ['d', null]]);
  });

  it('hashes row sets independently of order and sensitively to every value', () => {
    const h = (rows: unknown[][]) => {
      const x = new RowSetHash();
      for (const r of rows) x.add(r);
      return x.finish();
    };
    const a = h([['rs1', 'A', 0.1, 0.01, 0.5], ['rs2', 'C', -0.2, 0.02, 1]]);
    expect(h([['rs2', 'C', -0.2, 0.02, 1], ['rs1', 'A', 0.1, 0.01, 0.5]])).toEqual(a);
    expect(a.rows).toBe(2);
    expect(h([['rs1', 'A', 0.1, 0.01, 0.5], ['rs2', 'C', -0.2, 0.02, 0.9999999]]).sha256).not.toBe(a.sha256);
    expect(h([['rs1', 'A', 0.1, 0.01, 0.5]]).sha256).not.toBe(a.sha256);
    expect(h([[null, 1n]]).sha256).toBe(h([[undefined, 1]]).sha256);
  });

  it('parses subcommands', () => {
    expect(parseAuditArgs([])).toEqual({ sub: 'list' });
    expect(parseAuditArgs(['r1'])).toEqual({ sub: 'show', run: 'r1' });
    expect(parseAuditArgs(['verify', 'r1'])).toEqual({ sub: 'verify', run: 'r1' });
    expect(parseAuditArgs(['diff', 'a', 'b'])).toEqual({ sub: 'diff', a: 'a', b: 'b' });
    expect(() => parseAuditArgs(['diff', 'a'])).toThrow(/RUN1 RUN2/);
    expect(() => parseAuditArgs(['r1', 'r2'])).toThrow(/unexpected/);
  });
});
