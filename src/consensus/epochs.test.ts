import { describe, expect, it } from 'vitest';
import {
  activationHeight,
  carriesValidatorSet,
  decodeValidatorSet,
  encodeValidatorSet,
  sameValidatorSet,
  ValidatorSetHistory,
} from './epochs.js';
import { MemoryKv } from './kv.js';
import type { ValidatorInfo } from './validator-set.js';

const v = (k: number, stake = 10n, reputation = 1): ValidatorInfo => ({
  publicKey: new Uint8Array(32).fill(k),
  stake,
  reputation,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('validator-set epochs', () => {
  it('carries a set in block 1 and at every multiple of the epoch; it decides two heights later', () => {
    const carried = [1n, 2n, 9n, 10n, 11n, 20n].filter((h) => carriesValidatorSet(h, 10));
    expect(carried).toEqual([1n, 10n, 20n]);
    expect(activationHeight(1n)).toBe(1n);
    expect(activationHeight(10n)).toBe(12n);
  });

  it('encodes one canonical form (sorted keys) and refuses malformed sets', () => {
    const set = [v(3, 5n, 9000), v(1, 7n), v(2, 1n, 2)];
    const bytes = encodeValidatorSet(set);
    expect(bytes.length).toBe(2 + 3 * 44);
    const back = decodeValidatorSet(bytes);
    expect(back.map((x) => x.publicKey[0])).toEqual([1, 2, 3]);
    expect(sameValidatorSet(back, set)).toBe(true);
    expect(encodeValidatorSet(back)).toEqual(bytes);
    expect(sameValidatorSet(back, [v(3, 5n, 9000), v(1, 7n), v(2, 1n, 3)])).toBe(false);

    expect(codeOf(() => decodeValidatorSet(bytes.subarray(0, bytes.length - 1)))).toBe(
      'VALIDATOR_SET_INVALID',
    );
    const unsorted = bytes.slice();
    unsorted.set(new Uint8Array(32).fill(9), 2); // first key now above the second
    expect(codeOf(() => decodeValidatorSet(unsorted))).toBe('VALIDATOR_SET_INVALID');
    const zeroStake = bytes.slice();
    zeroStake.fill(0, 2 + 32, 2 + 40);
    expect(codeOf(() => decodeValidatorSet(zeroStake))).toBe('VALIDATOR_SET_INVALID');
    const zeroReputation = bytes.slice();
    zeroReputation.fill(0, 2 + 40, 2 + 44);
    expect(codeOf(() => decodeValidatorSet(zeroReputation))).toBe('VALIDATOR_SET_INVALID');
    expect(codeOf(() => decodeValidatorSet(Uint8Array.of(0, 0)))).toBe('VALIDATOR_SET_INVALID');
    expect(codeOf(() => encodeValidatorSet([v(1), v(1)]))).toBe('VALIDATOR_SET_INVALID');
  });

  it('keeps the sets by activation height across a reload; recording a height twice changes nothing', async () => {
    const kv = new MemoryKv();
    const history = new ValidatorSetHistory(kv);
    await history.load();
    expect(history.appliedHeight).toBe(0n);
    await history.record(1n, [v(1), v(2)]);
    for (let h = 2n; h < 10n; h++) await history.record(h, undefined);
    await history.record(10n, [v(1), v(2), v(3)]);
    await history.record(10n, [v(4)]); // a replay of an applied height is ignored
    expect(history.at(11n)?.validators.length).toBe(2);
    expect(history.at(12n)?.validators.length).toBe(3);
    expect(history.after(10n).map((s) => s.from)).toEqual([12n]);

    const reloaded = new ValidatorSetHistory(kv);
    await reloaded.load();
    expect(reloaded.appliedHeight).toBe(10n);
    expect(reloaded.at(5n)?.validators.map((x) => x.publicKey[0])).toEqual([1, 2]);
    expect(reloaded.at(100n)?.validators.map((x) => x.publicKey[0])).toEqual([1, 2, 3]);
    expect(reloaded.at(0n)).toBeUndefined();
  });

  it('refuses a cut or padded history record with DECODE_FAILED instead of reading past its end', async () => {
    const kv = new MemoryKv();
    const history = new ValidatorSetHistory(kv);
    await history.record(1n, [v(1), v(2)]);
    const raw = (await kv.get('consensus_validator_sets'))!;
    for (const bad of [raw.subarray(0, raw.length - 1), Uint8Array.from([...raw, 0]), raw.subarray(0, 5)]) {
      const store = new MemoryKv();
      await store.put('consensus_validator_sets', bad);
      await expect(new ValidatorSetHistory(store).load()).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    }
  });
});
