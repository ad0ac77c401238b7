import {
  type Address,
  type Commitment,
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  createSolanaRpcSubscriptions,
  getBase64Encoder,
  lamports,
  type PendingRpcRequest,
  type Rpc,
  type RpcSubscriptions,
  type RpcTransport,
  type SolanaRpcApi,
  type SolanaRpcSubscriptionsApi,
} from '@solana/kit';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../../common/index.js';
import { BridgeError } from '../errors.js';
import { classifyRpcFailure, isConnectionLoss } from './classify.js';
import { type BridgeMetrics, bridgeMetrics } from './metrics.js';

export interface BridgeRpcOptions {
  /** HTTP JSON-RPC endpoint (localnet, devnet, mainnet-beta: same code). */
  readonly rpcUrl: string;
  /** WebSocket endpoint; subscriptions are only a wake-up hint, everything works by polling without it. */
  readonly wsUrl?: string;
  /** Replaces the HTTP transport (tests wrap it to inject failures). */
  readonly transport?: RpcTransport;
  /** Deadline of every call, default 10 s. */
  readonly timeoutMs?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
}

const base64 = getBase64Encoder();

/**
 * Methods not sent twice when their connection closes under them: the server may have acted on the
 * first copy, and a faucet would pay twice. Every other method the bridge uses is a read, or
 * sendTransaction, which the cluster deduplicates by signature.
 */
const NOT_RESENT = new Set(['requestAirdrop']);

/**
 * The bridge's only door to Solana: @solana/kit's RPC with a deadline on every call, each failure
 * logged with its method and context, counted in `paraloom_bridge_rpc_failures_total`, and rethrown
 * as a typed BridgeError (RPC_TIMEOUT, RPC_UNAVAILABLE, RPC_ERROR, or the program's own error code).
 */
export class BridgeRpc {
  readonly rpc: Rpc<SolanaRpcApi>;
  readonly subscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi> | undefined;
  readonly metrics: BridgeMetrics;
  readonly timeoutMs: number;
  private readonly log: Logger;

  constructor(readonly options: BridgeRpcOptions) {
    this.rpc = createSolanaRpcFromTransport(
      options.transport ?? createDefaultRpcTransport({ url: options.rpcUrl }),
    ) as Rpc<SolanaRpcApi>;
    this.subscriptions = options.wsUrl ? createSolanaRpcSubscriptions(options.wsUrl) : undefined;
    this.metrics = bridgeMetrics(options.registry);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.logger ?? createLogger('bridge');
  }

  /**
   * Runs one RPC request under the deadline. `method` labels metrics and logs; `context` (signature,
   * height, ...) goes into the log line so an operator can tell which request failed.
   */
  async call<T>(
    method: string,
    build: (rpc: Rpc<SolanaRpcApi>) => PendingRpcRequest<T>,
    context: Record<string, unknown> = {},
  ): Promise<T> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const stopTimer = this.metrics.rpcSeconds.startTimer({ method });
    this.metrics.rpcRequests.inc({ method });
    try {
      try {
        return await build(this.rpc).send({ abortSignal: deadline });
      } catch (e) {
        if (deadline.aborted || NOT_RESENT.has(method) || !isConnectionLoss(e)) throw e;
        // Once, on a fresh connection (undici drops the closed socket), within the same deadline.
        this.metrics.rpcRetries.inc({ method });
        this.log.info(
          { method, ...context, err: e instanceof Error ? e.message : String(e) },
          'rpc connection closed under the call; sending it again',
        );
        return await build(this.rpc).send({ abortSignal: deadline });
      }
    } catch (e) {
      const { error, reason } = classifyRpcFailure(e, method, deadline.aborted, this.timeoutMs);
      this.metrics.rpcFailures.inc({ method, reason });
      // Program errors are often expected (an already-anchored height); they are not outages.
      const level = reason === 'program_error' ? 'info' : 'warn';
      this.log[level](
        { method, reason, code: error.code, ...context, err: error.message },
        'rpc call failed',
      );
      throw error;
    } finally {
      stopTimer();
    }
  }

  /** Lamports of `address` at `commitment`. */
  async balance(address: Address, commitment: Commitment = 'confirmed'): Promise<bigint> {
    const { value } = await this.call('getBalance', (rpc) => rpc.getBalance(address, { commitment }), {
      address,
    });
    return BigInt(value);
  }

  /**
   * A faucet airdrop (localnet, devnet, testnet), waiting (bounded, 20 s) until the balance reaches
   * `amount` at confirmed, where transaction preflight looks.
   */
  async airdrop(address: Address, amount: bigint): Promise<void> {
    await this.call('requestAirdrop', (rpc) => rpc.requestAirdrop(address, lamports(amount)), { address });
    for (let i = 0; i < 100; i++) {
      if ((await this.balance(address)) >= amount) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new BridgeError('CONFIRMATION_TIMEOUT', 'airdrop not confirmed within 20 s', { address });
  }

  /** Account data at `commitment` (null when the account does not exist), with its owner. */
  async accountData(
    address: Address,
    commitment: Commitment,
  ): Promise<{ data: Uint8Array; owner: Address; lamports: bigint } | null> {
    const { value } = await this.call(
      'getAccountInfo',
      (rpc) => rpc.getAccountInfo(address, { commitment, encoding: 'base64' }),
      { address, commitment },
    );
    if (!value) return null;
    return {
      data: new Uint8Array(base64.encode(value.data[0])),
      owner: value.owner,
      lamports: BigInt(value.lamports),
    };
  }

  async slot(commitment: Commitment): Promise<bigint> {
    return BigInt(await this.call('getSlot', (rpc) => rpc.getSlot({ commitment }), { commitment }));
  }
}
