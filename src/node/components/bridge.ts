import { type Address, address } from '@solana/kit';
import {
  BridgeError,
  BridgeRpc,
  type BridgeRpc as BridgeRpcType,
  type BridgeState,
  ChainView,
  checkProgramVersion,
} from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';

export interface BridgeComponentOptions {
  readonly config: NodeConfig;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/** Readiness `chain` fails when the chain view has not read Solana for this long. */
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

/**
 * Solana: the bridge's RPC client on `[solana]`, the program-version handshake before anything
 * else uses the chain, and the node's one ChainView (started here, stopped after every component
 * that reads it). A mismatch (or a program not deployed / not initialized) fails start(), so the
 * node stops with the BridgeError's message instead of running against layouts it does not know.
 * Readiness `chain` answers from the view, without an RPC call: read within the last 30 s and the
 * program still the version expected.
 */
export class BridgeComponent implements Component {
  readonly name = 'bridge';
  readonly dependsOn = ['storage'];
  private client: BridgeRpcType | undefined;
  private view: ChainView | undefined;
  private unregister: (() => void) | undefined;
  readonly programId: Address;

  constructor(private readonly options: BridgeComponentOptions) {
    this.programId = address(options.config.solana.programId);
  }

  get rpc(): BridgeRpcType {
    if (!this.client) throw new NodeError('INVALID_STATE', 'bridge is not started');
    return this.client;
  }

  /** The node's one view of the program's accounts and the slot (src/bridge/chain-view.ts). */
  get chain(): ChainView {
    if (!this.view) throw new NodeError('INVALID_STATE', 'bridge is not started');
    return this.view;
  }

  async start(): Promise<void> {
    const { config, registry, readiness, logger } = this.options;
    const s = config.solana;
    // No WebSocket yet: nothing subscribes until the deposit listener is wired in.
    const rpc = new BridgeRpc({ rpcUrl: s.rpcUrl, timeoutMs: s.rpcTimeoutMs, registry, logger });
    const handshake = () =>
      checkProgramVersion(rpc, this.programId, {
        expected: s.expectedProgramVersion,
        commitment: s.commitment,
      });
    const state = await handshakeAtStart(handshake, logger);
    this.client = rpc;
    logger.info(
      { programId: this.programId, programVersion: state.programVersion, rpc: s.rpcUrl, cluster: s.cluster },
      'program version handshake passed',
    );
    const view = new ChainView({
      rpc,
      programId: this.programId,
      commitment: s.commitment,
      refreshMs: s.chainViewRefreshMs,
      registry,
      logger,
    });
    await view.start();
    this.view = view;
    this.unregister = readiness.register('chain', () => {
      const version = view.state?.programVersion;
      if (view.age > CHAIN_VIEW_STALE_MS) {
        return { ok: false, detail: `chain view not read for ${Math.round(view.age / 1000)} s` };
      }
      if (version !== s.expectedProgramVersion) {
        return { ok: false, detail: `program ${this.programId} reports version ${version ?? '(none)'}` };
      }
      return { ok: true, detail: `program ${this.programId} version ${version}, slot ${view.slot}` };
    });
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    await this.view?.stop();
    this.view = undefined;
    // HTTP RPC holds no connection between calls; nothing else to release.
    this.client = undefined;
  }
}
