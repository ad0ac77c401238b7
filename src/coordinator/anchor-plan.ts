import { type AnchorFields, MAX_APPROVAL_DEPTH, WithdrawalsTree } from '../bridge/index.js';
import { blockHash, decodeBlockHeaderOf } from '../ledger/index.js';
import { fieldToBytesBE } from '../privacy/index.js';
import { CoordinatorError } from './errors.js';
import type { FinalBlocks, IndexedWithdrawal, WithdrawalIndex } from './withdrawal-index.js';

/** Longest range one anchor covers: a signer reads at most this many blocks' withdrawals. */
export const MAX_ANCHOR_RANGE = 512n;
export const MAX_ANCHOR_WITHDRAWALS = 1 << MAX_APPROVAL_DEPTH;

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
    },
  };
}
