import type * as Snarkjs from 'snarkjs';
import type { CircuitArtifacts } from './artifacts.js';
import { initCurve } from './curve/mcl.js';
import { PrivacyError, type PrivacyErrorContexts } from './errors.js';
import { computeExtDataHash, type ExtData, publicAmountFromExt, validateExtData } from './ext-data.js';
import { type Field, fieldMod, randomField } from './field.js';
import { authorizingKey, diversifiedKey, generateWalletKeys, nullifierKey } from './keys.js';
import { checkAmount, type Note, noteCommitment, noteNullifier } from './note.js';
import { Groth16Proof } from './proof/groth16-proof.js';
import { assetPublicFor, type TransactStatement } from './transact.js';
import { computeRoot, type MerklePath } from './tree/merkle-tree.js';
import { TREE_DEPTH, ZERO_HASHES } from './tree/zero-hashes.js';

/**
 * A note being spent: the note, its owner's spending key, the diversifier that opens the note's
 * owner key (pk_d = P2(P1(sk), d)), where it sits in the tree.
 */
export interface SpendInput {
  readonly note: Note;
  readonly sk: Field;
  readonly diversifier: Field;
  readonly path: MerklePath;
}

export interface TransactRequest {
  readonly root: Field;
  /** The one asset of every input and output; private. The proof shows it only if value moves. */
  readonly asset: Field;
  readonly inputs: readonly [SpendInput, SpendInput];
  readonly outputs: readonly [Note, Note];
  readonly extData: ExtData;
}

export type ProveStage = 'checking' | 'witness' | 'proving' | 'done';
export type ProgressCallback = (stage: ProveStage, elapsedMs: number) => void;

export interface TransactProof {
  readonly proof: Groth16Proof;
  readonly statement: TransactStatement;
  readonly timings: { readonly witnessMs: number; readonly proveMs: number };
}

/**
 * A zero-amount input for filling a 2-input transaction: a fresh random key, so its nullifier
 * never collides with another, and no tree membership (the circuit exempts zero amounts).
 */
export function dummyInput(asset: Field): SpendInput {
  const keys = generateWalletKeys();
  return {
    note: { amount: 0n, pkD: keys.pkD0, blinding: randomField(), asset },
    sk: keys.sk,
    diversifier: keys.d0,
    path: { leafIndex: 0, siblings: ZERO_HASHES.slice(0, TREE_DEPTH) },
  };
}

function bad(message: string, context: PrivacyErrorContexts['PROVER_INPUT_INVALID'] = {}): never {
  throw new PrivacyError('PROVER_INPUT_INVALID', message, context);
}

/** Everything the circuit would reject is caught here first, with a message a person can act on. */
function checkRequest(request: TransactRequest): { nullifiers: [Field, Field]; outputs: [Field, Field] } {
  validateExtData(request.extData);
  let sumIn = 0n;
  const nullifiers: Field[] = [];
  for (const [i, input] of request.inputs.entries()) {
    checkAmount(input.note.amount);
    if (input.note.asset !== request.asset) bad(`input ${i} is of another asset`);
    if (diversifiedKey(authorizingKey(input.sk), input.diversifier) !== input.note.pkD) {
      bad(`input ${i}: spending key and diversifier do not open the note's owner key`);
    }
    if (input.path.siblings.length !== TREE_DEPTH) bad(`input ${i}: path depth must be ${TREE_DEPTH}`);
    const commitment = noteCommitment(input.note);
    if (input.note.amount !== 0n && computeRoot(commitment, input.path) !== request.root) {
      bad(`input ${i}: note is not in the tree under this root`, { leafIndex: input.path.leafIndex });
    }
    nullifiers.push(noteNullifier(nullifierKey(input.sk), commitment, input.path.leafIndex));
    sumIn += input.note.amount;
  }
  if (nullifiers[0] === nullifiers[1]) bad('both inputs have the same nullifier');
  let sumOut = 0n;
  for (const [i, output] of request.outputs.entries()) {
    checkAmount(output.amount);
    if (output.asset !== request.asset) bad(`output ${i} is of another asset`);
    sumOut += output.amount;
  }
  if (sumIn + request.extData.extAmount !== sumOut) {
    bad('inputs + ext_amount must equal outputs', {
      inputs: sumIn.toString(),
      extAmount: request.extData.extAmount.toString(),
      outputs: sumOut.toString(),
    });
  }
  return {
    nullifiers: [nullifiers[0]!, nullifiers[1]!],
    outputs: [noteCommitment(request.outputs[0]), noteCommitment(request.outputs[1])],
  };
}

