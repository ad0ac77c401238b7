import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizingKey,
  buildWitnessInput,
  type CircuitArtifacts,
  diversifiedKey,
  FIELD_MODULUS,
  FIELD_ZERO,
  fieldMod,
  generateWalletKeys,
  hash4,
  loadCircuitArtifacts,
  noteCommitment,
  noteNullifier,
  nullifierKey,
  PrivacyError,
  proveTransact,
  randomField,
  shutdownProver,
  TransactVerifier,
  toField,
  transactPublicInputs,
} from '../../src/privacy/index.js';
import { makePool, transferRequest, withdrawRequest } from '../../src/privacy/testing/index.js';

let artifacts: CircuitArtifacts;
let verifier: TransactVerifier;

beforeAll(async () => {
  artifacts = await loadCircuitArtifacts();
  verifier = await TransactVerifier.create(artifacts.verifyingKey);
});
afterAll(shutdownProver);

/** Runs the circuit's witness generator on raw signals; resolves if every constraint holds. */
async function witness(input: Record<string, unknown>): Promise<void> {
  await snarkjs.wtns.calculate(input, { type: 'mem', data: artifacts.wasm }, { type: 'mem' });
}

type Signals = Record<string, string | string[] | string[][]>;
const s = (v: bigint) => v.toString();

/** Valid raw signals of a transfer, to be broken one constraint at a time. */
async function validTransferSignals(asset = FIELD_ZERO): Promise<{ input: Signals; sk: bigint }> {
  const pool = await makePool([5_000n, 7_000n], 3, asset);
  const { request } = await transferRequest(pool, 4_000n);
  const [a, b] = request.inputs;
  const nullifiers = [
    noteNullifier(nullifierKey(a.sk), noteCommitment(a.note), a.path.leafIndex),
    noteNullifier(nullifierKey(b.sk), noteCommitment(b.note), b.path.leafIndex),
  ] as const;
  const outputs = [noteCommitment(request.outputs[0]), noteCommitment(request.outputs[1])] as const;
  // The prover's own signal builder, so these tests break exactly the constraints real inputs meet.
  return { sk: pool.owner.sk, input: buildWitnessInput(request, { nullifiers, outputs }) as Signals };
}

function outCommitment(input: Signals, k: number, amount: bigint): string {
  const f = (v: string) => toField(BigInt(v));
  return s(
    hash4(
      fieldMod(amount),
      f((input.out_pk as string[])[k]!),
      f((input.out_blinding as string[])[k]!),
      f(input.asset as string),
    ),
  );
}

/** Input 0's commitment and nullifier recomputed from its (possibly altered) signals. */
function inputNote(input: Signals, nk?: bigint): { commitment: string; nullifier: string } {
  const f = (v: string) => toField(BigInt(v));
  const at = (key: string) => (input[key] as string[])[0]!;
  const sk = f(at('in_sk'));
  const commitment = hash4(
    f(at('in_amount')),
    diversifiedKey(authorizingKey(sk), f(at('in_d'))),
    f(at('in_blinding')),
    f(input.asset as string),
  );
  const leafIndex = Number(at('in_leaf_index'));
  return {
    commitment: s(commitment),
    nullifier: s(noteNullifier(nk === undefined ? nullifierKey(sk) : toField(nk), commitment, leafIndex)),
  };
}

