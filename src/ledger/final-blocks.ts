/**
 * The ledger's "block final" stream: one event per committed block, in height order, after the
 * block, its certificate and its state changes are synced to storage. It carries the decoded block
 * and its bytes, so a subscriber (withdrawal index, ingress outputs, dashboard) never reads the
 * block back from storage nor decodes it again. Listeners run synchronously on the commit path and
 * must be quick; one that throws or rejects is logged and counted, and neither the commit nor the
 * other listeners notice.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../common/index.js';
import type { Block } from './block.js';

export interface FinalBlock {
  readonly height: bigint;
  readonly hash: Uint8Array;
  /** Decoded once, by the ledger, before executing it. Subscribers must not modify it. */
  readonly block: Block;
  /** The encoding that was executed and stored. */
  readonly bytes: Uint8Array;
  /** The commit certificate stored with it. */
  readonly certificate: Uint8Array;
}

export type FinalBlockListener = (final: FinalBlock) => void | Promise<void>;

const failuresByRegistry = new WeakMap<Registry, Counter<never>>();

function listenerFailures(registry: Registry): Counter<never> {
  let counter = failuresByRegistry.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'paraloom_ledger_final_listener_failures_total',
      help: 'Block-final listeners that threw or rejected (the commit went on; the listener missed that block)',
      registers: [registry],
    });
    failuresByRegistry.set(registry, counter);
  }
  return counter;
}

export class FinalBlockStream {
  private readonly listeners = new Set<FinalBlockListener>();
  private readonly failures: Counter<never>;

  constructor(
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.failures = listenerFailures(registry);
  }

  /** Hears every block committed from now on; returns the unsubscribe. */
  on(listener: FinalBlockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(final: FinalBlock): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(final);
        if (result instanceof Promise) result.catch((err: unknown) => this.failed(err, final));
      } catch (err) {
        this.failed(err, final);
      }
    }
  }

  private failed(err: unknown, final: FinalBlock): void {
    this.failures.inc();
    this.log.warn(
      { err: err instanceof Error ? err.message : String(err), height: `${final.height}` },
      'block-final listener failed',
    );
  }
}
