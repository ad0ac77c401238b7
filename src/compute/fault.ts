import { type ExecutionResult, outputHash, type SignedResult, signResult } from './result.js';

/**
 * Fault injection (PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT, tests only): the same result with one
 * output byte flipped (or one more unit of fuel when there is no output), validly signed, as a
 * faulty or malicious executor would send it. Honest executors never call this.
 */
export function corruptedResult(result: ExecutionResult, signingSecret: Uint8Array): SignedResult {
  const ct = Uint8Array.from(result.outputCiphertext);
  if (ct.length > 0) ct[ct.length - 1]! ^= 0x01;
  const wrong: ExecutionResult = {
    ...result,
    fuelUsed: ct.length > 0 ? result.fuelUsed : result.fuelUsed + 1n,
    outputCiphertext: ct,
    outputHash: outputHash(ct),
  };
  return signResult(wrong, signingSecret);
}
