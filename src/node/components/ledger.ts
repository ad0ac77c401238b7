import type { BridgeState } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { LedgerApp, type LedgerExtension, TxRelay } from '../../ledger/index.js';
import {
  BatchVerifierPool,
  type Field,
  fieldFromBytesBE,
  loadVerifyingKeyJson,
  loadWasmPoseidon,
  privacyReady,
  VerifyingKey,
} from '../../privacy/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

export interface LedgerComponentOptions {
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly verifierThreads?: number;
  /**
   * Modules that put entries into blocks, made when the ledger starts (storage and the chain are
   * up by then; components that start later are reached through late-bound callbacks).
   */
  readonly extensions?: readonly (() => LedgerExtension | Promise<LedgerExtension>)[];
}

/**
 * The L2 ledger on this node: a worker-thread proof verifier, the mempool (fed by the ingress and
 * by transaction gossip, re-gossiping what it admits) and block execution. What the mempool needs
 * of Solana comes from the node's chain view, never per transaction: the slot for expirations, and
 * the anchored roots withdrawals may spend from, at `finalized` (a root that could still roll back
 * would let a block finalize a withdrawal the program then refuses).
 */
export class LedgerComponent implements Component {
  readonly name = 'ledger';
  readonly dependsOn = ['storage', 'bridge', 'network', 'validator'];
  private app: LedgerApp | undefined;
  private pool: BatchVerifierPool | undefined;
  private relay: TxRelay | undefined;
  private cleanups: Array<() => void> = [];
  private anchored = new Set<Field>();

  constructor(private readonly options: LedgerComponentOptions) {}

  /** The Solana slot as the chain view last read it. */
  get solanaSlot(): bigint {
    return this.options.bridge.service.view.slot;
  }

  get ledger(): LedgerApp {
    if (!this.app) throw new NodeError('INVALID_STATE', 'ledger is not started');
    return this.app;
  }

  async start(): Promise<void> {
    const o = this.options;
    await privacyReady();
    await loadWasmPoseidon();
    const vk = VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson());
    this.pool = new BatchVerifierPool(vk, { threads: o.verifierThreads ?? 2 });
    await this.pool.start();
    const chain = o.bridge.service.view;
    this.anchored = anchoredRoots(chain.finalizedState);
    this.cleanups.push(chain.on('finalizedState', (state) => (this.anchored = anchoredRoots(state))));
    const relay = new TxRelay({
      network: o.network.network,
      submit: (tx, origin) => this.ledger.submit(tx, origin),
      logger: o.logger,
    });
    this.relay = relay;
    const extensions: LedgerExtension[] = [];
    for (const make of o.extensions ?? []) extensions.push(await make());
    const app = await LedgerApp.open({
      extensions,
      storage: o.storage.storage,
      pool: this.pool,
      registry: o.registry,
      leader: o.validator.service.signer.publicKey,
      isAnchored: (root) => this.anchored.has(root),
      currentSlot: () => chain.slot,
      logger: o.logger,
      mempool: { onAdmitted: (tx, origin) => relay.admitted(tx.bytes, origin) },
    });
    this.app = app;
    await relay.start();
    this.cleanups.push(
      o.readiness.register('ledger', () => ({
        ok: chain.age < 30_000,
        detail: `height ${app.tip.height}, mempool ${app.mempool.size}, chain view ${chain.age} ms old`,
      })),
    );
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    await this.relay?.stop();
    this.relay = undefined;
    await this.app?.close();
    this.app = undefined;
    await this.pool?.stop();
    this.pool = undefined;
  }
}

/** Roots are stored big-endian on chain (the syscalls' order). */
function anchoredRoots(state: BridgeState | undefined): Set<Field> {
  return new Set((state?.anchors ?? []).map((a) => fieldFromBytesBE(a.root)));
}
