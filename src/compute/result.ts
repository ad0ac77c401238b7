import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, u64ToBytesLE } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { jobIdBytes } from './job/job-id.js';
import type { RunStatus } from './sandbox/protocol.js';

/** What an executor reports for one job; everything here must be identical across honest executors. */
export interface ExecutionResult {
  readonly jobId: Field;
  readonly status: RunStatus;
  readonly abortCode: number;
  readonly fuelUsed: bigint;
  /** eph_pub | AEAD(output); empty unless status is 'ok'. */
  readonly outputCiphertext: Uint8Array;
  /** SHA-256(domain | outputCiphertext): over the ciphertext, since a low-entropy plaintext hash would leak it. */
  readonly outputHash: Uint8Array;
}

/** A result commitment signed by the executor's Ed25519 (validator) key. */
export interface SignedResult {
  readonly executor: Uint8Array;
  readonly commitment: Uint8Array;
  readonly signature: Uint8Array;
  readonly result: ExecutionResult;
}

const OUTPUT_HASH_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-output');
const COMMITMENT_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-result');
const STATUS_CODES: Readonly<Record<RunStatus, number>> = {
  ok: 0,
  out_of_fuel: 1,
  trap: 2,
  abort: 3,
  bad_output: 4,
};

export function outputHash(ciphertext: Uint8Array): Uint8Array {
  return sha256(concatBytes(OUTPUT_HASH_DOMAIN, ciphertext));
}

/** SHA-256(domain | job_id 32 LE | status u8 | abort_code u32 LE | fuel_used u64 LE | output_hash 32). */
export function resultCommitment(r: ExecutionResult): Uint8Array {
  const abort = new Uint8Array(4);
  new DataView(abort.buffer).setUint32(0, r.abortCode >>> 0, true);
  return sha256(
    concatBytes(
      COMMITMENT_DOMAIN,
      jobIdBytes(r.jobId),
      Uint8Array.of(STATUS_CODES[r.status]),
      abort,
      u64ToBytesLE(r.fuelUsed),
      r.outputHash,
    ),
  );
}

export function signResult(result: ExecutionResult, signingSecret: Uint8Array): SignedResult {
  const commitment = resultCommitment(result);
  return {
    executor: ed25519.getPublicKey(signingSecret),
    commitment,
    signature: ed25519.sign(commitment, signingSecret),
    result,
  };
}

/** Signature valid, commitment matches the result it travels with, output hash matches the ciphertext. */
export function checkSignedResult(signed: SignedResult): boolean {
  const r = signed.result;
  if (bytesToHex(outputHash(r.outputCiphertext)) !== bytesToHex(r.outputHash)) return false;
  if (bytesToHex(resultCommitment(r)) !== bytesToHex(signed.commitment)) return false;
  try {
    return ed25519.verify(signed.signature, signed.commitment, signed.executor);
  } catch {
    return false;
  }
}
