import { getBase64Encoder } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import {
  DEPOSIT_RING,
  type DepositArgs,
  decodeBridgeState,
  depositInstruction,
  eventDiscriminator,
  LAMPORTS_PER_SOL,
  pauseInstruction,
  unpauseInstruction,
} from '../../../src/bridge/index.js';
import { deploy, TEST_PARAMS } from '../../../src/bridge/testing/index.js';
import { bytesToHex } from '../../../src/common/index.js';
import {
  FIELD_MODULUS,
  FIELD_ZERO,
  fieldToBytesBE,
  hash2,
  hash4,
  randomField,
  toField,
} from '../../../src/privacy/index.js';

const note = (amount: bigint): DepositArgs => ({
  amount,
  ownerPk: randomField(),
  blinding: randomField(),
  asset: FIELD_ZERO,
});

function depositEvents(logs: string[]): Uint8Array[] {
  const disc = bytesToHex(eventDiscriminator('DepositEvent'));
  return logs
    .filter((l) => l.startsWith('Program data: '))
    .map((l) => new Uint8Array(getBase64Encoder().encode(l.slice('Program data: '.length))))
    .filter((b) => bytesToHex(b.subarray(0, 8)) === disc);
}

describe('deposit', () => {
  it('moves SOL into the vault, computes the commitment with sol_poseidon and chains the accumulator', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    const p = h.addresses;
    const user = await h.fundedKey(50n);
    const vault0 = h.balance(p.vault);
    const a = note(3n * LAMPORTS_PER_SOL);
    const b = note(1234n);
    const r1 = await h.send([depositInstruction(p, user.signer, a)], user);
    expect(r1.ok, r1.logs.join('\n')).toBe(true);
    const r2 = await h.send([depositInstruction(p, user.signer, b)], user);
    expect(r2.ok).toBe(true);

    const c1 = hash4(toField(a.amount), a.ownerPk, a.blinding, a.asset);
    const c2 = hash4(toField(b.amount), b.ownerPk, b.blinding, b.asset);
    const acc1 = hash2(FIELD_ZERO, c1);
    const acc2 = hash2(acc1, c2);
    const [ev] = depositEvents(r2.logs);
    expect(ev).toBeDefined();
    const view = new DataView(ev!.buffer, ev!.byteOffset);
    expect(view.getBigUint64(8, true)).toBe(1n); // index of the second deposit
    expect(view.getBigUint64(16, true)).toBe(1234n);
    expect(ev!.subarray(24, 56)).toEqual(fieldToBytesBE(c2));
    expect(ev!.subarray(56, 88)).toEqual(fieldToBytesBE(acc2));

    const s = decodeBridgeState(h.accountData(p.bridgeState)!);
    expect(s.depositCount).toBe(2n);
    expect(s.depositAccs.get(1n)).toEqual(fieldToBytesBE(acc1));
    expect(s.depositAccs.get(2n)).toEqual(fieldToBytesBE(acc2));
    expect(s.totalDeposited).toBe(a.amount + b.amount);
    expect(h.balance(p.vault)).toBe(vault0 + a.amount + b.amount);
  });

  it('rejects paused, zero, over-cap, non-canonical and non-SOL deposits without changing anything', async () => {
    const { h, admin } = await deploy({ withVerifyingKey: false });
    const p = h.addresses;
    const user = await h.fundedKey(500n);
    const snapshot = () => [bytesToHex(h.accountData(p.bridgeState)!), h.balance(p.vault)];
    const before = snapshot();

    const nonCanonical = depositInstruction(p, user.signer, note(10n));
    const data = new Uint8Array(nonCanonical.data!);
    // owner_pk = p: the field element 0 written as its non-canonical twin
    const pBytes = new Uint8Array(32);
    let v = FIELD_MODULUS;
    for (let i = 31; i >= 0; i--) {
      pBytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    data.set(pBytes, 16);
    const cases: [string, Parameters<typeof h.send>[0]][] = [
      ['ZERO_AMOUNT', [depositInstruction(p, user.signer, note(0n))]],
      ['AMOUNT_OVER_CAP', [depositInstruction(p, user.signer, note(TEST_PARAMS.depositCap + 1n))]],
      ['NON_CANONICAL_FIELD', [{ ...nonCanonical, data }]],
      ['UNSUPPORTED_ASSET', [depositInstruction(p, user.signer, { ...note(10n), asset: toField(1n) })]],
    ];
    for (const [code, ixs] of cases) {
      const r = await h.send(ixs, user);
      expect(r.error?.code, code).toBe(code);
    }
    expect(snapshot()).toEqual(before);

    expect((await h.send([pauseInstruction(p, admin.signer)])).ok).toBe(true);
    expect((await h.send([depositInstruction(p, user.signer, note(10n))], user)).error?.code).toBe('PAUSED');
    expect((await h.send([unpauseInstruction(p, admin.signer)])).ok).toBe(true);
    expect((await h.send([depositInstruction(p, user.signer, note(10n))], user)).ok).toBe(true);
  });

  it('refuses to overwrite an accumulator the next anchor may still need (queue full)', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    const user = await h.fundedKey(10n);
    for (let i = 0; i < DEPOSIT_RING - 1; i++) {
      const r = await h.send([depositInstruction(h.addresses, user.signer, note(1000n))], user);
      expect(r.ok).toBe(true);
    }
    const full = await h.send([depositInstruction(h.addresses, user.signer, note(1000n))], user);
    expect(full.error?.code).toBe('DEPOSIT_QUEUE_FULL');
  });
});
