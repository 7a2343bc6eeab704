// Setup entry (`npm run setup:seaweedfs`, CI): prints the path of SeaweedFS's `weed` (the S3 test
// server), building it into .tools/bin when absent or of another pinned version.
import { ensureWeed } from '../client/seaweedfs.js';

try {
  process.stdout.write(`${ensureWeed()}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
