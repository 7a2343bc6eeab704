// `pgsflow worker --compute-only --artifacts DIR` (issue 22, file mode): outputs outside DIR are
// refused with a message naming both paths; a missing folder and misplaced flags are refused
// before anything connects.
import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { artifactOutputsOf, guardArtifactFolder, isInside } from '../../worker/artifactFolderGuard.js';
import { runCli } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('computeonly');
afterAll(() => tmp.cleanup());

describe('compute-only worker, file mode', () => {
  it('finds the output paths of activity requests', () => {
    expect(artifactOutputsOf([{ sumstats: '/a/s.ma', ld: '/in/ld', out: '/a/runs/r/fold-1/SBayesRC_fold-1', resumeFrom: '/a/runs/q/fold-1/x' }])).toEqual([
      '/a/runs/r/fold-1/SBayesRC_fold-1',
      '/a/runs/q/fold-1/x',
    ]);
    expect(artifactOutputsOf([{ outTrain: '/a/t.ma', outValid: '/a/v.ma' }, '/x'])).toEqual(['/a/t.ma', '/a/v.ma']);
    expect(artifactOutputsOf(['text', null, [1]])).toEqual([]);
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
  });

  it('runs activities writing inside the folder; refuses others, naming both paths', async () => {
    const calls: string[] = [];
    const acts = guardArtifactFolder(
      {
        async fitSbayesrc(req: { out: string }): Promise<string> {
          calls.push(req.out);
          return 'ok';
        },
      },
      '/shared/store/artifacts',
    );
    await expect(acts.fitSbayesrc({ out: '/shared/store/artifacts/runs/r/fold-1/SBayesRC_fold-1' })).resolves.toBe('ok');
    const refused = acts.fitSbayesrc({ out: '/home/me/store/artifacts/runs/r/fold-1/SBayesRC_fold-1' });
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(
      /--artifacts \/shared\/store\/artifacts, but the study writes \/home\/me\/store\/artifacts\/runs\/r\/fold-1\/SBayesRC_fold-1, outside it.*artifacts folder at the same path as the store worker/,
    );
    expect(calls).toEqual(['/shared/store/artifacts/runs/r/fold-1/SBayesRC_fold-1']);
  });

  it('refuses a missing folder and misplaced flags before connecting', () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const missing = runCli(['worker', '--compute-only', '--artifacts', `${tmp.dir}/not-mounted`], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--artifacts: .*not-mounted is not a folder on .*mount the store's artifacts folder there/);
    const cacheWithoutS3 = runCli(['worker', '--compute-only', '--cache', `${tmp.dir}/cache`], env);
    expect(cacheWithoutS3.status).toBe(2);
    expect(cacheWithoutS3.stderr).toMatch(/--cache goes with --artifacts s3:\/\/… \(S3 mode\)/);
    const badS3 = runCli(['worker', '--compute-only', '--artifacts', 's3://B_ad/prefix'], env);
    expect(badS3.status).not.toBe(0);
    expect(badS3.stderr).toMatch(/is not an S3 bucket name/);
    const studyFileMode = runCli(['study', 'run', `${tmp.dir}/none.json`, '--artifacts', `${tmp.dir}/art`], env);
    expect(studyFileMode.status).toBe(2);
    expect(studyFileMode.stderr).toMatch(/--artifacts takes s3:\/\/bucket\/prefix \(S3 mode\)/);
    mkdirSync(`${tmp.dir}/art`);
    const noCompute = runCli(['worker', '--artifacts', `${tmp.dir}/art`], env);
    expect(noCompute.status).toBe(2);
    expect(noCompute.stderr).toMatch(/--artifacts DIR goes with --compute-only/);
    const badCert = runCli(['worker', '--compute-only', '--tls-cert', `${tmp.dir}/none.crt`, '--tls-key', `${tmp.dir}/none.key`], env);
    expect(badCert.status).toBe(1);
    expect(badCert.stderr).toContain(`--tls-cert (TEMPORAL_TLS_CERT): cannot read the client certificate ${tmp.dir}/none.crt: no such file`);
  });
});
