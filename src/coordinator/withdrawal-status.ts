import { type Address, getAddressDecoder } from '@solana/kit';
import { type BridgeRpc, type ChainView, findNullifierPda } from '../bridge/index.js';
import { bytesEqual } from '../common/index.js';
import { blockHash, decodeBlockHeaderOf } from '../ledger/index.js';
import { type Field, fieldFromBytesBE, fieldToBytesBE } from '../privacy/index.js';
import type { AnchoredRanges } from './approvals.js';
import type { FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';

/**
 * Where a withdrawal stands: `final` (in a final L2 block), `approved` (an anchored withdrawals root
 * covers it: the approval path is what `withdraw` needs), `settled` (its nullifier PDAs exist on
 * chain). Everything here is public on Solana anyway (amount, fee, recipient are withdraw's
 * arguments); nothing links it to a deposit.
 */
export interface WithdrawalStatus {
  readonly state: 'final' | 'approved' | 'settled';
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
    };
    const [pda] = await findNullifierPda(this.o.programId, fieldToBytesBE(nullifier0));
    const spent = (await this.o.rpc.accountData(pda, 'confirmed'))?.owner === this.o.programId;
    const signature = this.o.signatureOf?.(w.tx.idHex);
    const state = this.o.chain.state;
    const ranges = state ? await this.o.ranges.of(state, this.o.chain.slot) : [];
    for (const r of ranges) {
      const position = r.withdrawals.findIndex((x) => x.tx.idHex === w.tx.idHex);
      if (position < 0) continue;
      const approval = { height: r.entry.height, index: position, siblings: r.tree.path(position) };
      return { ...base, state: spent ? 'settled' : 'approved', approval, signature };
    }
    return { ...base, state: spent ? 'settled' : 'final', signature };
  }
}
