import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadOwnershipVerifier,
  OWNERSHIP_DEV_KEYS_DIR,
  type OwnershipStatement,
  type OwnershipVerifier,
  ownershipTag,
  ownershipWitnessInput,
  proveOwnership,
} from '../../src/compute/index.js';
import {
  type CircuitArtifacts,
  depositNote,
  FIELD_MODULUS,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  noteCommitment,
  randomField,
  shutdownProver,
  toField,
  type WalletKeys,
} from '../../src/privacy/index.js';

// The ownership circuit against its own witness generator: a valid witness passes, and breaking
// any one constraint makes witness generation fail, so no proof could exist for it.

let artifacts: CircuitArtifacts;
let verifier: OwnershipVerifier;
type Signals = Record<string, unknown>;
let valid: Signals;
let request: Parameters<typeof proveOwnership>[0];
let statement: OwnershipStatement;
let owner: WalletKeys;

beforeAll(async () => {
  artifacts = await loadCircuitArtifacts(OWNERSHIP_DEV_KEYS_DIR, 'ownership');
  verifier = await loadOwnershipVerifier();
  // A deposit's note: owned by a diversified key other than the address's, as the wallet makes them.
  owner = generateWalletKeys();
  const { note, diversifier } = depositNote(owner, 3, 700n, toField(0n));
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  for (let i = 0; i < 5; i++) await tree.append(randomField());
  const leafIndex = await tree.append(noteCommitment(note));
  const scope = toField(9n);
  request = {
    sk: owner.sk,
    diversifier,
    note,
    path: await tree.path(leafIndex),
    root: tree.root,
    jobId: randomField(),
    scope,
    minAmount: 500n,
  };
  statement = {
    root: tree.root,
    jobId: request.jobId,
    scope,
    minAmount: 500n,
    tag: ownershipTag(owner.sk, note, scope),
  };
  valid = ownershipWitnessInput(request, statement);
});
afterAll(async () => {
  verifier?.destroy();
  await shutdownProver();
});

async function witness(input: Signals): Promise<void> {
  await snarkjs.wtns.calculate(input, { type: 'mem', data: artifacts.wasm }, { type: 'mem' });
}

describe('ownership circuit', () => {
  it('accepts a valid witness, and its proof verifies only for its own job id', async () => {
    await expect(witness(valid)).resolves.toBeUndefined();
    const { proof, statement: proven } = await proveOwnership(request, artifacts);
    expect(proven.tag).toBe(statement.tag);
    expect(verifier.verify(proof, proven)).toBe(true);
    expect(verifier.verify(proof, { ...proven, jobId: toField((proven.jobId + 1n) % FIELD_MODULUS) })).toBe(
      false,
    );
    expect(verifier.verify(proof, { ...proven, minAmount: 1n })).toBe(false);
  });

  it('rejects another key or diversifier, a wrong tag, a wrong root, a tampered path', async () => {
    const path = valid.path as string[];
    const cases: Signals[] = [
      { ...valid, sk: randomField().toString() },
      // The right key with another diversifier opens another owner key: not this note.
      { ...valid, d: owner.d0.toString() },
      { ...valid, tag: randomField().toString() },
      { ...valid, root: randomField().toString() },
      { ...valid, path: [randomField().toString(), ...path.slice(1)] },
      { ...valid, leaf_index: (Number(valid.leaf_index) ^ 1).toString() },
    ];
    for (const c of cases) await expect(witness(c)).rejects.toThrow();
  });

  it('rejects a note below the minimum and out-of-range amounts', async () => {
    await expect(witness({ ...valid, min_amount: '701' })).rejects.toThrow();
    // A "negative" minimum (p - 1) would pass a bare comparison; Num2Bits(64) stops it.
    await expect(witness({ ...valid, min_amount: (FIELD_MODULUS - 1n).toString() })).rejects.toThrow();
    await expect(witness({ ...valid, leaf_index: (2n ** 32n).toString() })).rejects.toThrow();
  });
});
