import { x25519 } from '@noble/curves/ed25519.js';
import { encodeParams } from './job/codec.js';
import { openInput, sealOutput } from './job/envelope.js';
import type { Job } from './job/job.js';
import { jobId, jobIdBytes } from './job/job-id.js';
import { type ExecutionResult, outputHash, type SignedResult, signResult } from './result.js';
import type { RunOutcome } from './sandbox/protocol.js';
import type { Sandbox } from './sandbox/sandbox.js';
import type { PreparedModuleCache } from './wasm/cache.js';
import { prepareModule } from './wasm/prepare.js';

/** An executor's keys: X25519 for job inputs, Ed25519 (its validator key) for result commitments. */
export interface ExecutorKeys {
  readonly encryptionSecret: Uint8Array;
  readonly signingSecret: Uint8Array;
}

export function executorEncryptionKey(keys: ExecutorKeys): Uint8Array {
  return x25519.getPublicKey(keys.encryptionSecret);
}

export interface Execution {
  readonly signed: SignedResult;
  /** The sandbox outcome, with the plaintext output: stays on the executor, for logs and tests. */
  readonly outcome: RunOutcome;
}

/**
 * Runs an admitted job as one of its executors: open the input, validate and meter the module,
 * run it in the sandbox, encrypt the output deterministically, sign the result commitment.
 * Wall-clock kills and sandbox crashes throw: they are not results, and nothing is signed.
 */
export async function executeJob(
  job: Job,
  keys: ExecutorKeys,
  sandbox: Sandbox,
  cache?: PreparedModuleCache,
): Promise<Execution> {
  const params = encodeParams(job);
  const { input, contentKey } = openInput(job.input, params, keys.encryptionSecret);
  const limits = { fuelLimit: job.fuelLimit, memoryPages: job.memoryPages };
  const wasm = cache ? cache.get(job.wasm, limits) : prepareModule(job.wasm, limits);
  const outcome = await sandbox.run({ wasm, input, fuelLimit: job.fuelLimit, outputCap: job.outputCap });
  const id = jobId(job);
  const outputCiphertext =
    outcome.status === 'ok'
      ? sealOutput(outcome.output, contentKey, jobIdBytes(id), job.outputKey)
      : new Uint8Array(0);
  const result: ExecutionResult = {
    jobId: id,
    status: outcome.status,
    abortCode: outcome.abortCode,
    fuelUsed: outcome.fuelUsed,
    outputCiphertext,
    outputHash: outputHash(outputCiphertext),
  };
  return { signed: signResult(result, keys.signingSecret), outcome };
}
