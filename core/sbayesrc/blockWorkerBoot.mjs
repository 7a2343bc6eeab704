// Worker entry: plain JavaScript so Node can start it without a loader, then tsx for the
// TypeScript sampler (the main thread's tsx hooks are not inherited by worker threads).
import { register } from 'tsx/esm/api';

register();
await import('./blockWorker.ts');
