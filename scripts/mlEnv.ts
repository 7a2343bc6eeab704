// Setup entry (`npx tsx scripts/mlEnv.ts`, CI): prints the ML worker's python path (last stdout
// line), creating the pinned venv under .tools/ml-venv when absent or stale.
import { ensureMlEnv } from '../client/mlEnv.js';

try {
  process.stdout.write(`${await ensureMlEnv()}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
