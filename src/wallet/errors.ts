import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface WalletErrorContexts {
  /** The wallet file exists and overwriting was not asked for. */
  WALLET_FILE_EXISTS: { path: string };
  /** No wallet file at the path. */
  WALLET_FILE_MISSING: { path: string };
  /** The wallet file is readable by group or others. */
  WALLET_FILE_INSECURE: { path: string; mode: number };
  /** The file is not a wallet file, or of an unknown format. */
  WALLET_FILE_INVALID: { path: string; format?: string };
  /** The wallet file parses but its sealed key material does not authenticate (bit rot, truncation, tampering). */
  WALLET_FILE_CORRUPT: { path: string; reason: string };
  /** The passphrase does not unlock the wallet file; nothing was changed. */
  PASSPHRASE_WRONG: { path: string };
  /** A watch-only wallet (a viewing key, no spending key) was asked to spend, deposit or show its phrase. */
  VIEW_ONLY: { capability: 'full-view' | 'incoming-view' | 'spend' };
  /** No passphrase: PARALOOM_WALLET_PASSPHRASE is unset and there is no terminal to ask on. */
  PASSPHRASE_REQUIRED: NoContext;
  /** An empty passphrase, or the two entries on create differ. */
  PASSPHRASE_INVALID: { reason: string };
  /** A mnemonic that is not 24 words of the English BIP39 list with a valid checksum. */
  MNEMONIC_INVALID: { words: number; reason: string };
  /** `--airdrop` outside our localnet: the config names another cluster, or the RPC's genesis differs. */
  AIRDROP_REFUSED: { rpcUrl: string; cluster?: string; genesisHash?: string };
  /** The note store cannot be read or does not parse. */
  NOTE_STORE_INVALID: { path: string };
  /** The shielded balance is below the amount asked for. */
  INSUFFICIENT_FUNDS: { target: string; balance: string };
  /** The balance is spread over more notes than one transaction can spend. */
  NEEDS_CONSOLIDATION: { target: string; balance: string; notes: number };
  /** An amount that is not positive, or a negative fee. */
  AMOUNT_INVALID: { target?: string };
  /** A Merkle path or the published commitments do not lead to the chosen (anchored) root. */
  ROOT_MISMATCH: { leafIndex?: number; anchorHeight?: string; leafCount?: number; checkpoint?: number };
  /** A tree frontier or witness of the wrong shape, or asked for a tree size it cannot serve. */
  FRONTIER_INVALID: { leafCount?: number; leafIndex?: number; level?: number; levels?: number };
  /** A payment plan cannot go on: a merge it waits for did not become final in time. */
  PLAN_STALLED: { step: number; pending: number };
  /** The wallet has never synced: it has no checkpoint to take paths from. */
  NOT_SYNCED: NoContext;
  /** No such (spendable) note in this wallet. */
  NOTE_UNKNOWN: { leafIndex?: number; commitment?: string };
  /** The validator's ingress cannot be reached. */
  INGRESS_UNAVAILABLE: { path: string };
  /** The ingress refused a request (`status`, `reason`) or answered something malformed. */
  INGRESS_REJECTED: {
    path?: string;
    status?: number;
    reason?: string;
    leafIndex?: number;
    sent?: number;
    got?: number;
    /** Which served value was malformed. */
    what?: string;
  };
  /** A batch submission of no transactions, or of more than the ingress takes in one request. */
  BATCH_SIZE_INVALID: { count: number; max: number };
  /** A Solana address (recipient, relayer) that does not parse; `what` names which. */
  ADDRESS_INVALID: { what: string; address: string };
  /** Nothing is anchored on Solana yet, so no withdrawal can be proven. */
  NO_ANCHORED_ROOT: NoContext;
  /** The notes a withdrawal needs are newer than the last anchored root. */
  NOT_YET_ANCHORED: { anchorHeight: string };
  /** No active validator quotes a relay fee floor for the withdrawal's asset. */
  NO_RELAYER: NoContext;
  /** The relayer asked for is not an active validator with a floor for the asset (the L2 would refuse it). */
  RELAYER_NOT_REGISTERED: { relayer: string };
  /** A withdrawal to settle that no final block holds, or that no anchor approves yet. */
  WITHDRAWAL_NOT_APPROVED: { nullifier: string; state?: string };
  /** The fee asked for is under the relayer's on-chain floor (the L2 would refuse it). */
  FEE_BELOW_FLOOR: { relayer: string; fee: string; floor: string };
  /** A payment disclosure that is not a well-formed `paraloom-disclosure/1` statement; `field` names what is wrong. */
  DISCLOSURE_INVALID: { field: string; reason: string };
  /**
   * A disclosure that does not hold: its opening does not give its commitment (`opening`), the
   * validator publishes another commitment or none at its leaf (`published`), the Merkle path does not
   * lead from it to the root the path names (`path`), or that root is not one the validator names
   * (current, among its recent final roots, or anchored) (`root`).
   */
  DISCLOSURE_MISMATCH: { check: 'opening' | 'published' | 'path' | 'root'; leafIndex: number };
  /** `wallet disclose` cannot make a statement for this payment (unknown, not final yet, sent before openings were kept). */
  DISCLOSURE_UNAVAILABLE: { payment: string; reason: string };
}

export type WalletErrorCode = keyof WalletErrorContexts;

export const WalletError = defineErrorClass<WalletErrorContexts>('WalletError');
export type WalletError<C extends WalletErrorCode = WalletErrorCode> = ModuleError<WalletErrorContexts, C>;
