// S3 mode around every compute call (contracts/artifactExchange.ts): the store worker publishes
// the call's inputs, the compute activity (on any host) gets the manifest as an extra last
// argument and answers with its result and the files it wrote, which the store worker fetches
// back to the paths the workflow named. In file mode the proxies are used as they are.
import { ApplicationFailure } from '@temporalio/workflow';
import { type ArtifactExchangeActivities, argumentPaths, isExchangedResult } from '../contracts/artifactExchange.js';

type AsyncFn = (...args: unknown[]) => Promise<unknown>;

export function exchangedThroughArtifacts<T extends object>(compute: T, store: ArtifactExchangeActivities): T {
  return new Proxy(compute, {
    get(target, name) {
      const fn = (target as Record<string | symbol, unknown>)[name];
      if (typeof name !== 'string' || typeof fn !== 'function') return fn;
      return async (...args: unknown[]) => {
        const { manifest } = await store.publishInputs(args);
        const answer = await (fn as AsyncFn)(...args, { artifactManifest: manifest });
        if (!isExchangedResult(answer)) {
          throw ApplicationFailure.create({
            type: 'ConfigError',
            nonRetryable: true,
            message: `${name} answered without its files: the compute worker that ran it exchanges through a shared folder; in S3 mode start every compute worker with --artifacts s3://…`,
          });
        }
        await store.fetchOutputs(answer.outputs, argumentPaths(args).outputs);
        return answer.result;
      };
    },
  });
}
