import { getAddressEncoder, signatureBytes, verifySignature } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import {
  type AnchorFields,
  encodeVoteMessage,
  PARALOOM_DEV_PROGRAM_ID,
  type VoteFields,
} from '../bridge/index.js';
import {
  keypairFromSeed,
  type SigningDomain,
  ValidatorError,
  ValidatorSigner,
  verifyAnchor,
  verifyVote,
  voteMessage,
} from './index.js';

const OTHER_PROGRAM = 'Ed25519SigVerify111111111111111111111111111';
const domain: SigningDomain = { programId: PARALOOM_DEV_PROGRAM_ID, cluster: 'localnet' };
const keypair = keypairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
const signer = new ValidatorSigner(keypair, domain);
const vote: VoteFields = {
  height: 0x0102030405060708n,
  round: 0x0a0b0c0d,
  voteType: 'precommit',
  blockHash: new Uint8Array(32).fill(0xab),
};
const anchor: AnchorFields = {
  height: 12n,
  root: new Uint8Array(32).fill(1),
  depositsConsumed: 3n,
  depositAcc: new Uint8Array(32).fill(2),
  withdrawalsRoot: new Uint8Array(32).fill(3),
  blockHash: new Uint8Array(32).fill(4),
  maxExpirationSlot: 0n,
};

describe('vote signatures', () => {
  it('sign the canonical 94-byte message of docs/protocol.md, byte for byte', () => {
    const { message } = signer.signVote(vote);
    expect(message).toEqual(encodeVoteMessage(PARALOOM_DEV_PROGRAM_ID, 0, vote));
    expect(message.length).toBe(94);
    expect(new TextDecoder().decode(message.subarray(0, 16))).toBe('paraloom:vote:v1');
    expect(message.subarray(16, 48)).toEqual(getAddressEncoder().encode(PARALOOM_DEV_PROGRAM_ID));
    expect(message[48]).toBe(0); // cluster tag: localnet
    expect([...message.subarray(49, 57)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]); // height u64 LE
    expect([...message.subarray(57, 61)]).toEqual([0x0d, 0x0c, 0x0b, 0x0a]); // round u32 LE
    expect(message[61]).toBe(2); // precommit
    expect(message.subarray(62)).toEqual(vote.blockHash);
    const devnet = voteMessage({ programId: PARALOOM_DEV_PROGRAM_ID, cluster: 'devnet' }, vote);
    expect(devnet[48]).toBe(1);
  });

  it('verify, and verify with an independent Ed25519 (WebCrypto through @solana/kit)', async () => {
    const signed = signer.signVote(vote);
    expect(verifyVote(domain, signed)).toBe(true);
    const key = await crypto.subtle.importKey('raw', keypair.publicKey, { name: 'Ed25519' }, true, [
      'verify',
    ]);
    expect(await verifySignature(key, signatureBytes(signed.signature), signed.message)).toBe(true);
  });

  it('do not verify for another program, cluster, height, round, type, block or key', () => {
    const signed = signer.signVote(vote);
    expect(verifyVote({ ...domain, programId: OTHER_PROGRAM }, signed)).toBe(false);
    expect(verifyVote({ ...domain, cluster: 'mainnet-beta' }, signed)).toBe(false);
    for (const changed of [
      { ...vote, height: vote.height + 1n },
      { ...vote, round: vote.round + 1 },
      { ...vote, voteType: 'prevote' as const },
      { ...vote, blockHash: new Uint8Array(32).fill(0xac) },
    ]) {
      expect(verifyVote(domain, { ...signed, vote: changed })).toBe(false);
    }
    const other = keypairFromSeed(new Uint8Array(32).fill(9));
    expect(verifyVote(domain, { ...signed, publicKey: other.publicKey })).toBe(false);
    const flipped = signed.signature.slice();
    flipped[0]! ^= 1;
    expect(verifyVote(domain, { ...signed, signature: flipped })).toBe(false);
    expect(verifyVote(domain, { ...signed, signature: signed.signature.slice(0, 63) })).toBe(false);
  });
});

describe('anchor signatures', () => {
  it('sign the 32-byte anchor digest, bound to program and cluster, never usable as a vote', () => {
    const signed = signer.signAnchor(anchor);
    expect(signed.digest.length).toBe(32);
    expect(verifyAnchor(domain, signed)).toBe(true);
    expect(verifyAnchor({ ...domain, cluster: 'devnet' }, signed)).toBe(false);
    expect(verifyAnchor({ ...domain, programId: OTHER_PROGRAM }, signed)).toBe(false);
    expect(verifyAnchor(domain, { ...signed, fields: { ...anchor, depositsConsumed: 4n } })).toBe(false);
    const asVote = signer.signVote(vote);
    expect(verifyAnchor(domain, { ...signed, signature: asVote.signature })).toBe(false);
  });

  it('refuse a signer bound to a malformed program id', () => {
    expect(() => new ValidatorSigner(keypair, { programId: 'nope', cluster: 'localnet' })).toThrow(
      ValidatorError,
    );
  });
});
