// Worker entry: plain JavaScript so Node can start it without a loader, then tsx for the
// TypeScript module named in workerData (the main thread's tsx hooks are not inherited by
// worker threads). `loaded` follows the import, so the module's listeners are in place by then.
// Message shapes: threadMessages.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
parentPort.postMessage({ type: 'loaded' });
