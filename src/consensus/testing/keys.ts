/** Shared by this module's tests: real Ed25519 validator keys bound to the dev program on localnet. */
import { PARALOOM_DEV_PROGRAM_ID } from '../../bridge/index.js';
import { keypairFromSeed, type SigningDomain, ValidatorSigner } from '../../validator/index.js';
import { signerAuthenticator } from '../auth.js';
import type { VoteAuthenticator } from '../types.js';
import { ValidatorSet } from '../validator-set.js';

export const TEST_DOMAIN: SigningDomain = { programId: PARALOOM_DEV_PROGRAM_ID, cluster: 'localnet' };

export function testSigner(i: number, domain: SigningDomain = TEST_DOMAIN): ValidatorSigner {
  return new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(i + 1)), domain);
}

export function testCohort(
  n: number,
  domain: SigningDomain = TEST_DOMAIN,
): {
  signers: ValidatorSigner[];
  auths: VoteAuthenticator[];
  set: ValidatorSet;
} {
  const signers = Array.from({ length: n }, (_, i) => testSigner(i, domain));
  const set = new ValidatorSet(signers.map((s) => ({ publicKey: s.publicKey, stake: 1_000_000_000n })));
  return { signers, auths: signers.map(signerAuthenticator), set };
}