/** The circuit's input signals (names as in circuits/transact.circom), as decimal strings. */
export function buildWitnessInput(
  request: TransactRequest,
  derived: { nullifiers: readonly [Field, Field]; outputs: readonly [Field, Field] },
): Record<string, unknown> {
  const s = (v: bigint) => v.toString(10);
  const ins = request.inputs;
  const outs = request.outputs;
  return {
    root: s(request.root),
    public_amount: s(publicAmountFromExt(request.extData.extAmount)),
    ext_data_hash: s(computeExtDataHash(request.extData)),
    asset_public: s(assetPublicFor(request.extData.extAmount, request.asset)),
    nullifier: derived.nullifiers.map(s),
    out_commitment: derived.outputs.map(s),
    asset: s(request.asset),
    in_amount: ins.map((i) => s(i.note.amount)),
    in_sk: ins.map((i) => s(i.sk)),
    in_d: ins.map((i) => s(i.diversifier)),
    in_blinding: ins.map((i) => s(i.note.blinding)),
    in_leaf_index: ins.map((i) => s(BigInt(i.path.leafIndex))),
    in_path: ins.map((i) => i.path.siblings.map(s)),
    out_amount: outs.map((o) => s(o.amount)),
    out_pk: outs.map((o) => s(o.pkD)),
    out_blinding: outs.map((o) => s(o.blinding)),
  };
}

/**
 * snarkjs (with ffjavascript and its workers) takes about a second to load: only a process that
 * proves pays for it, not every command that imports this module (a wallet's balance, its address).
 */
let snarkjsLoading: Promise<typeof Snarkjs> | undefined;
const loadSnarkjs = (): Promise<typeof Snarkjs> => {
  snarkjsLoading ??= import('snarkjs');
  return snarkjsLoading;
};

/**
 * Proves a 2-in/2-out transaction with snarkjs (witness from the circuit's wasm, Groth16 prover),
 * after checking every constraint the circuit enforces so failures name their cause.
 */
export async function proveTransact(
  request: TransactRequest,
  artifacts: CircuitArtifacts,
  onProgress?: ProgressCallback,
): Promise<TransactProof> {
  const started = performance.now();
  const report = (stage: ProveStage) => onProgress?.(stage, performance.now() - started);
  const [snarkjs] = await Promise.all([loadSnarkjs(), initCurve()]);
  report('checking');
  const derived = checkRequest(request);
  const input = buildWitnessInput(request, derived);
  report('witness');
  const witness: Snarkjs.MemFile = { type: 'mem' };
  const t0 = performance.now();
  let result: { proof: Snarkjs.SnarkjsProofJson; publicSignals: string[] };
  try {
    await snarkjs.wtns.calculate(input, { type: 'mem', data: artifacts.wasm }, witness);
    report('proving');
    const t1 = performance.now();
    result = await snarkjs.groth16.prove({ type: 'mem', data: artifacts.zkey }, witness);
    const t2 = performance.now();
    const statement: TransactStatement = {
      root: request.root,
      assetPublic: assetPublicFor(request.extData.extAmount, request.asset),
      nullifiers: derived.nullifiers,
      outputCommitments: derived.outputs,
      extData: request.extData,
    };
    const expected = [
      request.root,
      fieldMod(request.extData.extAmount),
      computeExtDataHash(request.extData),
      statement.assetPublic,
      ...derived.nullifiers,
      ...derived.outputs,
    ].map((v) => v.toString(10));
    if (result.publicSignals.join(',') !== expected.join(',')) {
      throw new PrivacyError('PROVER_FAILED', 'prover returned unexpected public signals');
    }
    const proof = Groth16Proof.fromSnarkjs(result.proof);
    report('done');
    return { proof, statement, timings: { witnessMs: t1 - t0, proveMs: t2 - t1 } };
  } catch (e) {
    if (e instanceof PrivacyError) throw e;
    throw new PrivacyError(
      'PROVER_FAILED',
      `proving failed: ${e instanceof Error ? e.message : String(e)}`,
      {},
      {
        cause: e,
      },
    );
  }
}

/** Ends snarkjs' worker threads so a process that proved can exit. */
export async function shutdownProver(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  if (holder.curve_bn128) {
    await holder.curve_bn128.terminate();
    holder.curve_bn128 = undefined;
  }
}
