import { describe, expect, it } from 'vitest';
import {
  type AnchorFields,
  decodeBridgeState,
  depositInstruction,
  unregisterValidatorInstruction,
} from '../../../src/bridge/index.js';
import type { ProgramHarness, TestKey } from '../../../src/bridge/testing/index.js';
import {
  anchorInstructions,
  bytes32,
  deploy,
  registerValidators,
} from '../../../src/bridge/testing/index.js';
import {
  FIELD_MODULUS,
  FIELD_ZERO,
  fieldToBytesBE,
  hash2,
  hash4,
  randomField,
  toField,
} from '../../../src/privacy/index.js';

const fields = (height: bigint, over: Partial<AnchorFields> = {}): AnchorFields => ({
  height,
  root: fieldToBytesBE(randomField()),
  depositsConsumed: 0n,
  depositAcc: new Uint8Array(32),
  withdrawalsRoot: new Uint8Array(32),
  blockHash: bytes32(Number(height % 200n) + 1),
  maxExpirationSlot: 0n,
  ...over,
});

async function cohort(n = 10): Promise<{ h: ProgramHarness; vals: TestKey[]; outsider: TestKey }> {
  const { h } = await deploy({ withVerifyingKey: false });
  const vals = await registerValidators(h, n);
  return { h, vals, outsider: await h.fundedKey() };
}

