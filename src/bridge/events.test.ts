import { getBase64Decoder } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { concatBytes, u64ToBytesLE } from '../common/index.js';
import { FIELD_MODULUS, fieldToBytesBE, toField } from '../privacy/index.js';
import { eventDiscriminator, PARALOOM_DEV_PROGRAM_ID } from './constants.js';
import { decodeDepositEvent, isDepositEvent, programDataFor } from './events.js';

const b64 = getBase64Decoder();
const ID = PARALOOM_DEV_PROGRAM_ID;
const OTHER = 'Evi1111111111111111111111111111111111111111';
const event = (index: bigint, commitment = new Uint8Array(32).fill(1)) =>
  concatBytes(
    eventDiscriminator('DepositEvent'),
    u64ToBytesLE(index),
    u64ToBytesLE(5n),
    commitment,
    fieldToBytesBE(toField(9n)),
  );
const data = (bytes: Uint8Array) => `Program data: ${b64.decode(bytes)}`;

describe('deposit events from logs', () => {
  it('attributes Program data to the program that was executing, so another program cannot forge one', () => {
    const logs = [
      `Program ${OTHER} invoke [1]`,
      data(event(7n)),
      `Program ${ID} invoke [2]`,
      data(event(0n)),
      `Program ${ID} success`,
      data(event(8n)),
      `Program ${OTHER} success`,
      `Program ${ID} invoke [1]`,
      data(event(1n)),
      `Program ${ID} success`,
    ];
    const ours = programDataFor(logs, ID).filter(isDepositEvent).map(decodeDepositEvent);
    expect(ours.map((e) => e.index)).toEqual([0n, 1n]);
  });

  it('refuses truncated logs and non-canonical fields', () => {
    expect(() => programDataFor([`Program ${ID} invoke [1]`, 'Log truncated'], ID)).toThrow(/truncated/);
    const bad = event(
      0n,
      fieldToBytesBE(toField(FIELD_MODULUS - 1n)).map((b, i) => (i === 0 ? 0xff : b)),
    );
    expect(() => decodeDepositEvent(bad)).toThrow(/canonical/);
    expect(() => decodeDepositEvent(event(0n).subarray(0, 60))).toThrow(/size/);
  });
});
