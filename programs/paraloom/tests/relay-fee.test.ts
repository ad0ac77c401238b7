import { describe, expect, it } from 'vitest';
import {
  decodeValidatorAccount,
  findValidatorPda,
  LAMPORTS_PER_SIGNATURE,
  LAMPORTS_PER_SOL,
  registerValidatorInstruction,
  relayFeeFloor,
  SIZES,
  setRelayFeeInstruction,
} from '../../../src/bridge/index.js';
import { deploy } from '../../../src/bridge/testing/index.js';
import { FIELD_MODULUS, FIELD_ZERO, fieldToBytesBE, toField } from '../../../src/privacy/index.js';

const SOL = new Uint8Array(32);

describe('relay fee floors', () => {
  it('registration sets the SOL floor to two nullifier records and a signature; set_relay_fee changes it', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    const p = h.addresses;
    const v = await h.fundedKey(20n);
    expect((await h.send([await registerValidatorInstruction(p, v.signer, 5n * LAMPORTS_PER_SOL)])).ok).toBe(
      true,
    );
    const [pda] = await findValidatorPda(p.programId, v.address);
    const read = () => decodeValidatorAccount(h.accountData(pda)!);
    expect(h.accountData(pda)!.length).toBe(SIZES.validatorAccount);

    const nullifierRent = h.svm.minimumBalanceForRentExemption(BigInt(SIZES.nullifierRecord));
    const defaultFloor = 2n * nullifierRent + LAMPORTS_PER_SIGNATURE;
    expect(read().relayFees).toEqual([{ asset: SOL, floor: defaultFloor }]);

    // Replacing the SOL floor keeps one entry.
    expect((await h.send([await setRelayFeeInstruction(p, v.signer, FIELD_ZERO, 2_500_000n)])).ok).toBe(true);
    expect(read().relayFees).toEqual([{ asset: SOL, floor: 2_500_000n }]);

    // Three more assets fill the table; a fifth asset is refused, a known one can still change.
    for (const asset of [7n, 8n, 9n]) {
      expect(
        (await h.send([await setRelayFeeInstruction(p, v.signer, toField(asset), asset * 100n)])).ok,
      ).toBe(true);
    }
    expect(read().relayFees.map((f) => f.floor)).toEqual([2_500_000n, 700n, 800n, 900n]);
    const fifth = await h.send([await setRelayFeeInstruction(p, v.signer, toField(10n), 1n)]);
    expect(fifth.error?.code).toBe('RELAY_FEE_TABLE_FULL');
    expect((await h.send([await setRelayFeeInstruction(p, v.signer, toField(8n), 0n)])).ok).toBe(true);
    expect(relayFeeFloor(read(), fieldToBytesBE(toField(8n)))).toBe(0n);
    expect(read().relayFees).toHaveLength(4);
  });

  it('refuses a non-canonical asset, a stranger, and a malformed instruction, changing nothing', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    const p = h.addresses;
    const v = await h.fundedKey(20n);
    await h.send([await registerValidatorInstruction(p, v.signer, 5n * LAMPORTS_PER_SOL)]);
    const [pda] = await findValidatorPda(p.programId, v.address);
    const before = h.accountData(pda)!;

    // fieldToBytesBE refuses p itself, so the instruction is patched after building it.
    const ix = await setRelayFeeInstruction(p, v.signer, FIELD_ZERO, 1n);
    const data = Uint8Array.from(ix.data!);
    data.set(bigintBE(FIELD_MODULUS), 8);
    expect((await h.send([{ ...ix, data }])).error?.code).toBe('NON_CANONICAL_FIELD');

    const short = await h.send([{ ...ix, data: ix.data!.subarray(0, 47) }]);
    expect(short.error?.code).toBe('INVALID_INSTRUCTION');

    // A stranger naming this validator's account: the PDA belongs to another key.
    const stranger = await h.fundedKey();
    const foreign = await setRelayFeeInstruction(p, stranger.signer, FIELD_ZERO, 1n);
    const accounts = [foreign.accounts![0]!, { ...foreign.accounts![1]!, address: pda }];
    expect((await h.send([{ ...foreign, accounts }])).error?.code).toBe('ACCOUNT_MISMATCH');
    // An unregistered key's own PDA does not exist.
    expect((await h.send([foreign])).ok).toBe(false);

    expect(h.accountData(pda)).toEqual(before);
  });
});

function bigintBE(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
