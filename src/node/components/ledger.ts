import type { Address } from '@solana/kit';
import { decodeBridgeState, findBridgeStatePda } from '../../bridge/index.js';
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
  /** How often the chain view (current slot, anchored roots) is refreshed. */
  readonly chainRefreshMs?: number;
  readonly verifierThreads?: number;
  /**
   * Modules that put entries into blocks, made when the ledger starts (storage and the chain are
   * up by then; components that start later are reached through late-bound callbacks).
   */
  readonly extensions?: readonly (() => LedgerExtension | Promise<LedgerExtension>)[];
}

/**
 * The L2 ledger on this node: a worker-thread proof verifier, the mempool (fed by the ingress and
 * by transaction gossip, re-gossiping what it admits) and block execution. The chain view the
 * mempool needs (current slot for expirations, anchored roots for withdrawals) is refreshed from
 * Solana on a timer rather than fetched per transaction.
 */
export class LedgerComponent implements Component {
  readonly name = 'ledger';
  readonly dependsOn = ['storage', 'bridge', 'network', 'validator'];
  private app: LedgerApp | undefined;
  private pool: BatchVerifierPool | undefined;
  private relay: TxRelay | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cleanups: Array<() => void> = [];
  private slot = 0n;
  private anchored = new Set<Field>();
  private chainViewAt = 0;
  private statePda: Address | undefined;

  constructor(private readonly options: LedgerComponentOptions) {}

  /** The Solana slot as the chain view last read it. */
  get solanaSlot(): bigint {
    return this.slot;
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
    await this.refreshChainView();
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
      leader: o.validator.signer.publicKey,
      isAnchored: (root) => this.anchored.has(root),
      currentSlot: () => this.slot,
      logger: o.logger,
      mempool: { onAdmitted: (tx, origin) => relay.admitted(tx.bytes, origin) },
    });
    this.app = app;
    await relay.start();
    this.timer = setInterval(() => {
      this.refreshChainView().catch((err: unknown) => o.logger.warn({ err }, 'chain view refresh failed'));
    }, o.chainRefreshMs ?? 1000);
    this.cleanups.push(
      o.readiness.register('ledger', () => ({
        ok: Date.now() - this.chainViewAt < 30_000,
        detail: `height ${app.tip.height}, mempool ${app.mempool.size}, chain view ${Date.now() - this.chainViewAt} ms old`,
      })),
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.cleanups.splice(0)) c();
    await this.relay?.stop();
    this.relay = undefined;
    await this.app?.close();
    this.app = undefined;
    await this.pool?.stop();
    this.pool = undefined;
  }

  private async refreshChainView(): Promise<void> {
    const rpc = this.options.bridge.rpc;
    this.statePda ??= (await findBridgeStatePda(this.options.bridge.programId))[0];
    const statePda = this.statePda;
    const [slot, account] = await Promise.all([
      rpc.slot('confirmed'),
      rpc.accountData(statePda, 'finalized'),
    ]);
    this.slot = slot;
    if (account) {
      // Roots are stored big-endian on chain (the syscalls' order).
      this.anchored = new Set(decodeBridgeState(account.data).anchors.map((a) => fieldFromBytesBE(a.root)));
    }
    this.chainViewAt = Date.now();
  }
}
