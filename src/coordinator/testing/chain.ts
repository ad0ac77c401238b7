/** Shared by this module's tests: a chain of final blocks holding decodable (unproven) transfers and withdrawals. */
import {
  type Block,
  type BlockHeader,
  blockHash,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  sectionsRoot,
} from '../../ledger/index.js';
import {
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  randomField,
  toField,
} from '../../privacy/index.js';
import type { FinalBlocks } from '../withdrawal-index.js';

/** A decodable transaction; only withdrawals (ext_amount < 0) enter the index. Proof bytes are not checked here. */
function tx(withdrawal: boolean) {
  const proof = new Uint8Array(PROOF_WIRE_BYTES);
  proof[0] = PROOF_SUITE_GROTH16_BN254;
  const envelope = () => {
    const e = crypto.getRandomValues(new Uint8Array(ENVELOPE_BYTES));
    e[0] = ENVELOPE_VERSION;
    return e;
  };
  return decodeTransaction(
    encodeTransaction({
      proof,
      statement: {
        root: randomField(),
        assetPublic: toField(0n),
        nullifiers: [randomField(), randomField()],
        outputCommitments: [randomField(), randomField()],
        extData: {
          recipient: crypto.getRandomValues(new Uint8Array(32)),
          relayer: crypto.getRandomValues(new Uint8Array(32)),
          fee: withdrawal ? 1_000n : 0n,
          extAmount: withdrawal ? -5_000n : 0n,
          expirationSlot: withdrawal ? 99n : 0n,
          encryptedOutput0: envelope(),
          encryptedOutput1: envelope(),
        },
      },
    }),
  );
}

export function chain(withdrawalsPerBlock: number[]): { blocks: FinalBlocks; list: Block[] } {
  const list: Block[] = [];
  let previous: Uint8Array = new Uint8Array(32);
  withdrawalsPerBlock.forEach((n, i) => {
    const header: BlockHeader = {
      height: BigInt(i + 1),
      round: 0,
      previousHash: previous,
      leader: new Uint8Array(32).fill(1),
      depositsConsumed: 0n,
      depositAccumulator: toField(0n),
      commitmentRoot: randomField(),
      leafCount: BigInt(2 * i),
      nullifierCount: 0n,
      nullifierAccumulator: new Uint8Array(32),
      withdrawalsRoot: toField(0n),
      transactionRoot: new Uint8Array(32),
      sectionsRoot: sectionsRoot([]),
      timestampMs: BigInt(i),
    };
    list.push({
      header,
      deposits: [],
      transactions: [tx(false), ...Array.from({ length: n }, () => tx(true))],
      sections: [],
    });
    previous = blockHash(header);
  });
  const bytes = list.map(encodeBlock);
  return {
    list,
    blocks: {
      tipHeight: () => BigInt(list.length),
      blockBytes: async (h) => bytes[Number(h) - 1],
    },
  };
}
