// Worker entry in plain JS: registers tsx's loader inside the worker thread, then loads the
// TypeScript worker (execArgv loaders do not reach worker threads on every Node version).
import { register } from 'tsx/esm/api';

register();
await import('./trial-decryption-worker.ts');
