/**
 * Quorum certificate: the precommits that made a block final. Canonical bytes (docs/protocol.md,
 * "Consensus messages"):
 *
 *   version u8 (= 1) | height u64 | round u32 | block hash [32] | count u16
 *   | count x (validator key [32] | signature [64]), keys strictly increasing
 *
 * Strict key order makes the encoding of a given signer set unique and rules out duplicates.
 */
import { bytesEqual, bytesToHex } from '../common/index.js';
import { consensusReader, consensusWriter } from './codec.js';
import { ConsensusError, type ConsensusErrorContexts } from './errors.js';
import { NIL_HASH, type Vote, type VoteAuthenticator } from './types.js';
import { compareBytes, type ValidatorSet } from './validator-set.js';

export const CERTIFICATE_VERSION = 1;
/** Bounded by the on-chain registry's size; 256 signers is far above it. */
export const MAX_CERTIFICATE_SIGNERS = 256;

export interface CertificateSignature {
  readonly validator: Uint8Array;
  readonly signature: Uint8Array;
}

export interface QuorumCertificate {
  readonly height: bigint;
  readonly round: number;
  readonly blockHash: Uint8Array;
  readonly signatures: readonly CertificateSignature[];
}

export function certificateFromVotes(precommits: readonly Vote[]): QuorumCertificate {
  const first = precommits[0];
  if (!first) throw new ConsensusError('ARGUMENT_INVALID', 'a certificate needs at least one precommit');
  for (const v of precommits) {
    if (
      v.type !== 'precommit' ||
      v.height !== first.height ||
      v.round !== first.round ||
      !bytesEqual(v.blockHash, first.blockHash)
    ) {
      throw new ConsensusError(
        'ARGUMENT_INVALID',
        'certificate votes must be precommits for one block and round',
      );
    }
  }
  const signatures = [...precommits]
    .sort((a, b) => compareBytes(a.validator, b.validator))
    .map((v) => ({ validator: v.validator, signature: v.signature }));
  return { height: first.height, round: first.round, blockHash: first.blockHash, signatures };
}

export function encodeCertificate(qc: QuorumCertificate): Uint8Array {
  if (qc.signatures.length === 0 || qc.signatures.length > MAX_CERTIFICATE_SIGNERS) {
    throw new ConsensusError('ARGUMENT_INVALID', 'certificate signer count out of range', {
      count: qc.signatures.length,
    });
  }
  const w = consensusWriter('certificate')
    .u8(CERTIFICATE_VERSION)
    .u64(qc.height)
    .u32(qc.round)
    .fixed(qc.blockHash, 32, 'blockHash')
    .u16(qc.signatures.length);
  let prev: Uint8Array | undefined;
  for (const s of qc.signatures) {
    if (prev && compareBytes(prev, s.validator) >= 0) {
      throw new ConsensusError('ARGUMENT_INVALID', 'certificate signers must be sorted and distinct');
    }
    w.fixed(s.validator, 32, 'validator').fixed(s.signature, 64, 'signature');
    prev = s.validator;
  }
  return w.finish();
}

export function decodeCertificate(bytes: Uint8Array): QuorumCertificate {
  const r = consensusReader(bytes, 'certificate');
  const version = r.u8();
  if (version !== CERTIFICATE_VERSION)
    throw new ConsensusError('DECODE_FAILED', 'unknown certificate version', { version });
  const height = r.u64();
  const round = r.u32();
  const blockHash = r.bytes(32);
  const count = r.u16();
  if (count === 0 || count > MAX_CERTIFICATE_SIGNERS)
    throw new ConsensusError('DECODE_FAILED', 'certificate signer count out of range', { count });
  if (r.remaining !== count * 96)
    throw new ConsensusError('DECODE_FAILED', 'certificate length does not match its count');
  const signatures: CertificateSignature[] = [];
  let prev: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const validator = r.bytes(32);
    if (prev && compareBytes(prev, validator) >= 0)
      throw new ConsensusError('DECODE_FAILED', 'certificate signers not strictly increasing');
    signatures.push({ validator, signature: r.bytes(64) });
    prev = validator;
  }
  r.end();
  return { height, round, blockHash, signatures };
}

/** The certificate's signatures as the precommit votes they are. */
export function certificateVotes(qc: QuorumCertificate): Vote[] {
  return qc.signatures.map((s) => ({
    height: qc.height,
    round: qc.round,
    type: 'precommit' as const,
    blockHash: qc.blockHash,
    validator: s.validator,
    signature: s.signature,
  }));
}

/**
 * Throws CERTIFICATE_INVALID unless the certificate proves `blockHash` final at `height` under `set`:
 * every signer a member, every signature valid, and the signers a quorum (stake and head count).
 */
export function verifyCertificate(
  qc: QuorumCertificate,
  set: ValidatorSet,
  auth: Pick<VoteAuthenticator, 'verify'>,
  expect: { height: bigint; blockHash?: Uint8Array },
): void {
  const fail = (why: string, ctx: ConsensusErrorContexts['CERTIFICATE_INVALID'] = {}) => {
    throw new ConsensusError('CERTIFICATE_INVALID', why, { height: `${qc.height}`, ...ctx });
  };
  if (qc.height !== expect.height)
    fail('certificate is for another height', { expected: `${expect.height}` });
  if (expect.blockHash && !bytesEqual(qc.blockHash, expect.blockHash))
    fail('certificate is for another block');
  if (bytesEqual(qc.blockHash, NIL_HASH)) fail('certificate for nil');
  let stake = 0n;
  const seen = new Set<string>();
  for (const v of certificateVotes(qc)) {
    const keyHex = bytesToHex(v.validator);
    const m = set.member(keyHex);
    if (!m) fail('signer is not a member', { validator: keyHex });
    if (seen.has(keyHex)) fail('duplicate signer', { validator: keyHex });
    if (!auth.verify(v)) fail('bad signature', { validator: keyHex });
    seen.add(keyHex);
    stake += m!.stake;
  }
  if (!set.isQuorum(stake, seen.size))
    fail('signers are not a quorum', { signers: seen.size, stake: `${stake}` });
}
