import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Lifecycle } from '../common/index.js';
import { PrivacyError } from './errors.js';
import type { Field } from './field.js';
import type { IncomingViewingKey } from './keys.js';
import type { TrialRequest, TrialResult } from './trial-decryption-worker.js';

/** A published output as trial decryption needs it. */
export interface EncryptedOutput {
  readonly commitment: Field;
  readonly envelope: Uint8Array;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (r: TrialResult) => void; reject: (e: unknown) => void }>;
}

/**
 * Worker threads that trial-decrypt published outputs in parallel. Trial decryption (one X25519 and
 * one AEAD per output) is most of a wallet's long sync and needs nothing but the keys, so a sync
 * hands each chunk to the workers while its own thread appends the chunk to the tree frontier; the
 * outputs that open (about 1 % for a busy wallet) are decrypted again by the wallet's scanner.
 * Starting a worker costs about a second, so only long syncs use it.
 */
export class TrialDecryptionPool implements Lifecycle {
  readonly name = 'trial-decryption';
  private slots: Slot[] = [];
  private nextId = 1;

  constructor(
    private readonly keys: IncomingViewingKey,
    private readonly threads = Math.max(1, Math.min(4, availableParallelism())),
  ) {}

  async start(): Promise<void> {
    if (this.slots.length) return;
    const url = new URL('./trial-decryption-entry.mjs', import.meta.url);
    this.slots = await Promise.all(
      Array.from({ length: this.threads }, async () => {
        const worker = new Worker(url, { workerData: this.keys });
        const slot: Slot = { worker, pending: new Map() };
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => {
            worker.off('error', reject);
            resolve();
          });
          worker.once('error', reject);
        });
        worker.on('message', (m: TrialResult) => {
          const p = slot.pending.get(m.id);
          if (!p) return;
          slot.pending.delete(m.id);
          if (m.error) p.reject(new PrivacyError('TRIAL_DECRYPTION_FAILED', m.error));
          else p.resolve(m);
        });
        const failAll = (cause: unknown) => {
          for (const p of slot.pending.values()) {
            p.reject(
              new PrivacyError('TRIAL_DECRYPTION_FAILED', 'trial decryption worker died', {}, { cause }),
            );
          }
          slot.pending.clear();
        };
        worker.on('error', failAll);
        worker.on('exit', (code) => failAll(new Error(`exit ${code}`)));
        return slot;
      }),
    );
  }

  async stop(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** The outputs that decrypt for the keys (what the scanner then keeps), in their order. */
  async opening<O extends EncryptedOutput>(outputs: readonly O[]): Promise<O[]> {
    if (!this.slots.length)
      throw new PrivacyError('TRIAL_DECRYPTION_FAILED', 'the trial decryption pool is not started');
    if (outputs.length === 0) return [];
    const parts = Math.min(this.slots.length, outputs.length);
    const size = Math.ceil(outputs.length / parts);
    const results = await Promise.all(
      this.slots.slice(0, parts).map((slot, p) => {
        const slice = outputs.slice(p * size, (p + 1) * size);
        const request: TrialRequest = {
          id: this.nextId++,
          envelopes: slice.map((o) => o.envelope),
          commitments: slice.map((o) => o.commitment),
        };
        return new Promise<TrialResult>((resolve, reject) => {
          slot.pending.set(request.id, { resolve, reject });
          slot.worker.postMessage(request);
        });
      }),
    );
    return results.flatMap((r, p) => r.hits.map((i) => outputs[p * size + i]!));
  }
}
