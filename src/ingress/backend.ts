import type { Field, MerklePath } from '../privacy/index.js';

/**
 * The public part of a transaction that a wallet needs to recognise its own spends without asking
 * about them: its nullifiers, its public amount and fee, and a withdrawal's refund owner key. All of
 * it is in the L2 block already; serving it to every syncing wallet alike says nothing about any one.
 */
export interface PublishedTransaction {
  readonly nullifiers: readonly [Field, Field];
  readonly extAmount: bigint;
  readonly fee: bigint;
  readonly refundOwner: Field | undefined;
}

/**
 * One published output: where it sits in the tree, its commitment, its envelope (none for deposits),
 * and, on a transaction's first output only, that transaction's public spend fields.
 */
export interface OutputRecord {
  readonly leafIndex: number;
  readonly commitment: Field;
  readonly envelope: Uint8Array | undefined;
  readonly transaction?: PublishedTransaction;
}

export type SubmitResult =
  | { readonly ok: true; readonly id: Uint8Array }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

/** What the ingress serves, independent of how the node stores it. */
export interface IngressBackend {
  submit(tx: Uint8Array): Promise<SubmitResult>;
  status(): Promise<{ height: bigint; root: Field; leafCount: number; mempool: number }>;
  /** Oldest first; the last is the current root. */
  roots(): Promise<readonly Field[]>;
  path(leafIndex: number): Promise<{ root: Field; path: MerklePath } | undefined>;
  outputs(fromLeaf: number, limit: number): Promise<readonly OutputRecord[]>;
  /**
   * The tree's frontier at an earlier size (left[l]: the complete node left of the path of leaf
   * `leafCount`, where that size has bit l) and the root of that size; undefined past the tree's size.
   */
  frontier(leafCount: number): Promise<{ root: Field; left: readonly (Field | undefined)[] } | undefined>;
  /** Roots of complete subtrees (level, from) .. (level, from + count - 1); undefined if one is not complete. */
  subtreeRoots(level: number, from: number, count: number): Promise<readonly Field[] | undefined>;
}

/** An anchored root a withdrawal can be proven against (leafCount: the tree size it is the root of). */
export interface AnchorRecord {
  readonly height: bigint;
  readonly root: Field;
  readonly leafCount: bigint | undefined;
  readonly withdrawalsRoot: Field;
  readonly blockHash: Uint8Array;
}

export interface WithdrawalRecord {
  readonly state: 'final' | 'approved' | 'settled' | 'expired' | 'refunded';
  readonly txId: string;
  readonly height: bigint;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly recipient: string;
  readonly relayer: string;
  readonly expirationSlot: bigint;
  readonly approval?: {
    readonly height: bigint;
    readonly index: number;
    readonly siblings: readonly Field[];
  };
  readonly signature?: string;
  /** The L2 transaction's wire bytes. */
  readonly transaction?: Uint8Array;
}

/** An active validator as relayer: its address and its on-chain fee floor per asset. */
export interface RelayerQuote {
  readonly address: string;
  readonly fees: readonly { readonly asset: Field; readonly floor: bigint }[];
}

/** Settlement on Solana: anchors, withdrawal status, the relayers and their floors, the chain's slot. */
export interface SettlementBackend {
  anchors(): Promise<readonly AnchorRecord[]>;
  withdrawal(nullifier0: Field): Promise<WithdrawalRecord | undefined>;
  /** This node's own relayer address, when it relays. */
  relayer(): { readonly address: string } | undefined;
  /** The active validators' floors as this node's chain view last read them. */
  relayers(): readonly RelayerQuote[];
  /** The Solana slot as this node last read it (withdrawal expirations count in slots). */
  solanaSlot(): bigint;
}
