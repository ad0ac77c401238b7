import { bytesToHex, hexToBytes } from '../common/index.js';
import { MAX_BATCH_TRANSACTIONS } from '../ingress/index.js';
import { type Field, type MerklePath, TREE_DEPTH, toField } from '../privacy/index.js';
import { WalletError } from './errors.js';
import { TreeFrontier } from './frontier.js';
import type { RelayerQuotes } from './relayer-choice.js';
import type { PublishedOutput } from './scanner.js';

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * A transaction's public spend fields, served on its first output: a wallet finds its own spends in
 * them (by nullifier) without ever asking about a note.
 */
export interface OutputTransaction {
  readonly nullifiers: readonly [Field, Field];
  readonly extAmount: bigint;
  readonly fee: bigint;
  readonly refundOwner: Field | undefined;
}

/** Deposits are published without an envelope: their depositor already knows the note. */
export interface IngressOutput extends Omit<PublishedOutput, 'envelope'> {
  readonly envelope: Uint8Array | undefined;
  readonly transaction?: OutputTransaction;
}

interface OutputTransactionJson {
  nullifiers: [string, string];
  extAmount: string;
  fee: string;
  refundOwner: string | null;
}

/**
 * What `read` gives, or undefined when the validator answers 404: a node that does not serve a route
 * (no settlement, no anchors) has nothing to offer, which is not an error for the caller.
 */
export async function unlessNotServed<T>(read: () => Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof WalletError && e.code === 'INGRESS_REJECTED' && e.context.status === 404)
      return undefined;
    throw e;
  }
}

/** A field element the validator sent, as a decimal string; anything else is the validator's fault. */
function servedField(text: unknown, what: string): Field {
  try {
    if (typeof text !== 'string' || !/^\d{1,78}$/.test(text)) throw new Error('not a decimal string');
    return toField(BigInt(text));
  } catch (e) {
    throw new WalletError(
      'INGRESS_REJECTED',
      `the validator sent a malformed ${what}`,
      { what },
      { cause: e },
    );
  }
}

function servedInteger(text: unknown, what: string): bigint {
  if (typeof text !== 'string' || !/^-?\d{1,20}$/.test(text)) {
    throw new WalletError('INGRESS_REJECTED', `the validator sent a malformed ${what}`, { what });
  }
  return BigInt(text);
}

function outputTransaction(t: OutputTransactionJson): OutputTransaction {
  if (!Array.isArray(t.nullifiers) || t.nullifiers.length !== 2) {
    throw new WalletError('INGRESS_REJECTED', 'the validator sent a malformed transaction', {
      what: 'nullifiers',
    });
  }
  return {
    nullifiers: [servedField(t.nullifiers[0], 'nullifier'), servedField(t.nullifiers[1], 'nullifier')],
    extAmount: servedInteger(t.extAmount, 'extAmount'),
    fee: servedInteger(t.fee, 'fee'),
    refundOwner: t.refundOwner === null ? undefined : servedField(t.refundOwner, 'refundOwner'),
  };
}

export interface IngressStatus {
  readonly height: bigint;
  readonly root: Field;
  readonly leafCount: number;
  readonly mempool: number;
  /** The Solana slot as the validator last read it (absent on nodes that do not serve settlement). */
  readonly solanaSlot: bigint | undefined;
}

export interface AnchoredRootView {
  readonly height: bigint;
  readonly root: Field;
  /** Tree size this root is the root of; undefined when the validator lacks that block. */
  readonly leafCount: number | undefined;
}

export interface WithdrawalView {
  readonly state: 'final' | 'approved' | 'settled' | 'expired' | 'refunded';
  readonly height: bigint;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly recipient: string;
  readonly relayer: string;
  readonly expirationSlot: bigint;
  readonly approvalHeight: bigint | undefined;
  /** The approval path `withdraw` needs (present once approved). */
  readonly approval:
    | { readonly height: bigint; readonly index: number; readonly siblings: Field[] }
    | undefined;
  /** The L2 transaction's bytes: with the approval, everything anyone needs to settle it. */
  readonly transaction: Uint8Array | undefined;
  readonly signature: string | undefined;
}

/** One transaction's outcome in a batch submission, in the order it was submitted. */
export type SubmitOutcome =
  | { readonly status: 'admitted'; readonly id: string }
  /** `code` is the ingress's (NULLIFIER_SPENT, PROOF_INVALID, DUPLICATE, INTERNAL, ...). */
  | { readonly status: 'refused'; readonly code: string; readonly message: string };

