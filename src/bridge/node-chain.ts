import type { Address, Commitment } from '@solana/kit';
import type { Registry } from 'prom-client';
import type { Logger } from '../common/index.js';
import type { BridgeState } from './accounts.js';
import { ChainView } from './chain-view.js';
import { BridgeError } from './errors.js';
import { BridgeRpc } from './rpc/client.js';
import { checkProgramVersion } from './version.js';

/** The chain is not ready when the chain view has not read Solana for this long. */
const CHAIN_VIEW_STALE_MS = 30_000;

/**
 * Waits before each further start-up handshake after Solana did not answer (6 s of waits; each try
 * is also bounded by the RPC deadline). A node started beside a busy or restarting RPC rides out
 * the blip; one that is refused an answer (version mismatch, no program) or cannot reach Solana for
 * longer still stops with the error.
 */
const HANDSHAKE_RETRY_MS = [250, 750, 2_000, 3_000] as const;

async function handshakeAtStart(handshake: () => Promise<BridgeState>, logger: Logger): Promise<BridgeState> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await handshake();
    } catch (err) {
      const transient =
        err instanceof BridgeError && (err.code === 'RPC_UNAVAILABLE' || err.code === 'RPC_TIMEOUT');
      const wait = HANDSHAKE_RETRY_MS[attempt];
      if (!transient || wait === undefined) throw err;
      // The RPC failure itself is already logged and counted by BridgeRpc.
      logger.warn(
        { attempt: attempt + 1, retryInMs: wait, code: err.code },
        'program version handshake: Solana did not answer, retrying',
      );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export interface NodeChainOptions {
  readonly rpcUrl: string;
  readonly rpcTimeoutMs: number;
  readonly programId: Address;
  readonly expectedProgramVersion: number;
  readonly commitment: Commitment;
  readonly cluster: string;
  readonly refreshMs: number;
  readonly registry?: Registry;
  readonly logger: Logger;
}

/**
 * A node's Solana: the RPC client, the program-version handshake before anything else uses the
 * chain, and the node's one ChainView. A mismatch (or a program not deployed / not initialized)
 * fails start() with the BridgeError, so the node does not run against layouts it does not know.
 */
export class NodeChain {
  /** HTTP JSON-RPC (no WebSocket: the chain view polls); holds no connection between calls. */
  readonly rpc: BridgeRpc;
  /** The node's one view of the program's accounts and the slot; reads once start() has passed the handshake. */
  readonly view: ChainView;

  constructor(private readonly o: NodeChainOptions) {
    const metrics = o.registry ? { registry: o.registry } : {};
    this.rpc = new BridgeRpc({ rpcUrl: o.rpcUrl, timeoutMs: o.rpcTimeoutMs, ...metrics, logger: o.logger });
    this.view = new ChainView({
      rpc: this.rpc,
      programId: o.programId,
      commitment: o.commitment,
      refreshMs: o.refreshMs,
      ...metrics,
      logger: o.logger,
    });
  }

  get programId(): Address {
    return this.o.programId;
  }

  async start(): Promise<void> {
    const { o, rpc } = this;
    const handshake = () =>
      checkProgramVersion(rpc, o.programId, { expected: o.expectedProgramVersion, commitment: o.commitment });
    const state = await handshakeAtStart(handshake, o.logger);
    o.logger.info(
      { programId: o.programId, programVersion: state.programVersion, rpc: o.rpcUrl, cluster: o.cluster },
      'program version handshake passed',
    );
    await this.view.start();
  }

  /** Readiness from the view, without an RPC call: read within 30 s, the program the version expected. */
  readiness(): { ok: boolean; detail: string } {
    const view = this.view;
    const version = view.state?.programVersion;
    if (view.age > CHAIN_VIEW_STALE_MS) {
      return { ok: false, detail: `chain view not read for ${Math.round(view.age / 1000)} s` };
    }
    if (version !== this.o.expectedProgramVersion) {
      return { ok: false, detail: `program ${this.o.programId} reports version ${version ?? '(none)'}` };
    }
    return { ok: true, detail: `program ${this.o.programId} version ${version}, slot ${view.slot}` };
  }

  async stop(): Promise<void> {
    await this.view.stop();
  }
}
