import { getBase64Encoder } from '@solana/kit';
import { bytesEqual } from '../common/index.js';
import { type Field, fieldFromBytesBE, noteCommitment } from '../privacy/index.js';
import { eventReader } from './codec.js';
import { eventDiscriminator, instructionDiscriminator } from './constants.js';
import { BridgeError, type BridgeErrorContexts } from './errors.js';

const base64 = getBase64Encoder();
const DEPOSIT_EVENT_BYTES = 8 + 8 + 8 + 32 + 32;
const DEPOSIT_ARGS_BYTES = 8 + 8 + 32 * 3;
/** Log lines longer than this are not ours; refusing them early bounds the work a hostile log costs. */
const MAX_DATA_LINE = 4096;

/** One entry of the program's deposit queue, as DepositEvent logs it. */
export interface DepositEventData {
  /** 0-based position in the on-chain queue. */
  readonly index: bigint;
  readonly amount: bigint;
  readonly commitment: Field;
  /** acc_{index+1} = P2(acc_index, commitment). */
  readonly accumulator: Field;
}

const fail = (message: string, context: BridgeErrorContexts['EVENT_DECODE_FAILED'] = {}): never => {
  throw new BridgeError('EVENT_DECODE_FAILED', message, context);
};

/** A 32-byte big-endian value that must be a canonical field element (rejected otherwise, never reduced). */
function field(bytes: Uint8Array, what: string): Field {
  try {
    return fieldFromBytesBE(bytes);
  } catch {
    return fail(`${what} is not a canonical field element`);
  }
}

/**
 * The `Program data:` payloads emitted by `programId` itself, in order. Attribution follows the
 * runtime's invoke/success/failed lines, so another program cannot forge a deposit by logging the
 * same bytes. Truncated logs fail: a missing event would otherwise look like no event.
 */
export function programDataFor(logs: readonly string[], programId: string): Uint8Array[] {
  const stack: string[] = [];
  const out: Uint8Array[] = [];
  for (const line of logs) {
    if (line === 'Log truncated') fail('transaction logs are truncated');
    const invoke = /^Program (\w+) invoke \[\d+\]$/.exec(line);
    if (invoke) {
      stack.push(invoke[1]!);
      continue;
    }
    if (/^Program \w+ (success|failed)/.test(line)) {
      stack.pop();
      continue;
    }
    if (line.startsWith('Program data: ') && stack[stack.length - 1] === programId) {
      if (line.length > MAX_DATA_LINE) continue;
      for (const part of line.slice('Program data: '.length).split(' ')) {
        out.push(new Uint8Array(base64.encode(part)));
      }
    }
  }
  return out;
}

export function isDepositEvent(data: Uint8Array): boolean {
  return data.length >= 8 && bytesEqual(data.subarray(0, 8), eventDiscriminator('DepositEvent'));
}

/** DepositEvent = disc | index u64 | amount u64 | commitment [32] | acc [32]. */
export function decodeDepositEvent(data: Uint8Array): DepositEventData {
  if (!isDepositEvent(data)) fail('not a DepositEvent');
  if (data.length !== DEPOSIT_EVENT_BYTES) fail('DepositEvent has the wrong size', { length: data.length });
  const r = eventReader(data.subarray(8), 'DepositEvent');
  const event = {
    index: r.u64('index'),
    amount: r.u64('amount'),
    commitment: field(r.view(32, 'commitment'), 'commitment'),
    accumulator: field(r.view(32, 'accumulator'), 'accumulator'),
  };
  r.end();
  return event;
}

/** What a top-level `deposit` instruction's arguments open: the note it shields, in clear. */
export interface DepositOpening {
  readonly amount: bigint;
  readonly ownerPk: Field;
  readonly blinding: Field;
  readonly asset: Field;
  readonly commitment: Field;
}

/**
 * The note a top-level `deposit` instruction asks for, its commitment recomputed from its arguments,
 * so the listener can check the program's event against what the depositor signed (and a restoring
 * wallet can recognise its own deposits by their owner key).
 */
export function depositInstructionOpening(data: Uint8Array): DepositOpening | null {
  if (data.length < 8 || !bytesEqual(data.subarray(0, 8), instructionDiscriminator('deposit'))) return null;
  if (data.length !== DEPOSIT_ARGS_BYTES) fail('deposit instruction has the wrong size');
  const r = eventReader(data.subarray(8), 'deposit');
  const amount = r.u64('amount');
  const note = {
    amount,
    pkD: field(r.view(32, 'owner_pk'), 'owner_pk'),
    blinding: field(r.view(32, 'blinding'), 'blinding'),
    asset: field(r.view(32, 'asset'), 'asset'),
  };
  r.end();
  return {
    amount,
    ownerPk: note.pkD,
    blinding: note.blinding,
    asset: note.asset,
    commitment: noteCommitment(note),
  };
}
