/**
 * The JSON API's answer shapes (docs/operations.md, "Dashboard API"). Integers that can exceed 2^53
 * (heights, lamports, slots) are decimal strings; 32-byte values (hashes, roots, commitments,
 * nullifiers) are 64 lower-case hex digits; Solana keys are base58 addresses. Nothing here carries
 * an amount, an owner, an address inside a shielded transaction or a note envelope: an outside
 * observer of the L2 can know none of these, so neither does the dashboard.
 */

export interface OverviewView {
  /** Server clock, Unix ms. */
  readonly now: number;
  readonly height: string;
  readonly tipHash: string;
  /** Proposer timestamp of the tip block, Unix ms (null before the first block). */
  readonly tipTimestampMs: number | null;
  /** Mean of (time this node saw the block final - its proposer timestamp) over recent blocks. */
  readonly finalityMs: number | null;
  /** Mean time between recent blocks' proposer timestamps. */
  readonly blockIntervalMs: number | null;
  /** Shielded transactions per second over the last 60 s of blocks. */
  readonly tps: number;
  readonly mempool: number;
  /** Number of notes in the commitment tree: the anonymity set. */
  readonly poolSize: number;
  readonly root: string;
  readonly depositsConsumed: string;
  /** Deposits finalized on Solana (or queued there) that no L2 block consumed yet; null without a chain read. */
  readonly depositQueue: number | null;
  readonly anchoredHeight: string | null;
  /** L2 height minus anchored height. */
  readonly anchorLag: string | null;
  /** Lamports in the program's vault PDA. */
  readonly vaultLamports: string | null;
  /** Mean time to verify one Groth16 proof on this node (from /metrics). */
  readonly proofVerifyMs: number | null;
  readonly validators: { readonly total: number; readonly up: number; readonly down: number };
  /** When Solana was last read successfully, Unix ms; and the last read's error, if it failed. */
  readonly chainReadAt: number | null;
  readonly chainError: string | null;
  readonly self: { readonly address: string | null; readonly coordinator: string | null };
}

/** Columns of equal length, oldest first; `t` in Unix seconds (what uPlot takes). */
export interface SeriesView {
  readonly t: number[];
  readonly height: number[];
  readonly poolSize: number[];
  readonly tps: number[];
  readonly finalityMs: (number | null)[];
  readonly mempool: number[];
  readonly depositQueue: (number | null)[];
  readonly anchorLag: (number | null)[];
  readonly vaultSol: (number | null)[];
}

export interface BlockSummaryView {
  readonly height: string;
  readonly hash: string;
  readonly timestampMs: number;
  readonly round: number;
  /** Proposer, as a Solana address. */
  readonly leader: string;
  readonly transactions: number;
  readonly transfers: number;
  readonly withdrawals: number;
  /** Deposits this block consumed from the on-chain queue. */
  readonly deposits: number;
  readonly nullifiers: number;
  readonly commitments: number;
  readonly leafCount: string;
  /** Precommit signers in its quorum certificate (0 when this node stored none). */
  readonly signers: number;
}

export interface BlockTransactionView {
  readonly id: string;
  readonly kind: 'transfer' | 'withdrawal';
  readonly nullifiers: readonly string[];
  readonly commitments: readonly string[];
}

export interface BlockDetailView extends BlockSummaryView {
  readonly previousHash: string;
  readonly depositsConsumed: string;
  readonly depositAccumulator: string;
  readonly commitmentRoot: string;
  readonly withdrawalsRoot: string;
  readonly transactionRoot: string;
  /** Commitments of the deposits consumed, in queue order. */
  readonly depositCommitments: readonly string[];
  readonly transactionList: readonly BlockTransactionView[];
  readonly qc: {
    readonly round: number;
    readonly blockHash: string;
    readonly signers: readonly string[];
  } | null;
}

export type ValidatorStatus = 'up' | 'down' | 'unknown';

export interface ValidatorView {
  readonly address: string;
  readonly self: boolean;
  readonly peerId: string | null;
  readonly stake: string;
  readonly active: boolean;
  /** This node's observation (consensus reputation), null until consensus runs here. */
  readonly reputation: number | null;
  readonly missedRounds: number | null;
  /** Times it was recorded unavailable (missed rounds in a row). */
  readonly unavailable: number | null;
  /** Reputation stored in its on-chain account. */
  readonly onChainReputation: number;
  /** Unix ms of its last accepted heartbeat here (this node: now); null if never heard. */
  readonly lastHeartbeatMs: number | null;
  readonly heartbeatAgeMs: number | null;
  /** `down`: heard before, silent longer than `heartbeatDownAfterMs`; `unknown`: never heard. */
  readonly status: ValidatorStatus;
  readonly slashCount: number;
  readonly totalSlashed: string;
  readonly lastSlashSlot: string | null;
  /** Coordinator role when known (`primary`, `passive`, `candidate`); null when not known. */
  readonly coordinator: string | null;
}

export interface ValidatorsView {
  readonly now: number;
  readonly heartbeatDownAfterMs: number;
  readonly validators: readonly ValidatorView[];
}

export interface AnchorView {
  readonly height: string;
  readonly root: string;
  readonly withdrawalsRoot: string;
  readonly blockHash: string;
  /** The anchor_root transaction, when this node found it in the bridge state's history. */
  readonly signature: string | null;
  readonly slot: string | null;
}

export interface AnchorsView {
  readonly lastHeight: string | null;
  readonly anchorCount: string | null;
  /** Newest first: the program's ring of recent anchors. */
  readonly anchors: readonly AnchorView[];
}

export interface EvidenceItemView {
  readonly validator: string;
  readonly height: string;
  readonly round: number;
  readonly type: 'prevote' | 'precommit';
  /** The two different block hashes it signed for one slot. */
  readonly blockHashes: readonly [string, string];
  /** This node claimed it for submission to the program's slash instruction. */
  readonly submitted: boolean;
  /** The slash transaction on Solana, when found. */
  readonly slashSignature: string | null;
}

export interface EvidenceView {
  readonly evidence: readonly EvidenceItemView[];
}

export type DashboardEvent =
  | { readonly type: 'overview'; readonly data: OverviewView }
  | { readonly type: 'block'; readonly data: BlockSummaryView }
  | { readonly type: 'validators'; readonly data: ValidatorsView };

/** What the HTTP server asks for; the node's implementation is NodeDashboardBackend. */
export interface DashboardBackend {
  overview(): Promise<OverviewView>;
  series(): SeriesView;
  /** Newest first, heights below `before` (default: above the tip), at most `limit`. */
  blocks(before: bigint | undefined, limit: number): Promise<BlockSummaryView[]>;
  block(height: bigint): Promise<BlockDetailView | undefined>;
  validators(): Promise<ValidatorsView>;
  anchors(): Promise<AnchorsView>;
  evidence(): Promise<EvidenceView>;
  /** Live events for the SSE stream; returns the unsubscribe function. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
}
