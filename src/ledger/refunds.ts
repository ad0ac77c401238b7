import { bytesEqual, bytesToBigintBE, sha256 } from '../common/index.js';
import {
  ENVELOPE_BYTES,
  type Field,
  fieldMod,
  fieldToBytesBE,
  refundCommitmentOf,
} from '../privacy/index.js';
import { type Block, decodeBlock } from './block.js';
import { ledgerReader, ledgerWriter, readField } from './codec.js';
import { LedgerError } from './errors.js';
import { type BlockRefusalCode, Refusal } from './rejections.js';
import { sectionEntries } from './sections.js';
import type { LedgerState } from './state.js';
import { type DecodedTransaction, isWithdrawal } from './transaction.js';

// Refunds: a withdrawal that can no longer settle on Solana gives its owner the refund note its ext
// data carries. The block section of kind 4 lists them; entry (198 bytes):
//   version u8 = 1 | height u64 | index u32 | refund_commitment 32 LE | refund_ciphertext 153
// (height, index): the withdrawal, as the index-th transaction of the final block at height. The
// commitment is the one the cohort computes from the withdrawal (refundOf) and the ciphertext repeats
// the withdrawal's, so anyone indexing outputs reads them from the refunding block alone.

export const REFUNDS_SECTION_KIND = 4;
export const REFUND_ENTRY_VERSION = 1;
export const REFUND_ENTRY_BYTES = 1 + 8 + 4 + 32 + ENVELOPE_BYTES;
/** Refunds in one block: 32 entries are 6,469 bytes of the sections. */
export const MAX_BLOCK_REFUNDS = 32;

const REFUND_TAG_DOMAIN = new TextEncoder().encode('paraloom/v1/refund');

export interface RefundEntry {
  /** Height of the final block holding the withdrawal. */
  readonly height: bigint;
  /** The withdrawal's position among that block's transactions. */
  readonly index: number;
  readonly commitment: Field;
  readonly ciphertext: Uint8Array;
}

/** A refund entry checked against the withdrawal it names. */
export interface ResolvedRefund extends RefundEntry {
  readonly nullifiers: readonly [Field, Field];
  readonly expirationSlot: bigint;
  /** Marks the withdrawal refunded (refundTag). */
  readonly tag: Field;
}

export function encodeRefundEntry(e: RefundEntry): Uint8Array {
  if (e.ciphertext.length !== ENVELOPE_BYTES) {
    throw new LedgerError('ARGUMENT_INVALID', 'a refund ciphertext is a note envelope', {
      length: e.ciphertext.length,
    });
  }
  return ledgerWriter(REFUND_ENTRY_BYTES, 'refund entry')
    .u8(REFUND_ENTRY_VERSION)
    .u64(e.height, 'height')
    .u32(e.index, 'index')
    .u256(e.commitment, 'refund commitment')
    .raw(e.ciphertext)
    .finish();
}

/** LedgerError BLOCK_MALFORMED (or FIELD_NOT_CANONICAL) for bytes that are not one refund entry. */
export function decodeRefundEntry(bytes: Uint8Array): RefundEntry {
  const r = ledgerReader(bytes, 'refund entry', 'BLOCK_MALFORMED');
  const version = r.u8('version');
  if (version !== REFUND_ENTRY_VERSION)
    r.fail('invalid', 'unknown refund entry version', 'version', { value: version });
  const entry = {
    height: r.u64('height'),
    index: r.u32('index'),
    commitment: readField(r, 'refund commitment'),
    ciphertext: r.bytes(ENVELOPE_BYTES, 'refund ciphertext'),
  };
  r.end();
  return entry;
}

/**
 * What marks a withdrawal refunded: SHA-256("paraloom/v1/refund" | nullifier0 BE | nullifier1 BE) mod p,
 * stored in the spent-nullifier set with the refunding block (one synced batch). No note's nullifier
 * (a Poseidon output) is ever found equal to it; a second refund of the withdrawal finds it spent.
 */
export function refundTag(nullifiers: readonly [Field, Field]): Field {
  return fieldMod(
    bytesToBigintBE(sha256(REFUND_TAG_DOMAIN, fieldToBytesBE(nullifiers[0]), fieldToBytesBE(nullifiers[1]))),
  );
}

/** The refund entries of a decoded block, in block order (empty without a refund section). */
export function refundEntriesOf(block: Pick<Block, 'sections'>): RefundEntry[] {
  return sectionEntries(block.sections, REFUNDS_SECTION_KIND).map(decodeRefundEntry);
}

