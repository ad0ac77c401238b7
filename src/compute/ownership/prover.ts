import * as snarkjs from 'snarkjs';
import {
  authorizingKey,
  type CircuitArtifacts,
  checkAmount,
  computeRoot,
  diversifiedKey,
  type Field,
  Groth16Proof,
  type MerklePath,
  type Note,
  noteCommitment,
  privacyReady,
  TREE_DEPTH,
} from '../../privacy/index.js';
import { ComputeError } from '../errors.js';
import { type OwnershipStatement, ownershipPublicInputs, ownershipTag } from './statement.js';

export interface OwnershipRequest {
  readonly sk: Field;
  /** Opens the note's owner key: pk_d = P2(P1(sk), d). */
  readonly diversifier: Field;
  readonly note: Note;
  readonly path: MerklePath;
  readonly root: Field;
  readonly jobId: Field;
  readonly scope: Field;
  readonly minAmount: bigint;
}

export interface OwnershipProof {
  readonly proof: Groth16Proof;
  readonly statement: OwnershipStatement;
}

function bad(message: string): never {
  throw new ComputeError('OWNERSHIP_PROVER_INPUT', message);
}

/** The circuit's input signals (names as in circuits/ownership.circom), as decimal strings. */
export function ownershipWitnessInput(
  request: OwnershipRequest,
  statement: OwnershipStatement,
): Record<string, unknown> {
  const s = (v: bigint) => v.toString(10);
  const { sk, note, path } = request;
  return {
    root: s(statement.root),
    job_id: s(statement.jobId),
    scope: s(statement.scope),
    min_amount: s(statement.minAmount),
    tag: s(statement.tag),
    sk: s(sk),
    d: s(request.diversifier),
    amount: s(note.amount),
    blinding: s(note.blinding),
    asset: s(note.asset),
    leaf_index: s(BigInt(path.leafIndex)),
    path: path.siblings.map(s),
  };
}

/** Proves note ownership for one job, after checking what the circuit would reject. */
export async function proveOwnership(
  request: OwnershipRequest,
  artifacts: CircuitArtifacts,
): Promise<OwnershipProof> {
  const { sk, note, path } = request;
  checkAmount(note.amount);
  checkAmount(request.minAmount);
  if (diversifiedKey(authorizingKey(sk), request.diversifier) !== note.pkD) {
    bad('spending key and diversifier do not open the note owner key');
  }
  if (note.amount < request.minAmount) bad('note amount is below the job minimum');
  if (path.siblings.length !== TREE_DEPTH) bad(`path depth must be ${TREE_DEPTH}`);
  if (computeRoot(noteCommitment(note), path) !== request.root)
    bad('note is not in the tree under this root');
  const statement: OwnershipStatement = {
    root: request.root,
    jobId: request.jobId,
    scope: request.scope,
    minAmount: request.minAmount,
    tag: ownershipTag(sk, note, request.scope),
  };
  const s = (v: bigint) => v.toString(10);
  const input = ownershipWitnessInput(request, statement);
  await privacyReady();
  try {
    const result = await snarkjs.groth16.fullProve(
      input,
      { type: 'mem', data: artifacts.wasm },
      { type: 'mem', data: artifacts.zkey },
    );
    if (result.publicSignals.join(',') !== ownershipPublicInputs(statement).map(s).join(',')) {
      throw new ComputeError('OWNERSHIP_INVALID', 'prover returned unexpected public signals');
    }
    return { proof: Groth16Proof.fromSnarkjs(result.proof), statement };
  } catch (e) {
    if (e instanceof ComputeError) throw e;
    throw new ComputeError('OWNERSHIP_PROVER_INPUT', 'proving failed', {}, { cause: e });
  }
}
