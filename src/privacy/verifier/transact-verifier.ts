import { initCurve } from '../curve/mcl.js';
import type { Groth16Proof } from '../proof/groth16-proof.js';
import { type TransactStatement, transactPublicInputs } from '../transact.js';
import { type BatchResult, Groth16Verifier } from './groth16-verifier.js';
import { type SnarkjsVerifyingKey, VerifyingKey } from './verifying-key.js';

export interface TransactVerification {
  readonly proof: Groth16Proof;
  readonly statement: TransactStatement;
}

/** Verifies `transact` proofs against statements, deriving public_amount and ext_data_hash itself. */
export class TransactVerifier {
  private constructor(private readonly groth16: Groth16Verifier) {}

  static async create(vkJson: SnarkjsVerifyingKey): Promise<TransactVerifier> {
    await initCurve();
    return new TransactVerifier(new Groth16Verifier(VerifyingKey.fromSnarkjs(vkJson)));
  }

  get verifyingKey(): VerifyingKey {
    return this.groth16.key;
  }

  verify(item: TransactVerification): boolean {
    return this.groth16.verify({ proof: item.proof, publicInputs: transactPublicInputs(item.statement) });
  }

  verifyBatch(items: readonly TransactVerification[]): BatchResult {
    return this.groth16.verifyBatch(
      items.map((item) => ({ proof: item.proof, publicInputs: transactPublicInputs(item.statement) })),
    );
  }

  destroy(): void {
    this.groth16.destroy();
  }
}
