import { address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import {
  decodeBridgeState,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  decodeVerifyingKeyAccount,
  relayFeeFloor,
} from './accounts.js';
import { ANCHOR_RING, DEPOSIT_RING, VK_FIXED, VK_HEADER } from './constants.js';
import { BridgeError } from './errors.js';
import {
  type BridgeStateArgs,
  getBridgeStateEncoder,
  getValidatorAccountEncoder,
  getValidatorRegistryEncoder,
  getVerifyingKeyEncoder,
  type ValidatorAccountArgs,
  type VerifyingKeyArgs,
} from './generated/index.js';

const KEY = address('Va1idator1111111111111111111111111111111111');
const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

function bridgeState(anchorCount: bigint, depositCount: bigint): BridgeStateArgs {
  return {
    programVersion: 1,
    bump: 254,
    vaultBump: 253,
    paused: 1,
    cluster: 2,
    admin: KEY,
    minStake: 10n,
    depositCap: 20n,
    unbondingSlots: 30n,
    quorumNum: 2,
    quorumDen: 3,
    slashBps: 1000,
    reporterBps: 5000,
    vkReady: 1,
    registryBump: 0,
    vkBump: 0,
    reserved0: 0,
    lastHeight: anchorCount,
    anchorCount,
    depositCount,
    depositsConsumed: 0n,
    totalDeposited: 0n,
    totalWithdrawn: 0n,
    totalFeesPaid: 0n,
    totalSlashed: 0n,
    reserved: [0n, 0n, 0n, 0n],
    // Anchor number j (0-based, height j + 1 here) sits in slot j % ring; later ones overwrite earlier ones.
    anchors: Array.from({ length: ANCHOR_RING }, (_, slot) => {
      const last = anchorCount - 1n;
      const j =
        last - ((((last - BigInt(slot)) % BigInt(ANCHOR_RING)) + BigInt(ANCHOR_RING)) % BigInt(ANCHOR_RING));
      const height = j >= 0n ? j + 1n : 0n;
      const b = Number(height % 256n);
      return {
        height,
        root: filled(32, b),
        withdrawalsRoot: filled(32, b + 1),
        blockHash: filled(32, b + 2),
      };
    }),
    depositAccs: Array.from({ length: DEPOSIT_RING }, (_, s) => filled(32, s)),
  };
}

function validatorAccount(over: Partial<ValidatorAccountArgs> = {}): ValidatorAccountArgs {
  return {
    key: KEY,
    stake: 5n,
    registeredSlot: 6n,
    unbondingUntil: 0n,
    totalEarnings: 7n,
    pendingRewards: 8n,
    totalSlashed: 9n,
    lastSlashSlot: 10n,
    reputation: 10000,
    slashCount: 1,
    active: 1,
    bump: 255,
    peerIdLen: 3,
    reserved0: 0,
    multiaddrsLen: 2,
    reserved1: 0,
    peerId: filled(64, 7),
    multiaddrs: filled(256, 9),
    relayFeeCount: 2,
    reserved2: 0,
    relayFees: [
      { asset: filled(32, 0), floor: 1_900_000n },
      { asset: filled(32, 1), floor: 42n },
      { asset: filled(32, 2), floor: 7n },
      { asset: filled(32, 3), floor: 8n },
    ],
    ...over,
  };
}

function verifyingKey(icCount: number, bodyPoints: number): VerifyingKeyArgs {
  return {
    icCount,
    finalized: 1,
    reserved: filled(3, 0),
    alphaG1: filled(64, 1),
    betaG2: filled(128, 2),
    gammaG2: filled(128, 3),
    deltaG2: filled(128, 4),
    ic: Array.from({ length: bodyPoints }, (_, i) => filled(64, i)),
  };
}

const encode = <T>(encoder: { encode: (v: T) => Uint8Array | ArrayLike<number> }, v: T): Uint8Array =>
  Uint8Array.from(encoder.encode(v));

function decodeFailure(decode: () => unknown): BridgeError {
  try {
    decode();
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'ACCOUNT_DECODE_FAILED' });
    return err as BridgeError;
  }
  throw new Error('decoded what it should have refused');
}

