import { readFileSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import {
  encodeAddress,
  encryptNote,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  proveTransact,
  randomField,
  shutdownProver,
  TransactVerifier,
  transactPublicInputs,
  tryDecryptNote,
} from '../../privacy/index.js';

const LAMPORTS_PER_SOL = 1_000_000_000n;
const sol = (lamports: bigint) =>
  `${(Number(lamports) / 1e9).toFixed(9).replace(/0+$/, '').replace(/\.$/, '')} SOL`;

export interface DemoReport {
  constraints: number;
  prove_ms: number;
  witness_ms: number;
  verify_ms: number;
  snarkjs_verify_ms: number;
  batch_verify_ms: number;
  proof_wire_bytes: number;
  root_before: string;
  root_after: string;
  nullifiers: string[];
  recipient_received: string;
}

/**
 * End-to-end run of the privacy core on real keys: two notes for Alice, a private transfer of
 * 1.5 SOL to Bob with change, a real Groth16 proof, verification by our verifier and by snarkjs,
 * and Bob finding his note by trial decryption.
 */
export async function runDemo(options: { json: boolean; log: (line: string) => void }): Promise<DemoReport> {
  const log = options.json ? () => {} : options.log;
  const artifacts = await loadCircuitArtifacts();
  const verifier = await TransactVerifier.create(artifacts.verifyingKey);
  const alice = generateWalletKeys();
  const bob = generateWalletKeys();
  log(`alice  ${encodeAddress(alice.address).slice(0, 24)}...`);
  log(`bob    ${encodeAddress(bob.address).slice(0, 24)}...`);

  const tree = await MerkleTree.open(new MemoryTreeStorage());
  const notes: Note[] = [2n * LAMPORTS_PER_SOL, LAMPORTS_PER_SOL / 2n].map((amount) => ({
    amount,
    pkD: alice.pkD0,
    blinding: randomField(),
    asset: NATIVE_ASSET,
  }));
  const first = await tree.appendBatch(notes.map(noteCommitment));
  log(
    `shielded two notes for alice: ${notes.map((n) => sol(n.amount)).join(' + ')} at leaves ${first}, ${first + 1}`,
  );
  const rootBefore = tree.root;

  const amount = (3n * LAMPORTS_PER_SOL) / 2n;
  const total = notes[0]!.amount + notes[1]!.amount;
  const outputs = [
    { amount, pkD: bob.pkD0, blinding: randomField(), asset: NATIVE_ASSET },
    { amount: total - amount, pkD: alice.pkD0, blinding: randomField(), asset: NATIVE_ASSET },
  ] as const;
  const envelopes = [encryptNote(outputs[0], bob.address), encryptNote(outputs[1], alice.address)] as const;
  const inputs = [
    { note: notes[0]!, sk: alice.sk, diversifier: alice.d0, path: await tree.path(first) },
    { note: notes[1]!, sk: alice.sk, diversifier: alice.d0, path: await tree.path(first + 1) },
  ] as const;
  log(`alice pays bob ${sol(amount)} privately (change ${sol(total - amount)})`);

  const result = await proveTransact(
    {
      root: tree.root,
      asset: NATIVE_ASSET,
      inputs,
      outputs,
      extData: {
        recipient: new Uint8Array(32),
        relayer: new Uint8Array(32),
        fee: 0n,
        extAmount: 0n,
        expirationSlot: 0n,
        encryptedOutput0: envelopes[0],
        encryptedOutput1: envelopes[1],
      },
    },
    artifacts,
    (stage, ms) => log(`  prover: ${stage.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms`),
  );

  let t = performance.now();
  const ok = verifier.verify(result);
  const verifyMs = performance.now() - t;
  t = performance.now();
  const snarkOk = await snarkjs.groth16.verify(
    artifacts.verifyingKey,
    transactPublicInputs(result.statement).map(String),
    result.proof.toSnarkjs() as snarkjs.SnarkjsProofJson,
  );
  const snarkMs = performance.now() - t;
  t = performance.now();
  const batch = verifier.verifyBatch([result, result, result, result]);
  const batchMs = (performance.now() - t) / 4;
  if (!ok || !snarkOk || !batch.valid) throw new Error('demo proof did not verify');
  log(
    `verified: paraloom ${verifyMs.toFixed(1)} ms, snarkjs ${snarkMs.toFixed(1)} ms, batch ${batchMs.toFixed(1)} ms/proof`,
  );

  await tree.appendBatch([...result.statement.outputCommitments]);
  const received = tryDecryptNote(envelopes[0], bob, result.statement.outputCommitments[0]);
  if (!received) throw new Error('bob could not decrypt his note');
  const aliceSees = tryDecryptNote(envelopes[0], alice, result.statement.outputCommitments[0]);
  log(
    `bob scanned the outputs and found ${sol(received.note.amount)}; alice cannot read bob's note: ${aliceSees === undefined}`,
  );
  log(
    `nullifiers spent: ${result.statement.nullifiers.map((n) => `${n.toString(16).slice(0, 12)}...`).join(', ')}`,
  );
  log(`root ${rootBefore.toString(16).slice(0, 12)}... -> ${tree.root.toString(16).slice(0, 12)}...`);
  verifier.destroy();
  await shutdownProver();
  const transcript = JSON.parse(readFileSync(`${artifacts.dir}/transcript.json`, 'utf8')) as {
    constraints: number;
  };
  return {
    constraints: transcript.constraints,
    prove_ms: Math.round(result.timings.proveMs),
    witness_ms: Math.round(result.timings.witnessMs),
    verify_ms: Number(verifyMs.toFixed(2)),
    snarkjs_verify_ms: Number(snarkMs.toFixed(2)),
    batch_verify_ms: Number(batchMs.toFixed(2)),
    proof_wire_bytes: result.proof.toWire().length,
    root_before: rootBefore.toString(),
    root_after: tree.root.toString(),
    nullifiers: result.statement.nullifiers.map(String),
    recipient_received: received.note.amount.toString(),
  };
}