describe('anchor_root', () => {
  it('accepts a 7-of-10 quorum (6 Ed25519 signatures + the submitting validator) in one transaction', async () => {
    const { h, vals } = await cohort();
    const f = fields(1n);
    const res = await h.send(await anchorInstructions(h, vals[0]!, vals.slice(1, 7), f), vals[0]!);
    expect(res.ok, res.logs.join('\n')).toBe(true);
    expect(res.size).toBeLessThanOrEqual(1232);
    const s = decodeBridgeState(h.accountData(h.addresses.bridgeState)!);
    expect(s.lastHeight).toBe(1n);
    expect(s.anchors.at(-1)).toEqual({
      height: 1n,
      root: f.root,
      withdrawalsRoot: f.withdrawalsRoot,
      blockHash: f.blockHash,
    });
  });

  it('counts Ed25519 signatures alone when the submitter is not a validator', async () => {
    const { h, vals, outsider } = await cohort(6);
    const res = await h.send(await anchorInstructions(h, outsider, vals.slice(0, 5), fields(1n)), outsider);
    expect(res.ok, res.logs.join('\n')).toBe(true);
    // Seven separate Ed25519 signatures no longer fit one 1,232-byte transaction: with 10 validators
    // the submitter must be one of the quorum (the coordinator is a validator).
    const big = await cohort(10);
    const tooBig = await big.h.send(
      await anchorInstructions(big.h, big.outsider, big.vals.slice(0, 7), fields(1n)),
      big.outsider,
    );
    expect(tooBig.runtimeError).toBe('transaction too large');
  });

  it('does not count 2/3 exactly, duplicates, outsiders, wrong messages or unregistered validators', async () => {
    const { h, vals, outsider } = await cohort(6);
    const stranger = await h.fundedKey();
    const f = fields(1n);
    const attempts: [string, TestKey[]][] = [
      ['exactly 2/3', vals.slice(0, 4)],
      ['duplicates', [...vals.slice(0, 4), vals[0]!]],
      ['outsiders', [...vals.slice(0, 4), stranger]],
    ];
    for (const [name, signers] of attempts) {
      const r = await h.send(await anchorInstructions(h, outsider, signers, f), outsider);
      expect(r.error?.code, name).toBe('QUORUM_NOT_REACHED');
    }
    // Signatures over another cluster's or another height's digest do not count toward this anchor.
    const wrongCluster = await anchorInstructions(h, outsider, vals.slice(0, 5), f, 1);
    expect((await h.send(wrongCluster, outsider)).error?.code).toBe('QUORUM_NOT_REACHED');
    const other = await anchorInstructions(h, outsider, vals.slice(0, 5), fields(2n));
    const mixed = [other[0]!, (await anchorInstructions(h, outsider, [], f))[0]!];
    expect((await h.send(mixed, outsider)).error?.code).toBe('QUORUM_NOT_REACHED');
    // An unregistered validator no longer counts, and no longer dilutes the total either.
    expect(
      (await h.send([await unregisterValidatorInstruction(h.addresses, vals[5]!.signer)], vals[5]!)).ok,
    ).toBe(true);
    const r = await h.send(
      await anchorInstructions(h, outsider, [...vals.slice(0, 3), vals[5]!], f),
      outsider,
    );
    expect(r.error?.code).toBe('QUORUM_NOT_REACHED');
    expect((await h.send(await anchorInstructions(h, outsider, vals.slice(0, 4), f), outsider)).ok).toBe(
      true,
    );
    expect(decodeBridgeState(h.accountData(h.addresses.bridgeState)!).lastHeight).toBe(1n);
  });

  it('requires strictly increasing heights and canonical field values', async () => {
    const { h, vals, outsider } = await cohort(4);
    const send = async (f: AnchorFields) => h.send(await anchorInstructions(h, outsider, vals, f), outsider);
    expect((await send(fields(5n))).ok).toBe(true);
    expect((await send(fields(5n))).error?.code).toBe('HEIGHT_NOT_INCREASING');
    expect((await send(fields(4n))).error?.code).toBe('HEIGHT_NOT_INCREASING');
    const p = new Uint8Array(32);
    let v = FIELD_MODULUS;
    for (let i = 31; i >= 0; i--, v >>= 8n) p[i] = Number(v & 0xffn);
    expect((await send(fields(6n, { root: p }))).error?.code).toBe('NON_CANONICAL_FIELD');
    expect((await send(fields(6n, { withdrawalsRoot: p }))).error?.code).toBe('NON_CANONICAL_FIELD');
    expect((await send(fields(6n))).ok).toBe(true);
  });

  it('checks deposits_consumed against the queue and its accumulator', async () => {
    const { h, vals, outsider } = await cohort(4);
    const user = await h.fundedKey();
    const commitments = [];
    for (const amount of [100n, 200n, 300n]) {
      const n = { amount, ownerPk: randomField(), blinding: randomField(), asset: FIELD_ZERO };
      expect((await h.send([depositInstruction(h.addresses, user.signer, n)], user)).ok).toBe(true);
      commitments.push(hash4(toField(amount), n.ownerPk, n.blinding, n.asset));
    }
    const acc1 = hash2(FIELD_ZERO, commitments[0]!);
    const acc2 = hash2(acc1, commitments[1]!);
    const send = async (f: AnchorFields) => h.send(await anchorInstructions(h, outsider, vals, f), outsider);
    const c = (n: bigint, acc: bigint) => ({ depositsConsumed: n, depositAcc: fieldToBytesBE(toField(acc)) });
    expect((await send(fields(1n, c(4n, acc2)))).error?.code).toBe('DEPOSITS_OUT_OF_RANGE');
    // The program signs-checks against its own accumulator: signatures over another one do not count.
    expect((await send(fields(1n, c(2n, acc1)))).error?.code).toBe('QUORUM_NOT_REACHED');
    expect((await send(fields(1n, c(0n, acc1)))).error?.code).toBe('QUORUM_NOT_REACHED');
    expect((await send(fields(1n, c(2n, acc2)))).ok).toBe(true);
    expect((await send(fields(2n, c(1n, acc1)))).error?.code).toBe('DEPOSITS_OUT_OF_RANGE');
    expect((await send(fields(2n, c(2n, acc2)))).ok).toBe(true);
    expect(decodeBridgeState(h.accountData(h.addresses.bridgeState)!).depositsConsumed).toBe(2n);
  });

  it('refuses Ed25519 instructions whose offsets point outside themselves', async () => {
    const { h, vals, outsider } = await cohort(4);
    const ixs = await anchorInstructions(h, outsider, vals, fields(1n));
    const data = new Uint8Array(ixs[0]!.data!);
    // Rewrite every 0xFFFF instruction index to 0: the same bytes (the Ed25519 instruction is index 0),
    // so the precompile still verifies them, but the program only trusts the explicit self-reference.
    for (let i = 0; i < data[0]!; i++) {
      for (const f of [2, 6, 12]) data.set([0, 0], 2 + 14 * i + f);
    }
    const r = await h.send([{ ...ixs[0]!, data }, ixs[1]!], outsider);
    expect(r.error?.code, r.runtimeError).toBe('BAD_SIGNATURE_INSTRUCTION');
  });
});
