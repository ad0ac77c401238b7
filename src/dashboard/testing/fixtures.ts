/**
 * Synthetic blocks for the dashboard's tests: transactions with well-formed (not provable) fields,
 * a withdrawal with a recognisable amount, recipient, relayer and fee so tests can check none of
 * them reaches a view.
 */
import { bytesToHex } from '../../common/index.js';
import { encodeCertificate } from '../../consensus/index.js';
import {
  blockHash,
  decodedFromTransaction,
  encodeBlock,
  type ShieldedTransaction,
  sectionsRoot,
} from '../../ledger/index.js';
import {
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  type Field,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  toField,
} from '../../privacy/index.js';

export const SECRET = {
  withdrawn: 987_654_321n,
  fee: 4_242n,
  recipient: new Uint8Array(32).fill(0xab),
  relayer: new Uint8Array(32).fill(0xcd),
  envelopeByte: 0x5a,
};

const f = (n: number): Field => toField(BigInt(n));

function envelope(): Uint8Array {
  const e = new Uint8Array(ENVELOPE_BYTES).fill(SECRET.envelopeByte);
  e[0] = ENVELOPE_VERSION;
  return e;
}

export function syntheticTx(seed: number, withdrawal: boolean): ShieldedTransaction {
  const proof = new Uint8Array(PROOF_WIRE_BYTES).fill(seed & 0xff);
  proof[0] = PROOF_SUITE_GROTH16_BN254;
  return {
    proof,
    statement: {
      root: f(7),
      assetPublic: f(0),
      nullifiers: [f(1000 + seed * 2), f(1001 + seed * 2)],
      outputCommitments: [f(2000 + seed * 2), f(2001 + seed * 2)],
      extData: {
        recipient: withdrawal ? SECRET.recipient : new Uint8Array(32),
        relayer: withdrawal ? SECRET.relayer : new Uint8Array(32),
        fee: withdrawal ? SECRET.fee : 0n,
        extAmount: withdrawal ? -SECRET.withdrawn : 0n,
        expirationSlot: withdrawal ? 10_000n : 0n,
        encryptedOutput0: envelope(),
        encryptedOutput1: envelope(),
      },
    },
  };
}

export interface SyntheticBlock {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly qc: Uint8Array;
}

/** Keys sorted ascending, as a certificate needs them. */
export const SIGNERS = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));

/** A chain of `count` blocks; block h has h-1 transfers, one withdrawal when h is even, h deposits. */
export function syntheticChain(count: number, startMs = 1_700_000_000_000): SyntheticBlock[] {
  const out: SyntheticBlock[] = [];
  let previousHash: Uint8Array = new Uint8Array(32);
  let leaves = 0n;
  let consumed = 0n;
  for (let h = 1; h <= count; h++) {
    const txs = Array.from({ length: h - 1 }, (_, i) => syntheticTx(h * 100 + i, false));
    if (h % 2 === 0) txs.push(syntheticTx(h * 100 + 99, true));
    const deposits = Array.from({ length: h }, (_, i) => f(5000 + h * 10 + i));
    consumed += BigInt(deposits.length);
    leaves += BigInt(deposits.length + txs.length * 2);
    const header = {
      height: BigInt(h),
      round: 0,
      previousHash,
      leader: SIGNERS[h % 3]!,
      depositsConsumed: consumed,
      depositAccumulator: f(h),
      commitmentRoot: f(900 + h),
      leafCount: leaves,
      nullifierCount: 0n,
      nullifierAccumulator: new Uint8Array(32),
      withdrawalsRoot: f(0),
      transactionRoot: new Uint8Array(32).fill(h),
      sectionsRoot: sectionsRoot([]),
      timestampMs: BigInt(startMs + h * 1000),
    };
    const block = encodeBlock({
      header,
      deposits,
      transactions: txs.map(decodedFromTransaction),
      sections: [],
    });
    const hash = blockHash(header);
    const qc = encodeCertificate({
      height: BigInt(h),
      round: 0,
      blockHash: hash,
      signatures: SIGNERS.map((validator) => ({ validator, signature: new Uint8Array(64).fill(9) })),
    });
    out.push({ height: BigInt(h), hash, block, qc });
    previousHash = hash;
  }
  return out;
}

/** What must never appear in any dashboard answer. */
export function secretsIn(text: string): string[] {
  const found: string[] = [];
  if (text.includes(SECRET.withdrawn.toString())) found.push('withdrawn amount');
  if (text.includes(bytesToHex(SECRET.recipient))) found.push('recipient');
  if (text.includes(bytesToHex(SECRET.relayer))) found.push('relayer');
  if (text.includes('"fee"') || text.includes(SECRET.fee.toString())) found.push('fee');
  if (text.toLowerCase().includes('5a5a5a5a5a5a')) found.push('envelope bytes');
  if (/amount|recipient|relayer|envelope|owner/i.test(text)) found.push('a field named after a secret');
  return found;
}