/** A validator's ingress, as a wallet uses it (see docs/operations.md, "Ingress API"). */
export class IngressClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async status(): Promise<IngressStatus> {
    const s = await this.get<{
      height: string;
      root: string;
      leafCount: number;
      mempool: number;
      solanaSlot?: string | null;
    }>('/v1/status');
    return {
      height: BigInt(s.height),
      root: toField(BigInt(s.root)),
      leafCount: s.leafCount,
      mempool: s.mempool,
      solanaSlot: s.solanaSlot ? BigInt(s.solanaSlot) : undefined,
    };
  }

  /** The chain's anchored roots, oldest first (withdrawals are proven against one of them). */
  async anchors(): Promise<AnchoredRootView[]> {
    const r = await this.get<{
      anchors: Array<{ height: string; root: string; leafCount: string | null }>;
    }>('/v1/anchors');
    return r.anchors.map((a) => ({
      height: BigInt(a.height),
      root: toField(BigInt(a.root)),
      leafCount: a.leafCount === null ? undefined : Number(a.leafCount),
    }));
  }

  /** The last L2 roots (64), oldest first: each the root of a final block. */
  async roots(): Promise<Field[]> {
    const r = await this.get<{ roots: string[] }>('/v1/roots');
    if (!Array.isArray(r.roots)) {
      throw new WalletError('INGRESS_REJECTED', 'ingress returned no root list', { path: '/v1/roots' });
    }
    return r.roots.map((v) => toField(BigInt(v)));
  }

  /** The relayer this validator offers (its Solana address and minimum fee). */
  async relayer(): Promise<{ address: string; minFeeLamports: bigint }> {
    const r = await this.get<{ address: string; minFeeLamports: string }>('/v1/relayer');
    return { address: r.address, minFeeLamports: BigInt(r.minFeeLamports) };
  }

  /** The active relayers and their on-chain fee floors, as this validator reads the chain. */
  async relayers(): Promise<RelayerQuotes> {
    const r = await this.get<{
      self: string | null;
      relayers: Array<{ address: string; fees: Array<{ asset: string; floor: string }> }>;
    }>('/v1/relayers');
    const decimal = (v: unknown): bigint => {
      if (typeof v !== 'string' || !/^\d{1,78}$/.test(v)) {
        throw new WalletError('INGRESS_REJECTED', 'ingress returned a malformed relayer quote', {
          path: '/v1/relayers',
        });
      }
      return BigInt(v);
    };
    if (!Array.isArray(r.relayers)) {
      throw new WalletError('INGRESS_REJECTED', 'ingress returned no relayer list', { path: '/v1/relayers' });
    }
    return {
      self: typeof r.self === 'string' ? r.self : undefined,
      relayers: r.relayers.map((q) => ({
        address: String(q.address),
        fees: (Array.isArray(q.fees) ? q.fees : []).map((f) => ({
          asset: toField(decimal(f.asset)),
          floor: decimal(f.floor),
        })),
      })),
    };
  }

  /** Where a withdrawal stands; undefined until a final block holds it. */
  async withdrawal(nullifier0: Field): Promise<WithdrawalView | undefined> {
    try {
      const w = await this.get<{
        state: WithdrawalView['state'];
        height: string;
        amount: string;
        fee: string;
        recipient: string;
        relayer: string;
        expirationSlot: string;
        signature: string | null;
        approval: { height: string; index: number; siblings: string[] } | null;
        transaction?: string | null;
      }>(`/v1/withdrawals/${nullifier0}`);
      return {
        state: w.state,
        height: BigInt(w.height),
        amount: BigInt(w.amount),
        fee: BigInt(w.fee),
        recipient: w.recipient,
        relayer: w.relayer,
        expirationSlot: BigInt(w.expirationSlot),
        approvalHeight: w.approval ? BigInt(w.approval.height) : undefined,
        approval: w.approval
          ? {
              height: BigInt(w.approval.height),
              index: w.approval.index,
              siblings: w.approval.siblings.map((x) => toField(BigInt(x))),
            }
          : undefined,
        transaction: w.transaction ? hexToBytes(w.transaction) : undefined,
        signature: w.signature ?? undefined,
      };
    } catch (e) {
      if (e instanceof WalletError && e.code === 'INGRESS_REJECTED' && e.context.status === 404)
        return undefined;
      throw e;
    }
  }

  async path(leafIndex: number): Promise<{ root: Field; path: MerklePath }> {
    const p = await this.get<{ root: string; siblings: string[] }>(`/v1/paths/${leafIndex}`);
    if (p.siblings.length !== TREE_DEPTH) {
      throw new WalletError('INGRESS_REJECTED', 'ingress returned a path of the wrong depth', { leafIndex });
    }
    return {
      root: toField(BigInt(p.root)),
      path: { leafIndex, siblings: p.siblings.map((s) => toField(BigInt(s))) },
    };
  }

  /** Every output from `from` on, following pages until the end. */
  async outputsSince(from: number, maxPages = 1_000): Promise<IngressOutput[]> {
    const out: IngressOutput[] = [];
    let next = from;
    for (let page = 0; page < maxPages; page++) {
      const outputs = await this.outputsPage(next, 1000);
      out.push(...outputs);
      if (outputs.length === 0) break;
      next = outputs[outputs.length - 1]!.leafIndex + 1;
    }
    return out;
  }

  /** One page: up to `limit` outputs (the ingress caps it) from leaf `from` on. */
  async outputsPage(from: number, limit: number): Promise<IngressOutput[]> {
    const r = await this.get<{
      outputs: Array<{
        leafIndex: number;
        commitment: string;
        envelope: string | null;
        transaction?: OutputTransactionJson;
      }>;
    }>(`/v1/notes?from=${from}&limit=${limit}`);
    return r.outputs.map((o) => ({
      leafIndex: o.leafIndex,
      commitment: toField(BigInt(o.commitment)),
      envelope: o.envelope === null ? undefined : hexToBytes(o.envelope),
      ...(o.transaction ? { transaction: outputTransaction(o.transaction) } : {}),
    }));
  }

  /**
   * The validator's tree frontier at size `leafCount` (a birthday, an anchored size) and the root it
   * states for that size; the caller checks the root the frontier gives.
   */
  async frontier(leafCount: number): Promise<{ root: Field; frontier: TreeFrontier }> {
    const r = await this.get<{ leafCount: number; root: string; left: (string | null)[] }>(
      `/v1/frontier/${leafCount}`,
    );
    if (r.leafCount !== leafCount || !Array.isArray(r.left)) {
      throw new WalletError('INGRESS_REJECTED', 'ingress answered a frontier for another tree size', {
        path: `/v1/frontier/${leafCount}`,
      });
    }
    return {
      root: toField(BigInt(r.root)),
      frontier: TreeFrontier.of(
        leafCount,
        r.left.map((v) => (v === null ? undefined : toField(BigInt(v)))),
      ),
    };
  }

  /** Roots of the complete subtrees (level, from) .. (level, from + count - 1), at most 1,024. */
  async subtreeRoots(level: number, from: number, count: number): Promise<Field[]> {
    const r = await this.get<{ roots: string[] }>(`/v1/subtrees?level=${level}&from=${from}&count=${count}`);
    if (!Array.isArray(r.roots) || r.roots.length !== count) {
      throw new WalletError('INGRESS_REJECTED', 'ingress answered another number of subtree roots', {
        sent: count,
        got: Array.isArray(r.roots) ? r.roots.length : undefined,
        path: '/v1/subtrees',
      });
    }
    return r.roots.map((v) => toField(BigInt(v)));
  }

  async submit(tx: Uint8Array): Promise<string> {
    const res = await this.request('/v1/transactions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction: bytesToHex(tx) }),
    });
    return (res as { id: string }).id;
  }

  /**
   * Up to MAX_BATCH_TRANSACTIONS transactions in one request (a relayer's or a busy wallet's way to
   * save a round trip each). Each is admitted or refused on its own, as if sent alone; the outcomes
   * come back in order. A request refused whole (rate limit, body size) throws INGRESS_REJECTED.
   */
  async submitMany(txs: readonly Uint8Array[]): Promise<SubmitOutcome[]> {
    if (txs.length === 0 || txs.length > MAX_BATCH_TRANSACTIONS) {
      throw new WalletError(
        'BATCH_SIZE_INVALID',
        `a batch carries 1 to ${MAX_BATCH_TRANSACTIONS} transactions, not ${txs.length}`,
        { count: txs.length, max: MAX_BATCH_TRANSACTIONS },
      );
    }
    const res = (await this.request('/v1/transactions/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transactions: txs.map(bytesToHex) }),
    })) as { results?: Array<{ id?: string; status?: string; error?: { code: string; message: string } }> };
    const results = res.results;
    if (!Array.isArray(results) || results.length !== txs.length) {
      throw new WalletError(
        'INGRESS_REJECTED',
        'ingress answered a batch with a result count that does not match',
        {
          sent: txs.length,
          got: Array.isArray(results) ? results.length : undefined,
          path: '/v1/transactions/batch',
        },
      );
    }
    return results.map((r): SubmitOutcome => {
      if (r.status === 'admitted' && typeof r.id === 'string') return { status: 'admitted', id: r.id };
      return {
        status: 'refused',
        code: r.error?.code ?? 'UNKNOWN',
        message: r.error?.message ?? 'refused without a reason',
      };
    });
  }

  /**
   * A read, sent again once if the connection broke before an answer: a kept-alive socket the
   * server closed just as it was reused resets (ECONNRESET), and a read is safe to repeat. A timeout
   * is not retried.
   */
  private async get<T>(path: string): Promise<T> {
    try {
      return (await this.request(path, { method: 'GET' })) as T;
    } catch (e) {
      const cause = e instanceof WalletError && e.code === 'INGRESS_UNAVAILABLE' ? e.cause : undefined;
      if (cause === undefined || (cause instanceof Error && cause.name === 'TimeoutError')) throw e;
      return (await this.request(path, { method: 'GET' })) as T;
    }
  }

  private async request(path: string, init: RequestInit): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new WalletError(
        'INGRESS_UNAVAILABLE',
        `cannot reach the validator at ${this.baseUrl}`,
        { path },
        { cause: e },
      );
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (!res.ok) {
      const code = body.error?.code ?? `HTTP_${res.status}`;
      throw new WalletError('INGRESS_REJECTED', `${code}: ${body.error?.message ?? res.statusText}`, {
        status: res.status,
        reason: code,
        path,
      });
    }
    return body;
  }
}
