import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBigintBE, concatBytes } from '../../common/index.js';
import { type Field, fieldMod, fieldToBytesLE } from '../../privacy/index.js';
import { encodeBody } from './codec.js';
import type { Job } from './job.js';

const JOB_ID_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-job-id');

/**
 * job_id = SHA-256(domain | body) reduced mod p: a field element so the ownership circuit can take
 * it as a public input. The body covers module, limits, fee, output key, ownership statement,
 * executors and the encrypted input, so a proof for one job is useless for any other.
 */
export function jobId(job: Omit<Job, 'proof'>): Field {
  return fieldMod(bytesToBigintBE(sha256(concatBytes(JOB_ID_DOMAIN, encodeBody(job)))));
}

export function jobIdBytes(id: Field): Uint8Array {
  return fieldToBytesLE(id);
}

/** The id as clients see it (routes, CLI): the field element in hex, 64 digits, big-endian. */
export function jobIdHex(id: Field): string {
  return id.toString(16).padStart(64, '0');
}
