// Worker side of TrialDecryptionPool: trial-decrypts a slice of published outputs with the wallet's
// keys (the same tryDecryptNote a wallet's scanner calls). It imports only what it uses: the
// prover's dependencies must not load in a worker thread (web-worker takes any worker for its own) and answers the positions of those that open.
import { parentPort, workerData } from 'node:worker_threads';
import type { Field } from './field.js';
import type { IncomingViewingKey } from './keys.js';
import { tryDecryptNote } from './note-encryption.js';

export interface TrialRequest {
  readonly id: number;
  readonly envelopes: readonly Uint8Array[];
  readonly commitments: readonly bigint[];
}

export interface TrialResult {
  readonly id: number;
  readonly hits: readonly number[];
  readonly error?: string;
}

const keys = workerData as IncomingViewingKey;

function run(req: TrialRequest): TrialResult {
  const hits: number[] = [];
  for (let i = 0; i < req.envelopes.length; i++) {
    try {
      if (tryDecryptNote(req.envelopes[i]!, keys, req.commitments[i]! as Field)) hits.push(i);
    } catch {
      // A malformed envelope is nobody's note; the scanner skips it the same way.
    }
  }
  return { id: req.id, hits };
}

parentPort!.on('message', (req: TrialRequest) => {
  try {
    parentPort!.postMessage(run(req));
  } catch (e) {
    parentPort!.postMessage({ id: req.id, hits: [], error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
