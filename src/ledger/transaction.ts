import { bytesToHex, sha256 } from '../common/index.js';
import {
  computeExtDataHash,
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  type ExtData,
  FIELD_ZERO,
  type Field,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  PrivacyError,
  type TransactStatement,
  validateExtData,
} from '../privacy/index.js';
import { ledgerReader, ledgerWriter, readField } from './codec.js';
import { LedgerError } from './errors.js';

export const TX_VERSION = 1;
/**
 * Every v1 transaction has the same size (fixed proof, fixed envelopes), so the size cap is an
 * equality checked before a single field is read, and sizes leak nothing about the notes.
 */
export const TX_BYTES =
  1 + PROOF_WIRE_BYTES + 6 * 32 + 32 + 32 + 8 + 8 + 8 + 2 * ENVELOPE_BYTES + 32 + 32 + ENVELOPE_BYTES;

/** The refund slot of a transaction without a refund (a transfer): all zero on the wire. */
const NO_REFUND_ENVELOPE = new Uint8Array(ENVELOPE_BYTES);

const TX_ID_DOMAIN = new TextEncoder().encode('paraloom/v1/tx');

/** A shielded `transact` transaction: the wire proof and the statement it proves. */
export interface ShieldedTransaction {
  /** 129-byte wire proof: suite tag, then A, B, C compressed. Points are checked by the verifier. */
  readonly proof: Uint8Array;
  readonly statement: TransactStatement;
}

/** A transaction with its canonical bytes and id, as the mempool and blocks hold it. */
export interface DecodedTransaction {
  readonly tx: ShieldedTransaction;
  readonly bytes: Uint8Array;
  /** SHA-256(domain | bytes); hex form as the map key. */
  readonly id: Uint8Array;
  readonly idHex: string;
}

export function isWithdrawal(tx: ShieldedTransaction): boolean {
  return tx.statement.extData.extAmount < 0n;
}

export function transactionId(bytes: Uint8Array): Uint8Array {
  return sha256(TX_ID_DOMAIN, bytes);
}

export function encodeTransaction(tx: ShieldedTransaction): Uint8Array {
  checkShape(tx);
  const s = tx.statement;
  const e = s.extData;
  return ledgerWriter(TX_BYTES, 'transaction')
    .u8(TX_VERSION)
    .raw(tx.proof)
    .u256(s.root, 'root')
    .u256(s.assetPublic, 'asset_public')
    .u256(s.nullifiers[0], 'nullifier0')
    .u256(s.nullifiers[1], 'nullifier1')
    .u256(s.outputCommitments[0], 'out0')
    .u256(s.outputCommitments[1], 'out1')
    .fixed(e.recipient, 32, 'recipient')
    .fixed(e.relayer, 32, 'relayer')
    .u64(e.fee, 'fee')
    .i64(e.extAmount, 'ext_amount')
    .u64(e.expirationSlot, 'expiration_slot')
    .raw(e.encryptedOutput0)
    .raw(e.encryptedOutput1)
    .u256(e.refundOwner ?? FIELD_ZERO, 'refund_owner')
    .u256(e.refundBlinding ?? FIELD_ZERO, 'refund_blinding')
    .raw(e.refundCiphertext?.length ? e.refundCiphertext : NO_REFUND_ENVELOPE)
    .finish();
}

/**
 * Decodes and checks everything that needs no state: size (before reading), version, proof suite
 * tag, canonical field elements, envelope versions, ext data rules, distinct nullifiers. The
 * result re-encodes to the same bytes, so the id names exactly one transaction.
 */
