import { type Field, hash4, type Note, noteCommitment, toField } from '../../privacy/index.js';

/** The public statement of an `ownership` proof (circuits/ownership.circom). */
export interface OwnershipStatement {
  /** A commitment-tree root the verifier recognises as recent. */
  readonly root: Field;
  /** The job the proof is for (see job/job-id.ts); bound by the circuit. */
  readonly jobId: Field;
  /** The rate-limit scope (an epoch number): one tag per note per scope. */
  readonly scope: Field;
  /** Lower bound on the note's amount, revealed as such; the amount itself stays hidden. */
  readonly minAmount: bigint;
  /** P4(OWNERSHIP_DOMAIN, sk, commitment, scope). */
  readonly tag: Field;
}

export const OWNERSHIP_PUBLIC_INPUT_NAMES = ['root', 'job_id', 'scope', 'min_amount', 'tag'] as const;

/** ASCII "paraloom/v1/ownership-tag" read big-endian, the same constant as in the circuit. */
export const OWNERSHIP_DOMAIN = toField(
  BigInt(`0x${Buffer.from('paraloom/v1/ownership-tag').toString('hex')}`),
);

export function ownershipTag(sk: Field, note: Note, scope: Field): Field {
  return hash4(OWNERSHIP_DOMAIN, sk, noteCommitment(note), scope);
}

/** Public inputs in circuit order. */
export function ownershipPublicInputs(s: OwnershipStatement): Field[] {
  return [s.root, s.jobId, s.scope, toField(s.minAmount), s.tag];
}
