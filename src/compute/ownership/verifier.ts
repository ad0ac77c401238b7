import { fileURLToPath } from 'node:url';
import {
  type Groth16Proof,
  Groth16Verifier,
  loadVerifyingKeyJson,
  privacyReady,
  type SnarkjsVerifyingKey,
  VerifyingKey,
} from '../../privacy/index.js';
import { type OwnershipStatement, ownershipPublicInputs } from './statement.js';

/** Committed development keys for `ownership` (dev ceremony, local entropy; see transcript.json). */
export const OWNERSHIP_DEV_KEYS_DIR = fileURLToPath(
  new URL('../../../keys/dev/v2/ownership/', import.meta.url),
);

/** Verifies `ownership` proofs; the statement's job id is always the verifier's own derivation. */
export class OwnershipVerifier {
  private constructor(private readonly groth16: Groth16Verifier) {}

  static async create(vkJson: SnarkjsVerifyingKey): Promise<OwnershipVerifier> {
    await privacyReady();
    // fromSnarkjs refuses a key without a phase-2 contribution (gamma = delta).
    return new OwnershipVerifier(new Groth16Verifier(VerifyingKey.fromSnarkjs(vkJson)));
  }

  verify(proof: Groth16Proof, statement: OwnershipStatement): boolean {
    return this.groth16.verify({ proof, publicInputs: ownershipPublicInputs(statement) });
  }

  destroy(): void {
    this.groth16.destroy();
  }
}

/** The verifier for the committed dev keys (or another key directory), its key checked against SHA256SUMS. */
export async function loadOwnershipVerifier(
  dir: string = OWNERSHIP_DEV_KEYS_DIR,
): Promise<OwnershipVerifier> {
  return OwnershipVerifier.create(await loadVerifyingKeyJson(dir));
}