export function decodeTransaction(bytes: Uint8Array): DecodedTransaction {
  if (bytes.length > TX_BYTES) {
    throw new LedgerError('TX_OVERSIZE', `transaction is larger than ${TX_BYTES} bytes`, {
      length: bytes.length,
    });
  }
  if (bytes.length !== TX_BYTES) {
    throw new LedgerError('TX_MALFORMED', `transaction must be ${TX_BYTES} bytes`, { length: bytes.length });
  }
  const r = ledgerReader(bytes, 'transaction', 'TX_MALFORMED');
  const version = r.u8('version');
  if (version !== TX_VERSION) r.fail('invalid', 'unknown transaction version', 'version', { value: version });
  const proof = r.bytes(PROOF_WIRE_BYTES, 'proof');
  if (proof[0] !== PROOF_SUITE_GROTH16_BN254) {
    r.fail('invalid', 'unknown proof suite', 'proof', { value: proof[0] });
  }
  const root = readField(r, 'root');
  const assetPublic = readField(r, 'asset_public');
  const nullifiers: [Field, Field] = [readField(r, 'nullifier0'), readField(r, 'nullifier1')];
  const outputCommitments: [Field, Field] = [readField(r, 'out0'), readField(r, 'out1')];
  const recipient = r.bytes(32, 'recipient');
  const relayer = r.bytes(32, 'relayer');
  const fee = r.u64('fee');
  const extAmount = r.i64('ext_amount');
  const expirationSlot = r.u64('expiration_slot');
  const encryptedOutput0 = r.bytes(ENVELOPE_BYTES, 'encrypted_output0');
  const encryptedOutput1 = r.bytes(ENVELOPE_BYTES, 'encrypted_output1');
  // Non-canonical owner or blinding: FIELD_NOT_CANONICAL here, before anything can hash them.
  const refundOwner = readField(r, 'refund_owner');
  const refundBlinding = readField(r, 'refund_blinding');
  const refundSlot = r.bytes(ENVELOPE_BYTES, 'refund_ciphertext');
  r.end();
  // One encoding per content: without a refund owner the blinding and the refund slot are zeros.
  if (refundOwner === 0n && (refundBlinding !== 0n || !refundSlot.every((b) => b === 0))) {
    r.fail('invalid', 'a refund blinding or ciphertext without a refund owner', 'refund_ciphertext', {});
  }
  const extData: ExtData = {
    recipient,
    relayer,
    fee,
    extAmount,
    expirationSlot,
    encryptedOutput0,
    encryptedOutput1,
    ...(refundOwner !== 0n ? { refundOwner, refundBlinding, refundCiphertext: refundSlot } : {}),
  };
  const tx: ShieldedTransaction = {
    proof,
    statement: { root, assetPublic, nullifiers, outputCommitments, extData },
  };
  checkShape(tx);
  const copy = Uint8Array.from(bytes);
  const id = transactionId(copy);
  return { tx, bytes: copy, id, idHex: bytesToHex(id) };
}

export function decodedFromTransaction(tx: ShieldedTransaction): DecodedTransaction {
  return decodeTransaction(encodeTransaction(tx));
}

/** ext_data_hash as the verifier derives it (the withdrawals tree leaf needs it too). */
export function extDataHashOf(tx: ShieldedTransaction): Field {
  return computeExtDataHash(tx.statement.extData);
}

function checkShape(tx: ShieldedTransaction): void {
  if (tx.proof.length !== PROOF_WIRE_BYTES) {
    throw new LedgerError('TX_MALFORMED', `proof must be ${PROOF_WIRE_BYTES} bytes`, {
      length: tx.proof.length,
    });
  }
  const e = tx.statement.extData;
  const envelopes: [string, Uint8Array][] = [
    ['encrypted_output0', e.encryptedOutput0],
    ['encrypted_output1', e.encryptedOutput1],
  ];
  if (e.refundCiphertext?.length) envelopes.push(['refund_ciphertext', e.refundCiphertext]);
  for (const [name, env] of envelopes) {
    // Validators cannot read envelopes, but a wrong size or version is garbage no wallet can scan.
    if (env.length !== ENVELOPE_BYTES || env[0] !== ENVELOPE_VERSION) {
      throw new LedgerError('TX_MALFORMED', `${name} is not a v${ENVELOPE_VERSION} note envelope`, {
        length: env.length,
      });
    }
  }
  try {
    validateExtData(e);
  } catch (err) {
    if (err instanceof PrivacyError && err.code === 'EXT_DATA_INVALID') {
      throw new LedgerError('EXT_DATA_INVALID', err.message, { ...err.context }, { cause: err });
    }
    throw err;
  }
  // The circuit enforces it too; refusing here costs nothing and keeps such a tx out of a batch.
  if (tx.statement.nullifiers[0] === tx.statement.nullifiers[1]) {
    throw new LedgerError('TX_MALFORMED', 'the two nullifiers must differ');
  }
  // The circuit binds asset_public only when value moves; a transfer that shows an asset would
  // tell everyone which token moved, so the L2 admits transfers with asset_public = 0 only.
  if (e.extAmount === 0n && tx.statement.assetPublic !== FIELD_ZERO) {
    throw new LedgerError('TX_MALFORMED', 'a transfer must show asset_public = 0');
  }
}
