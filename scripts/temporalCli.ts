// Setup entry (`npm run setup:temporal`, CI): prints the `temporal` CLI's path, building it when absent.
import { ensureTemporalCli } from '../client/temporalCli.js';

try {
  process.stdout.write(`${ensureTemporalCli()}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
