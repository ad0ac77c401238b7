import { type Address, address } from '@solana/kit';
import {
  BridgeError,
  BridgeRpc,
  type BridgeRpc as BridgeRpcType,
  type BridgeState,
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

/** A readiness answer is reused this long, so frequent scrapes do not each cost an RPC call. */
const CHAIN_CHECK_CACHE_MS = 1_000;

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
 * Solana: the bridge's RPC client on `[solana]`, and the program-version handshake before anything
 * else uses the chain. A mismatch (or a program not deployed / not initialized) fails start(), so the
 * node stops with the BridgeError's message instead of running against layouts it does not know.
 * Readiness `chain` re-runs the handshake: Solana reachable and the program still the version expected.
 */
export class BridgeComponent implements Component {
  readonly name = 'bridge';
  readonly dependsOn = ['storage'];
  private client: BridgeRpcType | undefined;
  private unregister: (() => void) | undefined;
  readonly programId: Address;

  constructor(private readonly options: BridgeComponentOptions) {
    this.programId = address(options.config.solana.programId);
  }

  get rpc(): BridgeRpcType {
    if (!this.client) throw new NodeError('INVALID_STATE', 'bridge is not started');
    return this.client;
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
    let cached: { at: number; result: { ok: boolean; detail: string } } | undefined;
    this.unregister = readiness.register('chain', async () => {
      if (cached && Date.now() - cached.at < CHAIN_CHECK_CACHE_MS) return cached.result;
      let result: { ok: boolean; detail: string };
      try {
        const st = await handshake();
        result = { ok: true, detail: `program ${this.programId} version ${st.programVersion}` };
      } catch (err) {
        result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      cached = { at: Date.now(), result };
      return result;
    });
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    // HTTP RPC holds no connection between calls; nothing else to release.
    this.client = undefined;
  }
}
