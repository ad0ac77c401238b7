import { WithdrawalsTree, withdrawalLeaf } from '../bridge/index.js';
import { bytesEqual, bytesToHex } from '../common/index.js';
import type { Field, TreeChanges } from '../privacy/index.js';
import type { Block, BlockHeader } from './block.js';
import { nextAccumulator, type PendingDeposit } from './deposits.js';
import { nextNullifierAccumulator } from './nullifier-accumulator.js';
import { REFUNDS_SECTION_KIND, type ResolvedRefund, resolveRefunds } from './refunds.js';
import { type BlockRefusalCode, Refusal } from './rejections.js';
import { sectionEntries } from './sections.js';
import type { LedgerState, LedgerTip } from './state.js';
import { type DecodedTransaction, extDataHashOf, isWithdrawal } from './transaction.js';
import { transactionRoot } from './tx-root.js';

export type TreePlan = TreeChanges & { readonly frontier: readonly (Field | undefined)[] };
export type BlockRefusal = Refusal<BlockRefusalCode>;

/** Everything applying a block changes, computed without touching storage. */
export interface BlockEffects {
  readonly plan: TreePlan;
  readonly leafCount: number;
  /** Spent nullifiers, then the refund tags of the block's refunds (both kept in the nullifier set). */
  readonly nullifiers: readonly Field[];
  /** The block's refunds, checked against the withdrawals they name (not yet against Solana). */
  readonly refunds: readonly ResolvedRefund[];
  readonly depositsConsumed: bigint;
  readonly depositAccumulator: Field;
  readonly nullifierCount: bigint;
  readonly nullifierAccumulator: Uint8Array;
  readonly commitmentRoot: Field;
  readonly withdrawalsRoot: Field;
  readonly transactionRoot: Uint8Array;
  /** Tree size and tip height the effects were computed against (a commit reuses them only then). */
  readonly baseLeafCount: number;
  readonly baseHeight: bigint;
}

/**
 * Checks that depend on the world outside the chain of blocks (this node's view of the deposit
 * queue, of anchored roots, of the Solana slot and of the clock). They decide a vote; they are not
 * re-run when a final block is applied, which is what keeps applying blocks deterministic.
 */
export interface VoteChecks {
  depositAt(index: bigint): PendingDeposit | undefined;
  isAnchored(root: Field): boolean;
  readonly currentSlot: bigint;
  /** A withdrawal must stay valid at least this many slots past the current slot. */
  readonly minWithdrawalSlots: bigint;
  readonly nowMs: bigint;
  readonly maxClockDriftMs: bigint;
}

const refuse = (code: BlockRefusalCode, detail: string): BlockRefusal => new Refusal(code, detail);

/**
 * Deterministic part of block execution on a given pre-state: deposits in queue order, transaction
 * roots and nullifiers, then one tree append (deposit commitments, then each transaction's two
 * outputs, then each refund's commitment). Used to build a proposal (from the mempool) and to
 * re-execute one (from its body). `refunds` come resolved (resolveRefunds). `timestampMs` is the
 * block's header timestamp: the spend-root window is measured from it, never from a node's clock.
 */
export async function computeEffects(
  state: LedgerState,
  timestampMs: bigint,
  deposits: readonly Field[],
  txs: readonly DecodedTransaction[],
  checks: VoteChecks | undefined,
  refunds: readonly ResolvedRefund[] = [],
): Promise<BlockEffects | BlockRefusal> {
  const tip = state.tip;
  let acc = tip.depositAccumulator;
  for (let i = 0; i < deposits.length; i++) {
    const index = tip.depositsConsumed + BigInt(i);
    if (checks) {
      const known = checks.depositAt(index);
      if (!known) return refuse('DEPOSIT_UNKNOWN', `deposit ${index} is not finalized in this node's view`);
      if (known.commitment !== deposits[i])
        return refuse('DEPOSIT_MISMATCH', `deposit ${index} differs from the queue`);
    }
    acc = nextAccumulator(acc, deposits[i]!);
  }
  const seen = new Set<bigint>();
  const nullifiers: Field[] = [];
  const withdrawalLeaves: Field[] = [];
  const leaves: Field[] = [...deposits];
  for (const [i, d] of txs.entries()) {
    const s = d.tx.statement;
    if (isWithdrawal(d.tx)) {
      // An anchored root is an L2 root the cohort signed; it may be older than the recent window.
      if (checks) {
        if (!checks.isAnchored(s.root))
          return refuse('ROOT_NOT_ANCHORED', `transaction ${i} spends from an unanchored root`);
        if (s.extData.expirationSlot < checks.currentSlot + checks.minWithdrawalSlots) {
          return refuse('EXPIRED', `withdrawal ${i} expires at slot ${s.extData.expirationSlot}`);
        }
      }
      withdrawalLeaves.push(withdrawalLeaf(s.nullifiers[0], s.nullifiers[1], extDataHashOf(d.tx), s.root));
    } else if (!state.isSpendRoot(s.root, timestampMs)) {
      return refuse(
        'UNKNOWN_ROOT',
        `transaction ${i} spends from a root outside the last 64 and the spend-root window`,
      );
    }
    for (const n of s.nullifiers) {
      if (seen.has(n))
        return refuse('NULLIFIER_CONFLICT', `transaction ${i} reuses a nullifier of this block`);
      seen.add(n);
      nullifiers.push(n);
    }
    leaves.push(s.outputCommitments[0], s.outputCommitments[1]);
  }
  const spent = await state.isSpent(nullifiers);
  const first = spent.indexOf(true);
  if (first >= 0) return refuse('NULLIFIER_SPENT', `transaction ${first >> 1} spends a spent nullifier`);
  for (const r of refunds) {
    leaves.push(r.commitment);
    nullifiers.push(r.tag);
  }
  const plan = state.tree.planAppend(leaves);
  return {
    plan,
    leafCount: leaves.length,
    nullifiers,
    refunds,
    depositsConsumed: tip.depositsConsumed + BigInt(deposits.length),
    depositAccumulator: acc,
    nullifierCount: tip.nullifierCount + BigInt(nullifiers.length),
    nullifierAccumulator: nextNullifierAccumulator(tip.nullifierAccumulator, nullifiers),
    commitmentRoot: plan.state.rootHistory[plan.state.rootHistory.length - 1]!,
    withdrawalsRoot: new WithdrawalsTree(withdrawalLeaves).root,
    transactionRoot: transactionRoot(txs.map((t) => t.id)),
    baseLeafCount: state.tree.size,
    baseHeight: tip.height,
  };
}

