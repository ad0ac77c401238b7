import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from '../../common/index.js';
import { ComputeError } from '../errors.js';
import type { InputEnvelope } from './job.js';

// Input: one random 32-byte content key K encrypts the input (ChaCha20-Poly1305, zero nonce: K is
// fresh per job); K is wrapped for each executor under SHA-256(domain | X25519(eph, exec) | eph_pub |
// exec_pub). Every AEAD takes SHA-256 of the job parameters as associated data, so copying a
// victim's envelope into a job with another module or output key makes it undecryptable.
//
// Output: executors must produce byte-identical ciphertexts to agree, so the output's ephemeral key
// is derived, not random: eph = SHA-256(domain | K | job_id). Only the submitter and the executors
// know K; the output key owner decrypts with its X25519 secret alone.

const INPUT_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-input');
const WRAP_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-key-wrap');
const OUTPUT_EPH_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-output-eph');
const OUTPUT_KEY_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-output-key');
const NONCE = new Uint8Array(12);

function paramsDigest(params: Uint8Array): Uint8Array {
  return sha256(concatBytes(INPUT_DOMAIN, params));
}

function wrapKey(shared: Uint8Array, eph: Uint8Array, recipient: Uint8Array): Uint8Array {
  return sha256(concatBytes(WRAP_DOMAIN, shared, eph, recipient));
}

export interface SealedInput {
  readonly envelope: InputEnvelope;
  /** The submitter keeps nothing secret but its output key; K is returned for tests and tools. */
  readonly contentKey: Uint8Array;
}

/** Encrypts `input` for `executors`; `params` = encodeParams(job) so the envelope is bound to it. */
export function sealInput(
  input: Uint8Array,
  executors: readonly Uint8Array[],
  params: Uint8Array,
): SealedInput {
  const contentKey = crypto.getRandomValues(new Uint8Array(32));
  const ephSecret = x25519.utils.randomSecretKey();
  const ephemeralKey = x25519.getPublicKey(ephSecret);
  const ad = paramsDigest(params);
  const wrappedKeys = executors.map((exec) => {
    const key = wrapKey(x25519.getSharedSecret(ephSecret, exec), ephemeralKey, exec);
    return chacha20poly1305(key, NONCE, ad).encrypt(contentKey);
  });
  const ciphertext = chacha20poly1305(contentKey, NONCE, ad).encrypt(input);
  return { envelope: { executors, ephemeralKey, wrappedKeys, ciphertext }, contentKey };
}

/** An executor opens the input with its X25519 secret; returns the plaintext and K. */
export function openInput(
  envelope: InputEnvelope,
  params: Uint8Array,
  executorSecret: Uint8Array,
): { input: Uint8Array; contentKey: Uint8Array } {
  const me = x25519.getPublicKey(executorSecret);
  const index = envelope.executors.findIndex((e) => bytesEqual(e, me));
  if (index < 0) throw new ComputeError('NOT_AN_EXECUTOR', 'this key is not among the job executors');
  const ad = paramsDigest(params);
  try {
    const key = wrapKey(
      x25519.getSharedSecret(executorSecret, envelope.ephemeralKey),
      envelope.ephemeralKey,
      me,
    );
    const contentKey = chacha20poly1305(key, NONCE, ad).decrypt(envelope.wrappedKeys[index]!);
    return { input: chacha20poly1305(contentKey, NONCE, ad).decrypt(envelope.ciphertext), contentKey };
  } catch (e) {
    throw new ComputeError(
      'ENVELOPE_INVALID',
      'input envelope does not open for this executor',
      {},
      { cause: e },
    );
  }
}

function outputKey(shared: Uint8Array, eph: Uint8Array, recipient: Uint8Array): Uint8Array {
  return sha256(concatBytes(OUTPUT_KEY_DOMAIN, shared, eph, recipient));
}

/** eph_pub (32) | ChaCha20-Poly1305(output) with associated data job_id; deterministic per job. */
export function sealOutput(
  output: Uint8Array,
  contentKey: Uint8Array,
  jobId: Uint8Array,
  recipient: Uint8Array,
): Uint8Array {
  const ephSecret = sha256(concatBytes(OUTPUT_EPH_DOMAIN, contentKey, jobId));
  const eph = x25519.getPublicKey(ephSecret);
  const key = outputKey(x25519.getSharedSecret(ephSecret, recipient), eph, recipient);
  return concatBytes(eph, chacha20poly1305(key, NONCE, jobId).encrypt(output));
}

/** The submitter opens a job's output with the secret of its output key. */
export function openOutput(
  ciphertext: Uint8Array,
  jobId: Uint8Array,
  recipientSecret: Uint8Array,
): Uint8Array {
  if (ciphertext.length < 48) throw new ComputeError('ENVELOPE_INVALID', 'output ciphertext too short');
  const eph = ciphertext.subarray(0, 32);
  const me = x25519.getPublicKey(recipientSecret);
  try {
    const key = outputKey(x25519.getSharedSecret(recipientSecret, eph), eph, me);
    return chacha20poly1305(key, NONCE, jobId).decrypt(ciphertext.subarray(32));
  } catch (e) {
    throw new ComputeError('ENVELOPE_INVALID', 'output does not open with this key', {}, { cause: e });
  }
}
