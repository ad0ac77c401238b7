import { type AnchorFields, MAX_APPROVAL_DEPTH, WithdrawalsTree } from '../bridge/index.js';
import { blockHash, decodeBlockHeaderOf } from '../ledger/index.js';
import { fieldToBytesBE } from '../privacy/index.js';
import { CoordinatorError } from './errors.js';
import type { FinalBlocks, IndexedWithdrawal, WithdrawalIndex } from './withdrawal-index.js';

/** Longest range one anchor covers: a signer reads at most this many blocks' withdrawals. */
export const MAX_ANCHOR_RANGE = 512n;
/** One anchor approves at most this many withdrawals: the withdraw transaction proves a path of depth <= 11 (2,048). */
export const MAX_ANCHOR_WITHDRAWALS = 1 << MAX_APPROVAL_DEPTH;

/**
 * The height the next anchor after `fromHeight` should reach: the final tip, unless that is more than
 * MAX_ANCHOR_RANGE blocks away or (fromHeight, tip] holds more withdrawals than one approval can prove;
 * then the last height before the withdrawal that would not fit. A longer stretch of blocks is simply
 * anchored over several consecutive anchors. A single block holds at most MAX_BLOCK_TRANSACTIONS (760)
 * transactions, fewer than 2^MAX_APPROVAL_DEPTH, so a range of one block always fits.
 */
export async function nextAnchorHeight(
  index: WithdrawalIndex,
  fromHeight: bigint,
  tip: bigint,
  maxWithdrawals: number = MAX_ANCHOR_WITHDRAWALS,
): Promise<bigint> {
  const end = tip - fromHeight > MAX_ANCHOR_RANGE ? fromHeight + MAX_ANCHOR_RANGE : tip;
  const withdrawals = await index.range(fromHeight, end);
  if (withdrawals.length <= maxWithdrawals) return end;
  const firstLeftOut = withdrawals[maxWithdrawals]!.height;
  if (firstLeftOut - 1n <= fromHeight) {
    throw new CoordinatorError('ANCHOR_RANGE_TOO_MANY_WITHDRAWALS', 'one block holds too many withdrawals', {
      withdrawals: withdrawals.filter((w) => w.height === firstLeftOut).length,
    });
  }
  return firstLeftOut - 1n;
}

/**
 * One anchor: the final block at `fields.height` (its commitment root, deposits consumed and
 * accumulator, hash) and a withdrawals root over every withdrawal of the final blocks in
 * (fromHeight, height], in block order. `fromHeight` is the chain's last anchored height when the
 * coordinator planned it, so consecutive anchors cover every final block and no withdrawal is left
 * without an approval.
 */
export interface AnchorPlan {
  readonly fromHeight: bigint;
  readonly fields: AnchorFields;
  readonly withdrawals: readonly IndexedWithdrawal[];
  readonly tree: WithdrawalsTree;
}

export async function planAnchor(
  blocks: FinalBlocks,
  index: WithdrawalIndex,
  fromHeight: bigint,
  height: bigint,
): Promise<AnchorPlan> {
  if (fromHeight < 0n || height <= fromHeight || height - fromHeight > MAX_ANCHOR_RANGE) {
    throw new CoordinatorError('ANCHOR_RANGE_INVALID', 'anchor range must be 1 to 512 blocks', {
      fromHeight: `${fromHeight}`,
      height: `${height}`,
    });
  }
  if (height > blocks.tipHeight()) {
    throw new CoordinatorError('ANCHOR_RANGE_INVALID', 'anchor height is beyond this node’s final blocks', {
      height: `${height}`,
      tip: `${blocks.tipHeight()}`,
    });
  }
  const bytes = await blocks.blockBytes(height);
  if (!bytes)
    throw new CoordinatorError('BLOCK_MISSING', 'a final block is missing', { height: `${height}` });
  const header = decodeBlockHeaderOf(bytes);
  const withdrawals = await index.range(fromHeight, height);
  if (withdrawals.length > MAX_ANCHOR_WITHDRAWALS) {
    throw new CoordinatorError('ANCHOR_RANGE_TOO_MANY_WITHDRAWALS', 'too many withdrawals for one anchor', {
      withdrawals: withdrawals.length,
    });
  }
  const tree = new WithdrawalsTree(withdrawals.map((w) => w.leaf));
  let maxExpirationSlot = 0n;
  for (const w of withdrawals) {
    const e = w.tx.tx.statement.extData.expirationSlot;
    if (e > maxExpirationSlot) maxExpirationSlot = e;
  }
  return {
    fromHeight,
    withdrawals,
    tree,
    fields: {
      height,
      root: fieldToBytesBE(header.commitmentRoot),
      depositsConsumed: header.depositsConsumed,
      depositAcc: fieldToBytesBE(header.depositAccumulator),
      withdrawalsRoot: fieldToBytesBE(tree.root),
      blockHash: blockHash(header),
      maxExpirationSlot,
    },
  };
}
