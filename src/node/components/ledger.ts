import { writeSync } from 'node:fs';
import { getAddressDecoder } from '@solana/kit';
import { readFinalizedNullifiers } from '../../bridge/index.js';
import { LedgerApp, type LedgerExtension, TxRelay } from '../../ledger/index.js';
import {
  BatchVerifierPool,
  fieldToBytesBE,
  loadVerifyingKeyJson,
  loadWasmPoseidon,
  privacyReady,
  VerifyingKey,
} from '../../privacy/index.js';
import type { SnapshotServer } from '../../snapshot/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export interface LedgerComponentOptions extends Omit<Wiring, 'config'> {
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
  readonly verifierThreads?: number;
  /** ledger.spend_root_window_ms (cohort-wide); the ledger's default when unset. */
  readonly spendRootWindowMs?: number;
  /** Modules that put entries into blocks, made when the ledger starts (storage and the chain are up). */
  readonly extensions?: readonly (() => LedgerExtension | Promise<LedgerExtension>)[];
  /** Joining by snapshot, before the ledger opens its state (src/node/components/snapshot.ts). */
  readonly join?: () => Promise<void>;
  /** The snapshot server, started once the ledger is open. */
  readonly snapshotServer?: () => SnapshotServer;
}

/**
 * The L2 ledger on this node: a worker-thread proof verifier, the mempool (fed by the ingress and
 * by transaction gossip, re-gossiping what it admits) and block execution. What the mempool needs
 * of Solana comes from the node's chain view, never per transaction: the slot for expirations, and
 * the anchored roots withdrawals may spend from, at `finalized` (a root that could still roll back
 * would let a block finalize a withdrawal the program then refuses), and for refunds the finalized
 * slot; the nullifier records a refund depends on are read from this node's own RPC.
 */
export class LedgerComponent implements Component {
  readonly name = 'ledger';
  readonly dependsOn = ['storage', 'bridge', 'network', 'validator'];
  private app: LedgerApp | undefined;
  private pool: BatchVerifierPool | undefined;
  private relay: TxRelay | undefined;
  private snapshots: SnapshotServer | undefined;
  private cleanups: Array<() => void> = [];

  constructor(private readonly o: LedgerComponentOptions) {}

  /**
   * PARALOOM_FAULT_CRASH_IN_COMMIT=1 (fault harness only): after a SIGUSR2, the next block commit
   * SIGKILLs this process between its storage batch and the rest of the commit.
   */
  private readonly crashInCommit = ((): ((height: bigint) => void) | undefined => {
    if (process.env.PARALOOM_FAULT_CRASH_IN_COMMIT !== '1') return undefined;
    let armed = false;
    process.on('SIGUSR2', () => {
      armed = true;
    });
    return (height) => {
      if (!armed) return;
      // Written synchronously: the process dies on the next line.
      writeSync(2, `fault injection: SIGKILL in mid-commit of height ${height}\n`);
      process.kill(process.pid, 'SIGKILL');
    };
  })();

  /** The Solana slot as the chain view last read it. */
  get solanaSlot(): bigint {
    return this.o.bridge.service.view.slot;
  }

  /** The ledger while it runs, else undefined. */
  get running(): LedgerApp | undefined {
    return this.app;
  }

  get ledger(): LedgerApp {
    if (!this.app) throw new NodeError('INVALID_STATE', 'ledger is not started');
    return this.app;
  }

  async start(): Promise<void> {
    const o = this.o;
    await privacyReady();
    await loadWasmPoseidon();
    const vk = VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson());
    const pool = new BatchVerifierPool(vk, { threads: o.verifierThreads ?? 2 });
    this.pool = pool;
    await pool.start();
    const node = o.bridge.service;
    const chain = node.view;
    const addressOf = getAddressDecoder();
    const relay = new TxRelay({
      network: o.network.network,
      submit: (tx, origin) => this.ledger.submit(tx, origin),
      logger: o.logger,
    });
    this.relay = relay;
    await o.join?.();
    const extensions: LedgerExtension[] = [];
    for (const make of o.extensions ?? []) extensions.push(await make());
    const app = await LedgerApp.open({
      extensions,
      storage: o.storage.storage,
      pool,
      registry: o.registry,
      leader: o.validator.service.signer.publicKey,
      isAnchored: (root) => chain.anchoredRoots.has(root),
      currentSlot: () => chain.slot,
      relayerFloor: (relayer, asset) => chain.relayerFloor(addressOf.decode(relayer), fieldToBytesBE(asset)),
      // Refunds: the proposer filters by the view's finalized slot; every check reads this node's RPC.
      refunds: {
        finalizedSlot: () => chain.finalizedSlot,
        readNullifiers: (nullifiers) => readFinalizedNullifiers(node.rpc, node.programId, nullifiers),
      },
      ...(o.spendRootWindowMs !== undefined ? { spendRootWindowMs: o.spendRootWindowMs } : {}),
      logger: o.logger,
      mempool: { onAdmitted: (tx, origin) => relay.admitted(tx.bytes, origin) },
      ...(this.crashInCommit ? { afterBlockStored: this.crashInCommit } : {}),
    });
    this.app = app;
    await relay.start();
    this.snapshots = o.snapshotServer?.();
    await this.snapshots?.start();
    this.cleanups.push(
      o.readiness.register('ledger', () => ({
        ok: chain.age < 30_000,
        detail: `height ${app.tip.height}, mempool ${app.mempool.size}, chain view ${chain.age} ms old`,
      })),
    );
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    await this.snapshots?.stop();
    this.snapshots = undefined;
    await this.relay?.stop();
    this.relay = undefined;
    await this.app?.close();
    this.app = undefined;
    await this.pool?.stop();
    this.pool = undefined;
  }
}
