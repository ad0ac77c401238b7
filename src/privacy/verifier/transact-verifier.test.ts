import { beforeAll, describe, expect, it } from 'vitest';
import { loadCircuitArtifacts } from '../artifacts.js';
import { mcl } from '../curve/mcl.js';
import { randomField } from '../field.js';
import { Groth16Proof, rerandomizeProof } from '../proof/groth16-proof.js';
import { transactFixtures } from '../testing/index.js';
import type { TransactVerification } from './transact-verifier.js';
import { TransactVerifier } from './transact-verifier.js';
import { VerifyingKey } from './verifying-key.js';

let verifier: TransactVerifier;
let base: TransactVerification[];

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  verifier = await TransactVerifier.create(artifacts.verifyingKey);
  base = await transactFixtures(8, artifacts);
}, 600_000);

/** n valid items: the fixtures' 8 statements, each proof re-randomized so all proofs differ. */
function batchOf(n: number): TransactVerification[] {
  return Array.from({ length: n }, (_, i) => {
    const item = base[i % base.length]!;
    return { statement: item.statement, proof: rerandomizeProof(item.proof, verifier.verifyingKey.delta) };
  });
}

type Tamper = (items: TransactVerification[], k: number) => void;
const tampers: Record<string, Tamper> = {
  'changed amount': (items, k) => {
    const it = items[k]!;
    const ext = it.statement.extData;
    const extAmount = ext.extAmount === 0n ? -1n : ext.extAmount - 1n;
    items[k] = { ...it, statement: { ...it.statement, extData: { ...ext, extAmount, fee: 0n } } };
  },
  'C swapped from another proof': (items, k) => {
    const it = items[k]!;
    const donor = items[(k + 3) % items.length]!;
    items[k] = { ...it, proof: Groth16Proof.fromParts(it.proof.a, it.proof.b, donor.proof.c) };
  },
  'wrong public inputs': (items, k) => {
    const it = items[k]!;
    items[k] = { ...it, statement: { ...it.statement, root: randomField() } };
  },
};

describe('transact verifier', () => {
  it('verifies real proofs one by one and rejects them under another statement', () => {
    for (const item of base) expect(verifier.verify(item)).toBe(true);
    expect(verifier.verify({ proof: base[0]!.proof, statement: base[1]!.statement })).toBe(false);
  });

  it('accepts re-randomized proofs, which differ in every byte group', () => {
    const again = rerandomizeProof(base[0]!.proof, verifier.verifyingKey.delta);
    expect(Buffer.from(again.toWire()).equals(Buffer.from(base[0]!.proof.toWire()))).toBe(false);
    expect(verifier.verify({ proof: again, statement: base[0]!.statement })).toBe(true);
  });

  it('accepts valid batches of 16 and 64 in a single pairing check', () => {
    for (const n of [1, 2, 16, 64]) {
      const result = verifier.verifyBatch(batchOf(n));
      expect(result).toEqual({ valid: true, invalid: [], pairingChecks: 1 });
    }
  });

  for (const size of [16, 64]) {
    for (const [name, tamper] of Object.entries(tampers)) {
      it(`names the culprit in a batch of ${size} with one proof tampered (${name})`, () => {
        const items = batchOf(size);
        const k = (size * 5) % 7 === 0 ? 1 : Math.floor(size / 3) + 1;
        tamper(items, k);
        const result = verifier.verifyBatch(items);
        expect(result.valid).toBe(false);
        expect(result.invalid).toEqual([k]);
        expect(verifier.verify(items[k]!)).toBe(false);
      });
    }
  }

  // The batch scalars sum to 1; these are the cases that choice must not let through.
  it('rejects a batch whose proofs all carry the same defect, and one whose last proof is bad', () => {
    const wrong = { ...base[0]!, statement: { ...base[0]!.statement, root: randomField() } };
    for (const n of [2, 5]) {
      const same = Array.from({ length: n }, () => wrong);
      expect(verifier.verifyBatch(same).invalid).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const lastBad = batchOf(9);
    tampers['C swapped from another proof']!(lastBad, 8);
    expect(verifier.verifyBatch(lastBad).invalid).toEqual([8]);
    const twoBad = batchOf(2);
    tampers['changed amount']!(twoBad, 0);
    expect(verifier.verifyBatch(twoBad).invalid).toEqual([0]);
  });

  it('names several culprits', () => {
    const items = batchOf(16);
    tampers['wrong public inputs']!(items, 0);
    tampers['C swapped from another proof']!(items, 15);
    tampers['changed amount']!(items, 7);
    expect(verifier.verifyBatch(items).invalid).toEqual([0, 7, 15]);
  });

  it('refuses a verifying key with gamma == delta (no phase-2 contribution)', async () => {
    const json = (await loadCircuitArtifacts()).verifyingKey;
    expect(() => VerifyingKey.fromSnarkjs({ ...json, vk_delta_2: json.vk_gamma_2 })).toThrowError(
      expect.objectContaining({ code: 'VKEY_NO_CONTRIBUTION' }),
    );
    expect(() => VerifyingKey.fromSnarkjs({ ...json, IC: json.IC.slice(1) })).toThrowError(
      expect.objectContaining({ code: 'VKEY_INVALID' }),
    );
    const badAlpha = { ...json, vk_alpha_1: [json.vk_alpha_1[0]!, '5', '1'] };
    expect(() => VerifyingKey.fromSnarkjs(badAlpha)).toThrowError(
      expect.objectContaining({ code: 'VKEY_INVALID' }),
    );
  });

  it('round-trips the on-chain verifying key layout', () => {
    const bytes = verifier.verifyingKey.toChainBytes();
    expect(bytes.length).toBe(64 + 3 * 128 + 4 + 9 * 64);
    const alpha = mcl.normalize(verifier.verifyingKey.alpha);
    expect(BigInt(`0x${Buffer.from(bytes.subarray(0, 32)).toString('hex')}`)).toBe(
      BigInt(`0x${alpha.getX().getStr(16)}`),
    );
    const back = VerifyingKey.fromChainBytes(bytes);
    expect(back.toChainBytes()).toEqual(bytes);
    expect(back.delta.isEqual(verifier.verifyingKey.delta)).toBe(true);
  });

  it('refuses a chain verifying key with a bad length, count or point', () => {
    const bytes = verifier.verifyingKey.toChainBytes();
    expect(() => VerifyingKey.fromChainBytes(bytes.subarray(0, bytes.length - 1))).toThrow(
      expect.objectContaining({ code: 'VKEY_INVALID' }),
    );
    const badCount = bytes.slice();
    badCount[64 + 3 * 128] = 10;
    expect(() => VerifyingKey.fromChainBytes(badCount)).toThrow(
      expect.objectContaining({ code: 'VKEY_INVALID' }),
    );
    const offCurve = bytes.slice();
    offCurve[63]! ^= 1; // alpha.y changed: not on the curve
    expect(() => VerifyingKey.fromChainBytes(offCurve)).toThrow(
      expect.objectContaining({ code: 'VKEY_INVALID' }),
    );
    const noContribution = bytes.slice();
    noContribution.set(bytes.subarray(192, 320), 320); // delta := gamma
    expect(() => VerifyingKey.fromChainBytes(noContribution)).toThrow(
      expect.objectContaining({ code: 'VKEY_NO_CONTRIBUTION' }),
    );
  });
});
