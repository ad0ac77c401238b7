/**
 * The production VoteAuthenticator: Ed25519 over the bridge's 94-byte vote message (domain tag,
 * program id, cluster, height, round, type, block hash) through src/validator, strict verification.
 * A vote signed for another program or cluster fails here, as it would in the `slash` instruction.
 */
import { type SigningDomain, type ValidatorSigner, verifyVote } from '../validator/index.js';
import type { Vote, VoteAuthenticator } from './types.js';

export function signerAuthenticator(signer: ValidatorSigner): VoteAuthenticator {
  return {
    publicKey: signer.publicKey,
    sign: (v) =>
      signer.signVote({ height: v.height, round: v.round, voteType: v.type, blockHash: v.blockHash })
        .signature,
    verify: (v) => verifyDomainVote(signer.domain, v),
  };
}

export function verifyDomainVote(domain: SigningDomain, v: Vote): boolean {
  return verifyVote(domain, {
    vote: { height: v.height, round: v.round, voteType: v.type, blockHash: v.blockHash },
    publicKey: v.validator,
    signature: v.signature,
  });
}