/**
 * The refund a withdrawal offers, as an entry naming it; undefined for a transaction without one.
 * The commitment is computed here, P4(gross debit, refund_owner, refund_blinding, asset) with the
 * withdrawal's -ext_amount and asset_public (which the circuit binds to the spent notes' asset when
 * value moves): nothing in the transaction can make a refund worth more than the withdrawal took.
 */
export function refundOf(height: bigint, index: number, d: DecodedTransaction): ResolvedRefund | undefined {
  const s = d.tx.statement;
  const { refundCiphertext } = s.extData;
  if (!isWithdrawal(d.tx) || refundCiphertext === undefined) return undefined;
  const commitment = refundCommitmentOf(s.extData, s.assetPublic);
  if (commitment === undefined) return undefined;
  return {
    height,
    index,
    commitment,
    ciphertext: refundCiphertext,
    nullifiers: s.nullifiers,
    expirationSlot: s.extData.expirationSlot,
    tag: refundTag(s.nullifiers),
  };
}

const refuse = (detail: string) => new Refusal<BlockRefusalCode>('REFUND_INVALID', detail);

/**
 * The deterministic half of a refund section's validity, decided by the chain of blocks alone (so a
 * node catching up applies it the same way): each entry decodes, names a withdrawal of a stored final
 * block that carries this very refund, is not refunded yet and is named once. Whether Solana can
 * still settle it is the vote's half (LedgerApp, against the node's own RPC).
 */
export async function resolveRefunds(
  state: LedgerState,
  entries: readonly Uint8Array[],
): Promise<ResolvedRefund[] | Refusal<BlockRefusalCode>> {
  if (entries.length > MAX_BLOCK_REFUNDS) return refuse(`more than ${MAX_BLOCK_REFUNDS} refunds`);
  const blocks = new Map<bigint, Block | undefined>();
  const resolved: ResolvedRefund[] = [];
  const tags = new Set<Field>();
  for (const [i, bytes] of entries.entries()) {
    let entry: RefundEntry;
    try {
      entry = decodeRefundEntry(bytes);
    } catch (err) {
      return refuse(`entry ${i} does not decode: ${(err as Error).message}`);
    }
    if (entry.height < 1n || entry.height > state.tip.height) {
      return refuse(`entry ${i} names height ${entry.height}, not a final block`);
    }
    if (!blocks.has(entry.height)) {
      // Held: a snapshot-joined node keeps the blocks below its height H whose withdrawals may
      // still be refunded (docs/protocol.md, "State snapshots").
      const stored = await state.storage.blocks.getStoredOrHeld(entry.height);
      blocks.set(entry.height, stored ? decodeBlock(stored.block) : undefined);
    }
    const tx = blocks.get(entry.height)?.transactions[entry.index];
    const offered = tx ? refundOf(entry.height, entry.index, tx) : undefined;
    if (!offered)
      return refuse(`entry ${i}: transaction ${entry.index} of block ${entry.height} offers no refund`);
    if (offered.commitment !== entry.commitment || !bytesEqual(offered.ciphertext, entry.ciphertext)) {
      return refuse(`entry ${i}: the refund differs from the withdrawal's`);
    }
    if (tags.has(offered.tag)) return refuse(`entry ${i} refunds a withdrawal twice`);
    tags.add(offered.tag);
    resolved.push(offered);
  }
  const spent = await state.isSpent(resolved.map((r) => r.tag));
  const again = spent.indexOf(true);
  if (again >= 0) return refuse(`entry ${again}: the withdrawal was refunded already`);
  return resolved;
}

/**
 * The vote's half: every refunded withdrawal expired before a slot Solana finalized, and neither of
 * its nullifier records exists at that finalized state (so it never settled and never can).
 */
export function checkRefundsSettleable(
  refunds: readonly ResolvedRefund[],
  finalized: { readonly slot: bigint; readonly present: readonly boolean[] },
): Refusal<BlockRefusalCode> | undefined {
  for (const [i, r] of refunds.entries()) {
    if (r.expirationSlot >= finalized.slot) {
      return refuse(`entry ${i} expires at slot ${r.expirationSlot}; finalized is ${finalized.slot}`);
    }
    if (finalized.present[2 * i] || finalized.present[2 * i + 1]) {
      return refuse(`entry ${i}: the withdrawal settled on Solana`);
    }
  }
  return undefined;
}
