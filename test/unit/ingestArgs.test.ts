// `pgsflow ingest` arguments: the qualifiers of a --pheno/--covar (columns required numeric, -9),
// and which SDK log lines a CLI session keeps off the terminal by default.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../client/command.js';
import { parseIngestArgs } from '../../client/commands/ingest.js';
import { isReportedFailure } from '../../worker/runtime.js';

describe('ingest arguments', () => {
  it('qualifies the --pheno or --covar before it with the columns it must have as numbers and -9', () => {
    const { inputs } = parseIngestArgs(['--pheno', 'p.tsv', '--pheno-name', 'trait', '--covar', 'c.tsv', '--covar-names', 'age, PC1', '--minus9', 'missing', '--pheno', 'q.tsv', '--minus9', 'value', '--name', 'q']);
    expect(inputs).toEqual([
      { kind: 'pheno', paths: ['p.tsv'], numericColumns: ['trait'] },
      { kind: 'covar', paths: ['c.tsv'], numericColumns: ['age', 'PC1'], missingMinus9: true },
      { kind: 'pheno', paths: ['q.tsv'], missingMinus9: false, name: 'q' },
    ]);
  });

  it('refuses a qualifier without its input, of another kind, or with a bad value', () => {
    for (const argv of [
      ['--pheno-name', 'trait'],
      ['--covar', 'c.tsv', '--pheno-name', 'trait'],
      ['--pheno', 'p.tsv', '--covar-names', 'age'],
      ['--covar', 'c.tsv', '--covar-names', 'age,,PC1'],
      ['--bfile', 'g', '--minus9', 'missing'],
      ['--pheno', 'p.tsv', '--minus9', 'yes'],
    ]) {
      expect(() => parseIngestArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});

describe('SDK log lines a CLI session leaves to the CLI', () => {
  const meta = { sdkComponent: 'worker', workflowId: 'w' };
  it('are workflow failures and non-retryable activity failures (the CLI prints their root cause)', () => {
    expect(isReportedFailure({ level: 'WARN', message: 'Workflow failed', meta: { ...meta, error: {} } })).toBe(true);
    expect(isReportedFailure({ level: 'WARN', message: 'Activity failed', meta: { ...meta, error: { type: 'BadInputError', nonRetryable: true } } })).toBe(true);
  });

  it('are not retried activity failures (crashes) nor other warnings and errors', () => {
    expect(isReportedFailure({ level: 'WARN', message: 'Activity failed', meta: { ...meta, error: new Error('killed') } })).toBe(false);
    expect(isReportedFailure({ level: 'WARN', message: 'Activity failed', meta: { ...meta, error: { nonRetryable: false } } })).toBe(false);
    expect(isReportedFailure({ level: 'ERROR', message: 'Workflow failed', meta })).toBe(false);
    expect(isReportedFailure({ level: 'WARN', message: 'Failed to encode heartbeat details, cancelling Activity', meta })).toBe(false);
  });
});
