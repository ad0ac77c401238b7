/**
 * npm run bench:program — compute units and transaction sizes of the Paraloom program, measured in
 * LiteSVM (the real SVM) with a real Groth16 proof. Last line: one JSON object.
 */
import {
  depositInstruction,
  registerValidatorInstruction,
  withdrawInstruction,
} from '../src/bridge/index.js';
import { deploy, prepareWithdrawal, registerValidators } from '../src/bridge/testing/index.js';
import { FIELD_ZERO, randomField, shutdownProver } from '../src/privacy/index.js';

function row(name: string, cu: bigint, size: number): void {
  process.stdout.write(`${name.padEnd(34)} ${String(cu).padStart(8)} CU ${String(size).padStart(6)} bytes\n`);
}

async function main(): Promise<void> {
  const d = await deploy();
  const { h } = d;
  const extra = await h.fundedKey(20n);
  const reg = await h.send(
    [await registerValidatorInstruction(h.addresses, extra.signer, 2_000_000_000n)],
    extra,
  );
  row('register_validator', reg.computeUnits, reg.size);

  const user = await h.fundedKey(10n);
  const dep = await h.send(
    [
      depositInstruction(h.addresses, user.signer, {
        amount: 1_000_000n,
        ownerPk: randomField(),
        blinding: randomField(),
        asset: FIELD_ZERO,
      }),
    ],
    user,
  );
  if (!dep.ok) throw new Error(`deposit failed: ${dep.error?.code}`);
  row('deposit', dep.computeUnits, dep.size);

  // 10 equal-stake validators: a quorum (> 2/3) is 7. The submitter is one of them (its transaction
  // signature counts) and 6 sign through one Ed25519-program instruction.
  const d2 = await deploy();
  const vals2 = await registerValidators(d2.h, 10);
  const sc = await prepareWithdrawal(d2, vals2.slice(0, 7));
  await shutdownProver();
  const approval = await sc.approvalAnchor();
  if (!approval.ok) throw new Error(`approval anchor failed: ${approval.error?.code}`);
  row('anchor_root (7 of 10 signers)', approval.computeUnits, approval.size);
  const w = await d2.h.send([await withdrawInstruction(d2.h.addresses, d2.h.payer.signer, sc.args)]);
  if (!w.ok) throw new Error(`withdraw failed: ${w.error?.code} ${w.logs.join('\n')}`);
  row('withdraw (Groth16 + 2 nullifier PDAs)', w.computeUnits, w.size);

  process.stdout.write(
    `${JSON.stringify({
      withdraw_cu: Number(w.computeUnits),
      withdraw_tx_bytes: w.size,
      anchor_root_cu_10_validators: Number(approval.computeUnits),
      anchor_root_tx_bytes_10_validators: approval.size,
      anchor_root_signers_10_validators: 7,
      deposit_cu: Number(dep.computeUnits),
      deposit_tx_bytes: dep.size,
      register_validator_cu: Number(reg.computeUnits),
    })}\n`,
  );
}

await main();
