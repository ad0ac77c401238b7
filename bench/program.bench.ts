/**
 * npm run bench:program — compute units and wire sizes (version 0 messages, signatures included) of the
 * largest transaction of every kind the system builds, measured in LiteSVM (the real SVM) with a real
 * Groth16 proof through the project's own client (src/bridge/testing/sizes.ts). Last line: one JSON object.
 */
import { MAX_ACTIVE_VALIDATORS, MAX_APPROVAL_DEPTH } from '../src/bridge/index.js';
import { type Measured, measureTransactionSizes } from '../src/bridge/testing/index.js';
import { shutdownProver } from '../src/privacy/index.js';

function row(name: string, m: Measured): void {
  process.stdout.write(
    `${name.padEnd(52)} ${String(m.computeUnits).padStart(8)} CU ${String(m.bytes).padStart(6)} bytes\n`,
  );
}

async function main(): Promise<void> {
  const s = await measureTransactionSizes();
  await shutdownProver();
  const signers = s.anchorEd25519Signers + 1;
  row('register_validator (64 B peer id, 256 B multiaddrs)', s.registerValidator);
  row('deposit', s.deposit);
  row(`anchor_root (${MAX_ACTIVE_VALIDATORS} validators, ${signers} signers, approval)`, s.anchor);
  row(`withdraw (approval depth ${MAX_APPROVAL_DEPTH})`, s.withdraw);
  row('slash (credited to the reporter validator account)', s.slash);
  row('close_approval', s.closeApproval);
  row('write_verifying_key (largest chunk)', s.verifyingKeyChunk);

  process.stdout.write(
    `${JSON.stringify({
      withdraw_tx_bytes_max: s.withdraw.bytes,
      withdraw_cu_max: Number(s.withdraw.computeUnits),
      withdraw_approval_depth_max: MAX_APPROVAL_DEPTH,
      anchor_tx_bytes_max: s.anchor.bytes,
      anchor_cu_max: Number(s.anchor.computeUnits),
      anchor_validators_max: MAX_ACTIVE_VALIDATORS,
      slash_tx_bytes_max: s.slash.bytes,
      slash_cu: Number(s.slash.computeUnits),
      register_validator_tx_bytes_max: s.registerValidator.bytes,
      register_validator_cu: Number(s.registerValidator.computeUnits),
      deposit_tx_bytes: s.deposit.bytes,
      deposit_cu: Number(s.deposit.computeUnits),
      close_approval_tx_bytes: s.closeApproval.bytes,
      close_approval_cu: Number(s.closeApproval.computeUnits),
      vk_chunk_tx_bytes: s.verifyingKeyChunk.bytes,
      vk_chunk_cu: Number(s.verifyingKeyChunk.computeUnits),
      // Earlier keys, now measured at the largest parameters above.
      withdraw_cu: Number(s.withdraw.computeUnits),
      withdraw_tx_bytes: s.withdraw.bytes,
      anchor_root_cu_10_validators: Number(s.anchor.computeUnits),
      anchor_root_tx_bytes_10_validators: s.anchor.bytes,
      anchor_root_signers_10_validators: signers,
    })}\n`,
  );
}

await main();