/** Compares a header against its predecessor and the recomputed effects. */
export function checkHeader(
  header: BlockHeader,
  tip: LedgerTip,
  effects: BlockEffects,
  checks: VoteChecks | undefined,
): BlockRefusal | undefined {
  if (header.height !== tip.height + 1n) return refuse('WRONG_HEIGHT', `expected height ${tip.height + 1n}`);
  if (!bytesEqual(header.previousHash, tip.hash)) {
    return refuse('WRONG_PREVIOUS', `previous hash is not ${bytesToHex(tip.hash)}`);
  }
  if (header.timestampMs < tip.timestampMs)
    return refuse('BAD_TIMESTAMP', 'timestamp before the previous block');
  if (checks && header.timestampMs > checks.nowMs + checks.maxClockDriftMs) {
    return refuse('BAD_TIMESTAMP', 'timestamp too far in the future');
  }
  if (header.depositsConsumed !== effects.depositsConsumed) {
    return refuse('DEPOSIT_MISMATCH', `header says ${header.depositsConsumed} deposits consumed`);
  }
  if (header.depositAccumulator !== effects.depositAccumulator) {
    return refuse('ACCUMULATOR_MISMATCH', 'deposit accumulator does not match the deposits');
  }
  if (
    header.nullifierCount !== effects.nullifierCount ||
    !bytesEqual(header.nullifierAccumulator, effects.nullifierAccumulator)
  ) {
    return refuse('NULLIFIER_ACCUMULATOR_MISMATCH', 'nullifier accumulator does not match the nullifiers');
  }
  if (!bytesEqual(header.transactionRoot, effects.transactionRoot)) {
    return refuse('TRANSACTION_ROOT_MISMATCH', 'transaction root does not match the transactions');
  }
  if (header.leafCount !== BigInt(effects.plan.state.leafCount)) {
    return refuse('LEAF_COUNT_MISMATCH', `expected ${effects.plan.state.leafCount} leaves`);
  }
  if (header.commitmentRoot !== effects.commitmentRoot) {
    return refuse('COMMITMENT_ROOT_MISMATCH', 'commitment root does not match the recomputed tree');
  }
  if (header.withdrawalsRoot !== effects.withdrawalsRoot) {
    return refuse('WITHDRAWALS_ROOT_MISMATCH', 'withdrawals root does not match the withdrawals');
  }
  return undefined;
}

/** Re-executes a decoded block against the state (no proofs; the caller verifies them last). */
export async function executeBlock(
  state: LedgerState,
  block: Block,
  checks: VoteChecks | undefined,
): Promise<BlockEffects | BlockRefusal> {
  const tip = state.tip;
  if (block.header.height !== tip.height + 1n) {
    return refuse('WRONG_HEIGHT', `expected height ${tip.height + 1n}, got ${block.header.height}`);
  }
  const refunds = await resolveRefunds(state, sectionEntries(block.sections, REFUNDS_SECTION_KIND));
  if (refunds instanceof Refusal) return refunds;
  const effects = await computeEffects(
    state,
    block.header.timestampMs,
    block.deposits,
    block.transactions,
    checks,
    refunds,
  );
  if (effects instanceof Refusal) return effects;
  return checkHeader(block.header, tip, effects, checks) ?? effects;
}
