// A full disk is a non-retryable DiskFullError naming the file, whichever writer met it.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { DiskFullError } from '../../core/errors.js';
import { toFailure } from '../../activities/failures.js';

describe('disk full → DiskFullError', () => {
  it('keeps the file atomicWrite named', () => {
    const f = toFailure(new DiskFullError('/store/artifacts/runs/r/fold-1/SBayesRC_fold-1.ckpt', 'ENOSPC')) as ApplicationFailure;
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.nonRetryable).toBe(true);
    expect(f.type).toBe('DiskFullError');
    expect(f.message).toMatch(/^\/store\/artifacts\/runs\/r\/fold-1\/SBayesRC_fold-1\.ckpt: disk full \(ENOSPC/);
  });

  it('maps a raw ENOSPC / EDQUOT errno error from any other writer', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const raw = Object.assign(new Error(`${code}: no space left on device, open '/x/ld/snp.info'`), { code, path: '/x/ld/snp.info' });
      const f = toFailure(raw) as ApplicationFailure;
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toMatch(new RegExp(`^/x/ld/snp\\.info: disk full \\(${code}`));
    }
  });

  it('leaves other I/O errors to the retry policy', () => {
    const raw = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    expect(toFailure(raw)).toBe(raw);
  });
});
