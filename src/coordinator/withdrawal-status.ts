import { type Address, getAddressDecoder } from '@solana/kit';
import { type BridgeRpc, type ChainView, findNullifierPda } from '../bridge/index.js';
import { bytesEqual } from '../common/index.js';
import { blockHash, decodeBlockHeaderOf, refundTag } from '../ledger/index.js';
import { type Field, fieldFromBytesBE, fieldToBytesBE } from '../privacy/index.js';
import type { AnchoredRange, AnchoredRanges } from './approvals.js';
import type { FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';

/**
 * Where a withdrawal stands: `final` (in a final L2 block), `approved` (an anchored withdrawals root
 * covers it: the approval path is what `withdraw` needs), `settled` (its nullifier PDAs exist on
 * chain), `expired` (the chain's slot passed its expiration_slot unsettled: the program refuses it;
 * the cohort refunds it once that slot is finalized), `refunded` (its refund note is in the L2 tree).
 * Everything here is public on Solana or the L2 anyway (amount, fee, recipient are withdraw's
 * arguments; a refund is a block section); nothing links it to a deposit.
 */
export type WithdrawalState = 'final' | 'approved' | 'settled' | 'expired' | 'refunded';

export interface WithdrawalStatus {
  readonly state: WithdrawalState;
  readonly txId: string;
  readonly height: bigint;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly recipient: Address;
  readonly relayer: Address;
  readonly expirationSlot: bigint;
  readonly approval?: {
    readonly height: bigint;
    readonly index: number;
    readonly siblings: readonly Field[];
  };
  /** The settling transaction, when this node relayed it. */
  readonly signature?: string;
  /** The L2 transaction (its wire bytes): with the approval, what anyone needs to settle it. */
  readonly transaction: Uint8Array;
}

/** An anchored entry of the chain's ring, with the leaf count of its block (when this node has it). */
export interface AnchoredRoot {
  readonly height: bigint;
  readonly root: Field;
  readonly leafCount: bigint | undefined;
  readonly withdrawalsRoot: Field;
  readonly blockHash: Uint8Array;
}

const addressDecoder = getAddressDecoder();

/**
 * Answers the ingress's settlement queries. The anchored ring comes from the node's chain view (no
 * RPC call per request); whether a withdrawal is settled is read per request (its nullifier PDA).
 */
export class WithdrawalStatusReader {
  constructor(
    private readonly o: {
      readonly rpc: BridgeRpc;
      readonly chain: Pick<ChainView, 'state' | 'slot'>;
      readonly programId: Address;
      readonly index: WithdrawalIndex;
      readonly blocks: FinalBlocks;
      readonly ranges: AnchoredRanges;
      readonly signatureOf?: (txId: string) => string | undefined;
      /** The L2's committed spent set: a refunded withdrawal's refund tag is in it. */
      readonly isSpent: (fields: readonly Field[]) => Promise<boolean[]>;
    },
  ) {}

  /** The chain's anchored ring, oldest first: a withdrawal proves membership under one of these roots. */
  async anchors(): Promise<AnchoredRoot[]> {
    const state = this.o.chain.state;
    if (!state) return [];
    const out: AnchoredRoot[] = [];
    for (const a of state.anchors) {
      const bytes =
        a.height <= this.o.blocks.tipHeight() ? await this.o.blocks.blockBytes(a.height) : undefined;
      const header = bytes ? decodeBlockHeaderOf(bytes) : undefined;
      out.push({
        height: a.height,
        root: fieldFromBytesBE(a.root),
        leafCount: header && bytesEqual(blockHash(header), a.blockHash) ? header.leafCount : undefined,
        withdrawalsRoot: fieldFromBytesBE(a.withdrawalsRoot),
        blockHash: a.blockHash,
      });
    }
    return out;
  }

  async status(nullifier0: Field): Promise<WithdrawalStatus | undefined> {
    const w = await this.o.index.find(nullifier0);
    if (!w) return undefined;
    const e = w.tx.tx.statement.extData;
    const base = {
      txId: w.tx.idHex,
      height: w.height,
      amount: -e.extAmount - e.fee,
      fee: e.fee,
      recipient: addressDecoder.decode(e.recipient),
      relayer: addressDecoder.decode(e.relayer),
      expirationSlot: e.expirationSlot,
      transaction: w.tx.bytes,
    };
    const [pda] = await findNullifierPda(this.o.programId, fieldToBytesBE(nullifier0));
    const spent = (await this.o.rpc.accountData(pda, 'confirmed'))?.owner === this.o.programId;
    const signature = this.o.signatureOf?.(w.tx.idHex);
    if (spent)
      return { ...base, state: 'settled', ...this.approvalOf(w.tx.idHex, await this.rangesNow()), signature };
    const [refunded] = await this.o.isSpent([refundTag(w.tx.tx.statement.nullifiers)]);
    if (refunded) return { ...base, state: 'refunded', signature };
    if (this.o.chain.slot > e.expirationSlot) return { ...base, state: 'expired', signature };
    const approval = this.approvalOf(w.tx.idHex, await this.rangesNow());
    return { ...base, state: approval.approval ? 'approved' : 'final', ...approval, signature };
  }

  private async rangesNow(): Promise<AnchoredRange[]> {
    const state = this.o.chain.state;
    return state ? await this.o.ranges.of(state, this.o.chain.slot) : [];
  }

  private approvalOf(txId: string, ranges: readonly AnchoredRange[]): Pick<WithdrawalStatus, 'approval'> {
    for (const r of ranges) {
      const position = r.withdrawals.findIndex((x) => x.tx.idHex === txId);
      if (position < 0) continue;
      return { approval: { height: r.entry.height, index: position, siblings: r.tree.path(position) } };
    }
    return {};
  }
}
