import type { Instruction } from '@solana/kit';
import { bytesEqual } from '../common/index.js';
import { bridgeWriter } from './codec.js';
import { ED25519_PROGRAM_ID } from './constants.js';
import { BridgeError } from './errors.js';

export interface Ed25519Entry {
  publicKey: Uint8Array; // 32
  signature: Uint8Array; // 64
  message: Uint8Array;
}

const SAME_INSTRUCTION = 0xffff;
const OFFSETS_SIZE = 14;

/**
 * One Ed25519-program instruction carrying many signatures. Identical messages are stored once and
 * shared (a quorum signs one digest), which is what lets a 7-signature quorum fit one transaction.
 * Every offset names this same instruction (0xFFFF), the only form the Paraloom program accepts.
 */
export function buildEd25519Instruction(entries: readonly Ed25519Entry[]): Instruction {
  if (entries.length === 0 || entries.length > 255) {
    throw new BridgeError('ARGUMENT_INVALID', 'between 1 and 255 signatures per Ed25519 instruction', {
      count: entries.length,
    });
  }
  const messages: Uint8Array[] = [];
  const msgIndex = entries.map((e) => {
    if (e.publicKey.length !== 32 || e.signature.length !== 64) {
      throw new BridgeError('ARGUMENT_INVALID', 'Ed25519 entry needs a 32-byte key and a 64-byte signature');
    }
    const i = messages.findIndex((m) => bytesEqual(m, e.message));
    if (i >= 0) return i;
    messages.push(e.message);
    return messages.length - 1;
  });
  const header = 2 + entries.length * OFFSETS_SIZE;
  const sigBase = header;
  const msgBase = sigBase + entries.length * 96;
  const msgOffsets: number[] = [];
  let at = msgBase;
  for (const m of messages) {
    msgOffsets.push(at);
    at += m.length;
  }
  if (at > 0xffff)
    throw new BridgeError('TRANSACTION_TOO_LARGE', 'Ed25519 instruction data exceeds u16 offsets');
  const w = bridgeWriter('Ed25519 instruction', at).u8(entries.length, 'count').u8(0);
  entries.forEach((e, i) => {
    const sigOff = sigBase + i * 96;
    w.u16(sigOff)
      .u16(SAME_INSTRUCTION)
      .u16(sigOff + 64)
      .u16(SAME_INSTRUCTION);
    w.u16(msgOffsets[msgIndex[i]!]!).u16(e.message.length).u16(SAME_INSTRUCTION);
  });
  for (const e of entries) w.fixed(e.signature, 64, 'signature').fixed(e.publicKey, 32, 'publicKey');
  for (const m of messages) w.raw(m);
  return { programAddress: ED25519_PROGRAM_ID, accounts: [], data: w.finish() };
}
