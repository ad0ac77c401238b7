import { type Address, address as toAddress } from '@solana/kit';
import type { WebSocket } from 'ws';
import type { Commitment, LocalChain, TransactionRecord } from './chain.js';
import { RPC_INVALID_PARAMS, RpcError } from './errors.js';
import { stringifyJson } from './json.js';
import { encodeAccount } from './rpc-methods.js';

type Kind = 'slot' | 'signature' | 'logs' | 'account';

interface Subscription {
  readonly id: number;
  readonly socket: WebSocket;
  readonly kind: Kind;
  readonly commitment: Commitment;
  readonly signature?: string;
  readonly mentions?: Address | 'all';
  readonly account?: Address;
  readonly config: Record<string, unknown>;
}

const NOTIFICATION: Record<Kind, string> = {
  slot: 'slotNotification',
  signature: 'signatureNotification',
  logs: 'logsNotification',
  account: 'accountNotification',
};
const MAX_SUBSCRIPTIONS_PER_SOCKET = 256;

function commitmentOf(c: Record<string, unknown>): Commitment {
  const v = c.commitment ?? 'finalized';
  if (v !== 'processed' && v !== 'confirmed' && v !== 'finalized')
    throw new RpcError(RPC_INVALID_PARAMS, 'Invalid params: commitment');
  return v;
}

function configAt(params: readonly unknown[], i: number): Record<string, unknown> {
  const c = params[i];
  return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

function parseAddress(v: unknown): Address {
  try {
    return toAddress(String(v));
  } catch {
    throw new RpcError(RPC_INVALID_PARAMS, 'Invalid params: address');
  }
}

/** WebSocket subscriptions: slot, signature, logs (mentions) and account, each at its commitment. */
export class SubscriptionHub {
  private nextId = 1;
  private readonly subs = new Map<number, Subscription>();

  constructor(private readonly chain: LocalChain) {
    chain.on('slot', (slot: bigint) => {
      for (const s of this.subs.values()) {
        if (s.kind === 'slot') this.notify(s, { parent: slot - 1n, root: chain.slotAt('finalized'), slot });
      }
    });
    chain.on('transaction', (record: TransactionRecord) => this.reached('processed', [record]));
    chain.on('commitment', (level: Commitment, from: bigint, to: bigint) => {
      if (to > from) this.reached(level, chain.transactionsInSlots(from, to));
    });
  }

  get size(): number {
    return this.subs.size;
  }

  /** Handles `<kind>Subscribe` / `<kind>Unsubscribe`; returns the result, or undefined if not a subscription method. */
  handle(
    socket: WebSocket,
    method: string,
    params: readonly unknown[],
  ): { result: unknown; after?: () => void } | undefined {
    const un = /^(slot|signature|logs|account)Unsubscribe$/.exec(method);
    if (un) {
      const id = Number(params[0]);
      const sub = this.subs.get(id);
      if (!sub || sub.socket !== socket) throw new RpcError(RPC_INVALID_PARAMS, 'Invalid subscription id.');
      this.subs.delete(id);
      return { result: true };
    }
    const m = /^(slot|signature|logs|account)Subscribe$/.exec(method);
    if (!m) return undefined;
    if ([...this.subs.values()].filter((s) => s.socket === socket).length >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new RpcError(RPC_INVALID_PARAMS, 'Too many subscriptions on this connection');
    }
    const kind = m[1] as Kind;
    const id = this.nextId++;
    let sub: Subscription;
    if (kind === 'slot') {
      sub = { id, socket, kind, commitment: 'processed', config: {} };
    } else if (kind === 'signature') {
      if (typeof params[0] !== 'string') throw new RpcError(RPC_INVALID_PARAMS, 'Invalid params: signature');
      const config = configAt(params, 1);
      sub = { id, socket, kind, commitment: commitmentOf(config), signature: params[0], config };
    } else if (kind === 'logs') {
      const filter = params[0];
      const config = configAt(params, 1);
      let mentions: Address | 'all';
      if (filter === 'all' || filter === 'allWithVotes') mentions = 'all';
      else if (
        filter &&
        typeof filter === 'object' &&
        Array.isArray((filter as { mentions?: unknown }).mentions)
      ) {
        const list = (filter as { mentions: unknown[] }).mentions;
        if (list.length !== 1)
          throw new RpcError(RPC_INVALID_PARAMS, 'Invalid Request: Only 1 address supported');
        mentions = parseAddress(list[0]);
      } else throw new RpcError(RPC_INVALID_PARAMS, 'Invalid params: logs filter');
      sub = { id, socket, kind, commitment: commitmentOf(config), mentions, config };
    } else {
      const config = configAt(params, 1);
      sub = { id, socket, kind, commitment: commitmentOf(config), account: parseAddress(params[0]), config };
    }
    this.subs.set(id, sub);
    const after = () => {
      // A signature already at the requested commitment is reported at once.
      if (sub.kind === 'signature') {
        const record = this.chain.transaction(sub.signature!);
        if (record && record.slot <= this.chain.slotAt(sub.commitment)) this.signatureReached(sub, record);
      }
    };
    return { result: id, after };
  }

  dropSocket(socket: WebSocket): void {
    for (const [id, s] of this.subs) if (s.socket === socket) this.subs.delete(id);
  }

  private reached(level: Commitment, records: readonly TransactionRecord[]): void {
    if (records.length === 0) return;
    for (const sub of [...this.subs.values()]) {
      if (sub.commitment !== level) continue;
      for (const record of records) {
        if (sub.kind === 'signature' && record.signature === sub.signature)
          this.signatureReached(sub, record);
        else if (
          sub.kind === 'logs' &&
          (sub.mentions === 'all' || record.accountKeys.includes(sub.mentions!))
        ) {
          this.notify(sub, {
            context: { slot: record.slot },
            value: { signature: record.signature, err: record.err, logs: record.logs },
          });
        } else if (sub.kind === 'account') {
          const i = record.accountKeys.indexOf(sub.account!);
          if (i >= 0 && record.writable[i]) {
            const account = this.chain.account(sub.account!, level);
            this.notify(sub, {
              context: { slot: record.slot },
              value: account ? encodeAccount(account, sub.config) : null,
            });
          }
        }
      }
    }
  }

  private signatureReached(sub: Subscription, record: TransactionRecord): void {
    this.notify(sub, { context: { slot: record.slot }, value: { err: record.err } });
    this.subs.delete(sub.id);
  }

  private notify(sub: Subscription, result: unknown): void {
    if (sub.socket.readyState !== sub.socket.OPEN) return;
    sub.socket.send(
      stringifyJson({
        jsonrpc: '2.0',
        method: NOTIFICATION[sub.kind],
        params: { result, subscription: sub.id },
      }),
    );
  }
}
