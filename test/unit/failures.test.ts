import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { BadInputError, GuardError } from '../../core/errors.js';
import { toFailure, withFailureMapping } from '../../activities/failures.js';
import { WriteLock } from '../../core/store/writeLock.js';

describe('failure mapping', () => {
  it('makes bad input and guards non-retryable, typed by class', () => {
    const f = toFailure(new BadInputError('gwas.ma', "column 'b': expected a number, got 'x'", 12, 5));
    expect(f).toBeInstanceOf(ApplicationFailure);
    const af = f as ApplicationFailure;
    expect(af.nonRetryable).toBe(true);
    expect(af.type).toBe('BadInputError');
    expect(af.message).toBe("gwas.ma:12:5: column 'b': expected a number, got 'x'");
    expect((toFailure(new GuardError('too many dropped')) as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('leaves other errors to the retry policy', () => {
    const e = new Error('ECONNRESET');
    expect(toFailure(e)).toBe(e);
  });

  it('wraps every activity of an object', async () => {
    const acts = withFailureMapping({
      async ok(x: number) {
        return x + 1;
      },
      async bad() {
        throw new BadInputError('f', 'nope');
      },
    });
    await expect(acts.ok(1)).resolves.toBe(2);
    await expect(acts.bad()).rejects.toMatchObject({ nonRetryable: true, type: 'BadInputError' });
  });
});

describe('write lock', () => {
  it('runs critical sections one at a time, in order, surviving failures', async () => {
    const lock = new WriteLock();
    const log: string[] = [];
    const section = (name: string, ms: number, fail = false) =>
      lock.run(async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([section('a', 20), section('b', 1, true), section('c', 5)]);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
