import { parentPort } from 'node:worker_threads';
import type { RunRequest } from './protocol.js';
import { runModule } from './run-module.js';

// The sandbox worker: one job at a time, each in a fresh WebAssembly instance, so nothing of one
// job can reach the next. The executor kills the whole worker when a job overruns its wall clock.
if (!parentPort) throw new Error('sandbox worker must run in a worker thread');
const port = parentPort;
port.on('message', (request: RunRequest) => {
  port.postMessage(runModule(request));
});
port.postMessage({ ready: true });
