import { isParaloomError } from '../common/index.js';
import { privacyReady, type SnarkjsVerifyingKey, VerifyingKey } from '../privacy/index.js';
import { sha256Hex } from './canonical.js';
import { CeremonyError } from './errors.js';

/** verification_key.json bytes: snarkjs' own layout (one-space indent), so the file diffs cleanly. */
export function verificationKeyText(vk: Record<string, unknown>): string {
  return JSON.stringify(vk, null, 1);
}

/** True when gamma == delta: a key with no phase-2 contribution, with which anyone can forge proofs. */
export function gammaEqualsDelta(vk: Record<string, unknown>): boolean {
  return JSON.stringify(vk.vk_gamma_2) === JSON.stringify(vk.vk_delta_2);
}

/** The on-chain VerifyingKey body, through the privacy module's own checked parser. */
export async function chainVerifyingKeyBytes(vk: Record<string, unknown>): Promise<Uint8Array> {
  await privacyReady();
  try {
    return VerifyingKey.fromSnarkjs(vk as unknown as SnarkjsVerifyingKey).toChainBytes();
  } catch (e) {
    const none = isParaloomError(e) && e.code === 'VKEY_NO_CONTRIBUTION';
    throw new CeremonyError(
      none ? 'NO_CONTRIBUTION' : 'ZKEY_INVALID',
      `verifying key refused: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
}

export interface ExportedKey {
  readonly json: string;
  readonly jsonSha256: string;
  readonly chain: Uint8Array;
  readonly chainSha256: string;
}

export async function exportKey(vk: Record<string, unknown>): Promise<ExportedKey> {
  const json = verificationKeyText(vk);
  const chain = await chainVerifyingKeyBytes(vk);
  return { json, jsonSha256: sha256Hex(json), chain, chainSha256: sha256Hex(chain) };
}
