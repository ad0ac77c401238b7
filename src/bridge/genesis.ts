/**
 * What a fresh deployment needs before anyone can deposit or withdraw: initialize, the verifying key in
 * chunks, and its seal. Pure instruction building: src/localnet runs it at genesis, and on a real
 * cluster `paraloom program initialize` (deploy/initialize.ts) sends the same instructions after
 * `paraloom program deploy` put the program there through the upgradeable loader.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type Address,
  getAddressEncoder,
  getProgramDerivedAddress,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import {
  loadVerifyingKeyJson,
  privacyReady,
  VerifyingKey,
  verifyingKeyToChainBytes,
} from '../privacy/index.js';
import { CLUSTER_IDS, LAMPORTS_PER_SOL, UPGRADEABLE_LOADER_ID } from './constants.js';
import {
  finalizeVerifyingKeyInstruction,
  type InitializeParams,
  initializeInstruction,
  writeVerifyingKeyInstructions,
} from './instructions.js';
import type { ProgramAddresses } from './pda.js';

/** The committed, reproducibly built program. */
export const PARALOOM_SO_PATH = fileURLToPath(
  new URL('../../programs/paraloom/paraloom.so', import.meta.url),
);

export function loadParaloomProgram(): Uint8Array {
  return new Uint8Array(readFileSync(PARALOOM_SO_PATH));
}

/**
 * Seed of the localnet's admin key. Public on purpose: the localnet has no secrets, and a fixed admin
 * lets dev tools pause or inspect it across restarts. Never use it on a real cluster.
 */
export const LOCALNET_DEV_ADMIN_SEED: Uint8Array = sha256(
  new TextEncoder().encode('paraloom-localnet-dev-admin'),
);

export const LOCALNET_INITIALIZE_PARAMS: InitializeParams = {
  cluster: CLUSTER_IDS.localnet,
  minStake: LAMPORTS_PER_SOL,
  depositCap: 1000n * LAMPORTS_PER_SOL,
  unbondingSlots: 100n,
  slashBps: 1000,
  reporterBps: 5000,
  icCount: 9,
};

/** The upgradeable loader's ProgramData address of `programId`. */
export async function programDataAddress(programId: Address): Promise<Address> {
  const [pd] = await getProgramDerivedAddress({
    programAddress: UPGRADEABLE_LOADER_ID,
    seeds: [getAddressEncoder().encode(programId)],
  });
  return pd;
}

/** The committed dev verifying key in the program's byte layout. */
export async function devVerifyingKeyBody(): Promise<Uint8Array> {
  await privacyReady();
  return verifyingKeyToChainBytes(VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson()));
}

/** One instruction list per transaction, in order: initialize, each key chunk, finalize. */
export async function bridgeGenesisTransactions(
  p: ProgramAddresses,
  admin: TransactionSigner,
  params: InitializeParams = LOCALNET_INITIALIZE_PARAMS,
  vkBody?: Uint8Array,
): Promise<Instruction[][]> {
  const body = vkBody ?? (await devVerifyingKeyBody());
  return [
    [initializeInstruction(p, admin, await programDataAddress(p.programId), params)],
    ...writeVerifyingKeyInstructions(p, admin, body).map((ix) => [ix]),
    [finalizeVerifyingKeyInstruction(p, admin)],
  ];
}