describe('transact circuit with real proofs', () => {
  it('proves and verifies a private transfer; snarkjs agrees', async () => {
    const pool = await makePool([5_000_000_000n, 2_500_000_000n]);
    const { request } = await transferRequest(pool, 3_000_000_000n);
    const stages: string[] = [];
    const result = await proveTransact(request, artifacts, (stage) => stages.push(stage));
    expect(stages).toEqual(['checking', 'witness', 'proving', 'done']);
    expect(verifier.verify(result)).toBe(true);
    const publicSignals = transactPublicInputs(result.statement).map(String);
    expect(
      await snarkjs.groth16.verify(
        artifacts.verifyingKey,
        publicSignals,
        result.proof.toSnarkjs() as snarkjs.SnarkjsProofJson,
      ),
    ).toBe(true);
  });

  it('proves and verifies a withdrawal with a dummy input and a relayer fee', async () => {
    const pool = await makePool([5_000_000_000n]);
    const request = await withdrawRequest(pool, 2_000_000_000n, 5_000_000n);
    const result = await proveTransact(request, artifacts);
    expect(verifier.verify(result)).toBe(true);
    expect(transactPublicInputs(result.statement)[1]).toBe(FIELD_MODULUS - 2_000_000_000n);
  });

  it('rejects a proof whose public inputs changed after proving', async () => {
    const pool = await makePool([5_000_000_000n]);
    const result = await proveTransact(await withdrawRequest(pool, 2_000_000_000n, 5_000_000n), artifacts);
    const st = result.statement;
    const changed = [
      { ...st, root: randomField() },
      { ...st, extData: { ...st.extData, fee: st.extData.fee + 1n } },
      { ...st, extData: { ...st.extData, extAmount: st.extData.extAmount - 1n } },
      { ...st, extData: { ...st.extData, recipient: new Uint8Array(32).fill(9) } },
      { ...st, extData: { ...st.extData, expirationSlot: st.extData.expirationSlot + 1n } },
      { ...st, nullifiers: [st.nullifiers[1], st.nullifiers[0]] as const },
      { ...st, outputCommitments: [st.outputCommitments[0], randomField()] as const },
      { ...st, assetPublic: toField(1n) },
    ];
    for (const statement of changed) expect(verifier.verify({ proof: result.proof, statement })).toBe(false);
  });

  it('the circuit computes the same Poseidon, commitments and nullifiers as the host', async () => {
    const { input } = await validTransferSignals();
    await expect(witness(input)).resolves.toBeUndefined();
  });

  it('cannot produce a witness for unbalanced amounts', async () => {
    const { input } = await validTransferSignals();
    const amount = BigInt((input.out_amount as string[])[0]!) + 1n;
    (input.out_amount as string[])[0] = s(amount);
    (input.out_commitment as string[])[0] = outCommitment(input, 0, amount);
    await expect(witness(input)).rejects.toThrow(/Assert Failed/);
  });

  it('cannot produce a witness for duplicate nullifiers (one note spent twice)', async () => {
    const { input } = await validTransferSignals();
    for (const key of ['in_amount', 'in_sk', 'in_d', 'in_blinding', 'in_leaf_index', 'nullifier'] as const) {
      (input[key] as string[])[1] = (input[key] as string[])[0]!;
    }
    (input.in_path as string[][])[1] = (input.in_path as string[][])[0]!;
    const total = 2n * BigInt((input.in_amount as string[])[0]!);
    (input.out_amount as string[])[0] = s(total);
    (input.out_amount as string[])[1] = '0';
    (input.out_commitment as string[])[0] = outCommitment(input, 0, total);
    (input.out_commitment as string[])[1] = outCommitment(input, 1, 0n);
    await expect(witness(input)).rejects.toThrow(/Assert Failed/);
  });

  it('cannot produce a witness for an input that is not in the tree', async () => {
    const { input } = await validTransferSignals();
    (input.in_blinding as string[])[0] = s(randomField()); // a different note: same owner, unknown commitment
    (input.nullifier as string[])[0] = inputNote(input).nullifier;
    await expect(witness(input)).rejects.toThrow(/Assert Failed/);
  });

  it('cannot produce a witness for amounts of 2^64 or more, even when they balance mod p', async () => {
    const { input } = await validTransferSignals();
    const total = BigInt((input.in_amount as string[])[0]!) + BigInt((input.in_amount as string[])[1]!);
    const big = (1n << 64n) + total;
    const wrap = FIELD_MODULUS - (1n << 64n); // big + wrap == total (mod p)
    (input.out_amount as string[])[0] = s(big);
    (input.out_amount as string[])[1] = s(wrap);
    (input.out_commitment as string[])[0] = outCommitment(input, 0, big);
    (input.out_commitment as string[])[1] = outCommitment(input, 1, wrap);
    await expect(witness(input)).rejects.toThrow(/Assert Failed/);
  });

  it("cannot spend a note with another key's nk (one note, one nullifier)", async () => {
    const { input } = await validTransferSignals();
    const stranger = generateWalletKeys();
    // The nullifier of the right note under another wallet's nk, or under nk = sk (the v1 form).
    for (const nk of [stranger.nk, BigInt((input.in_sk as string[])[0]!)]) {
      const altered = structuredClone(input);
      (altered.nullifier as string[])[0] = inputNote(altered, nk).nullifier;
      await expect(witness(altered)).rejects.toThrow(/Assert Failed/);
    }
    // Spending with another sk breaks pk_d = P2(P1(sk), d), hence the commitment and membership,
    // even when its nullifier is computed consistently with that sk.
    const second = structuredClone(input);
    (second.in_sk as string[])[0] = s(stranger.sk);
    (second.nullifier as string[])[0] = inputNote(second).nullifier;
    await expect(witness(second)).rejects.toThrow(/Assert Failed/);
    // So does the right sk with another diversifier (another owner key).
    const third = structuredClone(input);
    (third.in_d as string[])[0] = s(randomField());
    (third.nullifier as string[])[0] = inputNote(third).nullifier;
    await expect(witness(third)).rejects.toThrow(/Assert Failed/);
  });

  it('a transfer shows asset_public = 0, whatever asset it moves', async () => {
    const asset = toField(5n);
    const pool = await makePool([5_000n, 7_000n], 3, asset);
    const { request } = await transferRequest(pool, 4_000n);
    const result = await proveTransact(request, artifacts);
    expect(result.statement.assetPublic).toBe(FIELD_ZERO);
    expect(transactPublicInputs(result.statement)[3]).toBe(FIELD_ZERO);
    expect(verifier.verify(result)).toBe(true);
    expect(verifier.verify({ ...result, statement: { ...result.statement, assetPublic: asset } })).toBe(
      false,
    );
    // The rule binds only when value moves: a transfer's witness with any asset_public exists (the
    // L2 refuses such transfers so none shows its asset; ledger/codec.test.ts).
    const { input } = await validTransferSignals(asset);
    await expect(witness({ ...input, asset_public: s(asset) })).resolves.toBeUndefined();
    await expect(witness({ ...input, asset_public: '9' })).resolves.toBeUndefined();
  });

  it('a withdrawal must name its asset', async () => {
    const asset = toField(5n);
    const pool = await makePool([5_000_000n], 3, asset);
    const request = await withdrawRequest(pool, 2_000_000n, 5_000n);
    const result = await proveTransact(request, artifacts);
    expect(result.statement.assetPublic).toBe(asset);
    expect(verifier.verify(result)).toBe(true);
    for (const other of [FIELD_ZERO, toField(6n)]) {
      expect(verifier.verify({ ...result, statement: { ...result.statement, assetPublic: other } })).toBe(
        false,
      );
    }
    // No witness exists for a withdrawal that names another asset (0 = SOL included).
    const nullifiers = [
      noteNullifier(
        nullifierKey(request.inputs[0].sk),
        noteCommitment(request.inputs[0].note),
        request.inputs[0].path.leafIndex,
      ),
      noteNullifier(
        nullifierKey(request.inputs[1].sk),
        noteCommitment(request.inputs[1].note),
        request.inputs[1].path.leafIndex,
      ),
    ] as const;
    const outputs = [noteCommitment(request.outputs[0]), noteCommitment(request.outputs[1])] as const;
    const input = buildWitnessInput(request, { nullifiers, outputs }) as Signals;
    expect(input.asset_public).toBe(s(asset));
    await expect(witness(input)).resolves.toBeUndefined();
    for (const other of ['0', '6']) {
      await expect(witness({ ...input, asset_public: other })).rejects.toThrow(/Assert Failed/);
    }
  });

  it('the prover refuses inconsistent requests before proving, with a typed error', async () => {
    const pool = await makePool([5_000n, 7_000n]);
    const { request } = await transferRequest(pool, 4_000n);
    const unbalanced = {
      ...request,
      outputs: [{ ...request.outputs[0], amount: 4_001n }, request.outputs[1]] as const,
    };
    await expect(proveTransact(unbalanced, artifacts)).rejects.toMatchObject({
      code: 'PROVER_INPUT_INVALID',
    });
    const wrongRoot = { ...request, root: randomField() };
    await expect(proveTransact(wrongRoot, artifacts)).rejects.toBeInstanceOf(PrivacyError);
    const wrongDiversifier = {
      ...request,
      inputs: [{ ...request.inputs[0], diversifier: randomField() }, request.inputs[1]] as const,
    };
    await expect(proveTransact(wrongDiversifier, artifacts)).rejects.toMatchObject({
      code: 'PROVER_INPUT_INVALID',
    });
  });
});

describe('Poseidon known answer through a compiled circuit', () => {
  it('P2(1, 2) from circom equals the host value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-poseidon-'));
    writeFileSync(
      join(dir, 'p2.circom'),
      'pragma circom 2.1.0;\ninclude "poseidon.circom";\ntemplate T() { signal input a; signal input b; signal output h; component p = Poseidon(2); p.inputs[0] <== a; p.inputs[1] <== b; h <== p.out; }\ncomponent main = T();\n',
    );
    execFileSync(
      'npx',
      ['circom2', join(dir, 'p2.circom'), '--wasm', '-l', 'node_modules/circomlib/circuits', '-o', dir],
      {
        stdio: 'ignore',
      },
    );
    const wasm = readFileSync(join(dir, 'p2_js', 'p2.wasm'));
    const wtns = { type: 'mem' as const, data: undefined as Uint8Array | undefined };
    await snarkjs.wtns.calculate({ a: '1', b: '2' }, { type: 'mem', data: new Uint8Array(wasm) }, wtns);
    // signal 0 is the constant 1, signal 1 the main component's output
    const values = await snarkjs.wtns.exportJson(wtns);
    expect(values[1]).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });
});
