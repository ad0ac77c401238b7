/** Shared setup for program tests and the bench: an initialized deployment with the dev verifying key. */
import type { Address, Instruction } from '@solana/kit';
import {
  loadVerifyingKeyJson,
  privacyReady,
  VerifyingKey,
  verifyingKeyToChainBytes,
} from '../../privacy/index.js';
import { LAMPORTS_PER_SOL } from '../constants.js';
import { buildEd25519Instruction } from '../ed25519.js';
import {
  anchorRootInstruction,
  finalizeVerifyingKeyInstruction,
  type InitializeParams,
  initializeInstruction,
  registerValidatorInstruction,
  writeVerifyingKeyInstructions,
} from '../instructions.js';
import { type AnchorFields, anchorDigest } from '../messages.js';
import type { ChainDriver } from './chain-driver.js';
import { newTestKey, ProgramHarness, type TestKey, type TxResult } from './litesvm-harness.js';

export const TEST_PARAMS: InitializeParams = {
  cluster: 0,
  minStake: LAMPORTS_PER_SOL,
  depositCap: 100n * LAMPORTS_PER_SOL,
  unbondingSlots: 100n,
  slashBps: 1000,
  reporterBps: 5000,
  icCount: 9,
};

export interface Deployment {
  h: ProgramHarness;
  admin: TestKey;
}

function must(res: TxResult, what: string): void {
  if (!res.ok) {
    throw new Error(`${what} failed: ${res.error?.code ?? res.runtimeError}\n${res.logs.join('\n')}`);
  }
}

export async function devVerifyingKeyBody(): Promise<Uint8Array> {
  await privacyReady();
  return verifyingKeyToChainBytes(VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson()));
}

/** Deploys, initializes, and (unless told not to) uploads and seals the dev verifying key. */
export async function deploy(
  opts: { withVerifyingKey?: boolean; params?: InitializeParams } = {},
): Promise<Deployment> {
  const admin = await newTestKey();
  const h = await ProgramHarness.create({ upgradeAuthority: admin.address });
  h.fund(admin.address, 10n);
  const p = h.addresses;
  must(
    await h.send([
      initializeInstruction(p, admin.signer, await h.programDataAddress(), opts.params ?? TEST_PARAMS),
    ]),
    'initialize',
  );
  if (opts.withVerifyingKey !== false) {
    for (const ix of writeVerifyingKeyInstructions(p, admin.signer, await devVerifyingKeyBody())) {
      must(await h.send([ix]), 'write_verifying_key');
    }
    must(await h.send([finalizeVerifyingKeyInstruction(p, admin.signer)]), 'finalize_verifying_key');
  }
  return { h, admin };
}

export async function registerValidators(h: ChainDriver, n: number, stakeSol = 10n): Promise<TestKey[]> {
  const out: TestKey[] = [];
  for (let i = 0; i < n; i++) {
    const v = await h.fundedKey(stakeSol + 10n);
    must(
      await h.send(
        [await registerValidatorInstruction(h.addresses, v.signer, stakeSol * LAMPORTS_PER_SOL)],
        v,
      ),
      'register',
    );
    out.push(v);
  }
  return out;
}

/** The Ed25519 instruction + anchor_root pair: `signers` sign the digest, `submitter` signs the transaction. */
export async function anchorInstructions(
  h: Pick<ChainDriver, 'addresses'>,
  submitter: TestKey,
  signers: readonly TestKey[],
  fields: AnchorFields,
  cluster = TEST_PARAMS.cluster,
): Promise<Instruction[]> {
  const digest = anchorDigest(h.addresses.programId, cluster, fields);
  const ixs: Instruction[] = [];
  if (signers.length > 0) {
    ixs.push(
      buildEd25519Instruction(
        signers.map((s) => ({ publicKey: s.publicKey, signature: s.sign(digest), message: digest })),
      ),
    );
  }
  ixs.push(await anchorRootInstruction(h.addresses, submitter.signer, fields));
  return ixs;
}

export const bytes32 = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

export type { Address };
