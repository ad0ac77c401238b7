/** Transactions as bytes on the wire: their size against the packet limit, and the write chunk that fits. */
import {
  type Address,
  appendTransactionMessageInstructions,
  type Blockhash,
  compileTransaction,
  createTransactionMessage,
  getTransactionEncoder,
  type Instruction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type TransactionSigner,
} from '@solana/kit';
import { BridgeError } from '../errors.js';
import { writeInstruction } from './loader.js';

/** Solana's packet payload: the largest serialized transaction a cluster accepts. */
export const PACKET_DATA_SIZE = 1232;

const transactionEncoder = getTransactionEncoder();
/** Any 32 bytes: a blockhash's value does not change a transaction's size. */
const SIZING_BLOCKHASH = {
  blockhash: '11111111111111111111111111111111' as Blockhash,
  lastValidBlockHeight: 0n,
};

/** Serialized size (signatures included) of a v0 transaction carrying `instructions`. */
export function wireSize(feePayer: TransactionSigner, instructions: readonly Instruction[]): number {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(SIZING_BLOCKHASH, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  return transactionEncoder.encode(compileTransaction(message)).length;
}

/**
 * The most program bytes one Write transaction can carry for this payer, authority and buffer,
 * found from the serialized size itself: an empty write's size gives the room left, then the
 * candidate is checked (the data's length prefix grows by a byte past 127) and lowered until it fits.
 */
export function writeChunkBytes(
  feePayer: TransactionSigner,
  authority: TransactionSigner,
  buffer: Address,
): number {
  const sizeWith = (n: number) =>
    wireSize(feePayer, [writeInstruction(buffer, authority, 0, new Uint8Array(n))]);
  let chunk = PACKET_DATA_SIZE - sizeWith(0);
  while (chunk > 0 && sizeWith(chunk) > PACKET_DATA_SIZE) chunk--;
  if (chunk <= 0)
    throw new BridgeError('TRANSACTION_TOO_LARGE', 'an empty buffer write does not fit a packet');
  return chunk;
}

/** Refuses a transaction a cluster would refuse for its size, before it is signed or sent. */
export function assertFitsPacket(
  feePayer: TransactionSigner,
  instructions: readonly Instruction[],
  kind: string,
): void {
  const size = wireSize(feePayer, instructions);
  if (size > PACKET_DATA_SIZE) {
    throw new BridgeError(
      'TRANSACTION_TOO_LARGE',
      `${kind}: ${size} bytes on the wire, over ${PACKET_DATA_SIZE}`,
    );
  }
}