describe('account decoders over the generated codecs', () => {
  it('return the live anchor and deposit rings in order once they have wrapped', () => {
    const s = decodeBridgeState(encode(getBridgeStateEncoder(), bridgeState(70n, 100n)));
    expect(s).toMatchObject({
      paused: true,
      vkReady: true,
      cluster: 2,
      admin: KEY,
      quorumNum: 2,
      quorumDen: 3,
    });
    expect(s.anchors.map((a) => a.height)).toEqual(Array.from({ length: 64 }, (_, i) => BigInt(i + 7)));
    expect(s.anchors.at(-1)).toEqual({
      height: 70n,
      root: filled(32, 70),
      withdrawalsRoot: filled(32, 71),
      blockHash: filled(32, 72),
    });
    expect([...s.depositAccs.keys()]).toEqual(Array.from({ length: 95 }, (_, i) => 100n - BigInt(i)));
    expect(s.depositAccs.get(100n)).toEqual(filled(32, 100 % DEPOSIT_RING));
  });

  it('return only the anchors and deposits there are before the rings fill', () => {
    const s = decodeBridgeState(encode(getBridgeStateEncoder(), bridgeState(3n, 2n)));
    expect(s.anchors.map((a) => a.height)).toEqual([1n, 2n, 3n]);
    expect([...s.depositAccs.keys()]).toEqual([2n, 1n]);
  });

  it('cut peer id and multiaddrs to their lengths, and the registry to its active validators', () => {
    const v = decodeValidatorAccount(encode(getValidatorAccountEncoder(), validatorAccount()));
    expect(v).toMatchObject({ key: KEY, stake: 5n, active: true, reputation: 10000, bump: 255 });
    expect(v.peerId).toEqual(filled(3, 7));
    expect(v.multiaddrs).toEqual(filled(2, 9));
    // Only the first relay_fee_count entries of the fee table are floors.
    expect(v.relayFees).toEqual([
      { asset: filled(32, 0), floor: 1_900_000n },
      { asset: filled(32, 1), floor: 42n },
    ]);
    expect(relayFeeFloor(v, filled(32, 1))).toBe(42n);
    expect(relayFeeFloor(v, filled(32, 2))).toBeUndefined();
    const validators = Array.from({ length: 64 }, (_, i) => ({ key: KEY, stake: BigInt(i) }));
    const registry = { total: 5, active: 2, totalActiveStake: 1n, minStake: 1n, validators };
    const r = decodeValidatorRegistry(encode(getValidatorRegistryEncoder(), registry));
    expect(r.validators).toEqual([
      { key: KEY, stake: 0n },
      { key: KEY, stake: 1n },
    ]);
  });

  it('keep the verifying key body as the program stores it', () => {
    const data = encode(getVerifyingKeyEncoder(), verifyingKey(2, 2));
    const k = decodeVerifyingKeyAccount(data);
    expect(k).toMatchObject({ icCount: 2, finalized: true });
    expect(k.body).toEqual(data.subarray(VK_HEADER));
    expect(k.body.length).toBe(VK_FIXED + 2 * 64);
  });

  it('refuse short, foreign and inconsistent accounts with ACCOUNT_DECODE_FAILED', () => {
    const state = encode(getBridgeStateEncoder(), bridgeState(1n, 1n));
    decodeFailure(() => decodeBridgeState(state.subarray(0, state.length - 1)));
    const foreign = state.slice();
    foreign[0]! ^= 1;
    decodeFailure(() => decodeBridgeState(foreign));
    const account = encode(getValidatorAccountEncoder(), validatorAccount());
    decodeFailure(() => decodeBridgeState(account));
    decodeFailure(() =>
      decodeValidatorAccount(encode(getValidatorAccountEncoder(), validatorAccount({ peerIdLen: 65 }))),
    );
    decodeFailure(() =>
      decodeValidatorAccount(encode(getValidatorAccountEncoder(), validatorAccount({ multiaddrsLen: 257 }))),
    );
    decodeFailure(() =>
      decodeValidatorAccount(encode(getValidatorAccountEncoder(), validatorAccount({ relayFeeCount: 5 }))),
    );
    const registry = { total: 65, active: 65, totalActiveStake: 1n, minStake: 1n, validators: [] };
    const validators = Array.from({ length: 64 }, () => ({ key: KEY, stake: 1n }));
    decodeFailure(() =>
      decodeValidatorRegistry(encode(getValidatorRegistryEncoder(), { ...registry, validators })),
    );
    // ic_count promises 3 points, the account holds 2.
    decodeFailure(() => decodeVerifyingKeyAccount(encode(getVerifyingKeyEncoder(), verifyingKey(3, 2))));
    // A body whose point count runs past the account: the generated codec refuses, typed.
    const overrun = encode(getVerifyingKeyEncoder(), verifyingKey(2, 2));
    overrun.set([3, 0, 0, 0], VK_HEADER + VK_FIXED - 4);
    const err = decodeFailure(() => decodeVerifyingKeyAccount(overrun));
    expect(err.cause).toBeDefined();
  });
});
