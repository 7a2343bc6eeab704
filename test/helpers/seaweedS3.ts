// A real SeaweedFS S3 server for a test file (started in beforeAll, stopped in afterAll). Tests that
// need S3 fail, never skip, when the `weed` binary has not been built, saying how to build it.
import { findWeed, WEED_SETUP_HINT } from '../../client/seaweedfs.js';
import { type SeaweedS3, startSeaweedS3 } from '../../client/seaweedfsServer.js';
import type { S3StoreOptions } from '../../core/artifacts/s3ArtifactStore.js';

export async function startTestS3(dataDir: string, buckets: string[], ip?: string): Promise<SeaweedS3> {
  const weed = findWeed();
  if (weed === undefined) throw new Error(`this test needs SeaweedFS's weed binary (a real S3 server), which is not built: run ${WEED_SETUP_HINT}`);
  return startSeaweedS3({ weed, dataDir, buckets, ...(ip === undefined ? {} : { ip }) });
}

/** S3ArtifactStore options pointing at a test server. */
export const s3OptionsFor = (s3: SeaweedS3): S3StoreOptions => ({
  endpoint: s3.endpoint,
  region: s3.region,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});
