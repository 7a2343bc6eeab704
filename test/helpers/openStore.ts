// Child process for the lock test: tries to open a store another process holds.
import { Store } from '../../core/store/store.js';

const dir = process.argv[2];
if (!dir) process.exit(2);
try {
  (await Store.open(dir)).close();
  process.stdout.write('opened\n');
  process.exit(0);
} catch (e) {
  process.stdout.write(`${(e as Error).name}: ${(e as Error).message}\n`);
  process.exit(3);
}
