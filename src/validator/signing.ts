/**
 * What a validator signs, and how. Messages are the bridge's canonical encodings (the program parses
 * the very same bytes in `slash` and `anchor_root`), each starting with a domain tag and binding the
 * program id and the cluster tag, so a signature is valid for one purpose on one deployment only.
 * Layouts: docs/protocol.md, "Validator signatures".
 */
import type { KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, address, getAddressEncoder } from '@solana/kit';
import {
  type AnchorFields,
  anchorDigest,
  CLUSTER_IDS,
  type ClusterName,
  encodeVoteMessage,
  type VoteFields,
} from '../bridge/index.js';
import { ed25519SigningKey, signEd25519, verifyEd25519 } from './ed25519.js';
import { ValidatorError } from './errors.js';
import { type HeartbeatFields, heartbeatMessage } from './heartbeat.js';
import type { ValidatorKeypair } from './keypair.js';

/** The deployment a signature is bound to. */
export interface SigningDomain {
  readonly programId: string;
  readonly cluster: ClusterName;
}

export interface SignedVote {
  readonly vote: VoteFields;
  /** The exact 94 signed bytes. */
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

export interface SignedAnchor {
  readonly fields: AnchorFields;
  /** The 32-byte digest that was signed (what the Ed25519 program instruction carries). */
  readonly digest: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

function resolveDomain(domain: SigningDomain): { programId: Address; cluster: number } {
  let programId: Address;
  try {
    programId = address(domain.programId);
  } catch (err) {
    throw new ValidatorError(
      'ARGUMENT_INVALID',
      'program id is not a base58 address',
      { programId: domain.programId },
      { cause: err },
    );
  }
  return { programId, cluster: CLUSTER_IDS[domain.cluster] };
}

export function voteMessage(domain: SigningDomain, vote: VoteFields): Uint8Array {
  const d = resolveDomain(domain);
  return encodeVoteMessage(d.programId, d.cluster, vote);
}

export function anchorMessage(domain: SigningDomain, fields: AnchorFields): Uint8Array {
  const d = resolveDomain(domain);
  return anchorDigest(d.programId, d.cluster, fields);
}

const COORDINATION_TAG = new TextEncoder().encode('paraloom:coordination:v1');

/**
 * Coordinator election and replication messages (leases, heartbeats): sha256(tag | program id |
 * cluster u8 | body). Never valid as a vote or an anchor approval (other tags, other lengths).
 */
export function coordinationMessage(domain: SigningDomain, body: Uint8Array): Uint8Array {
  const d = resolveDomain(domain);
  const programId = new Uint8Array(getAddressEncoder().encode(d.programId));
  const buf = new Uint8Array(COORDINATION_TAG.length + 32 + 1 + body.length);
  buf.set(COORDINATION_TAG, 0);
  buf.set(programId, COORDINATION_TAG.length);
  buf[COORDINATION_TAG.length + 32] = d.cluster;
  buf.set(body, COORDINATION_TAG.length + 33);
  return sha256(buf);
}

export function verifyCoordination(
  domain: SigningDomain,
  body: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return verifyEd25519(signature, coordinationMessage(domain, body), publicKey);
}

export function verifyVote(domain: SigningDomain, signed: Omit<SignedVote, 'message'>): boolean {
  return verifyEd25519(signed.signature, voteMessage(domain, signed.vote), signed.publicKey);
}

export function verifyAnchor(domain: SigningDomain, signed: Omit<SignedAnchor, 'digest'>): boolean {
  return verifyEd25519(signed.signature, anchorMessage(domain, signed.fields), signed.publicKey);
}

/**
 * A validator's signing key bound to one deployment: consensus holds one of these and never the raw
 * key or the domain, so it cannot sign for another program or cluster by mistake.
 */
export class ValidatorSigner {
  readonly publicKey: Uint8Array;
  readonly address: Address;
  private readonly key: KeyObject;

  constructor(
    keypair: ValidatorKeypair,
    readonly domain: SigningDomain,
  ) {
    resolveDomain(domain);
    this.key = ed25519SigningKey(keypair.secretKey.slice(0, 32));
    this.publicKey = keypair.publicKey;
    this.address = keypair.address;
  }

  signVote(vote: VoteFields): SignedVote {
    const message = voteMessage(this.domain, vote);
    return { vote, message, publicKey: this.publicKey, signature: signEd25519(message, this.key) };
  }

  /** Signs a heartbeat for this validator's key, published by `peerId`. */
  signHeartbeat(fields: Omit<HeartbeatFields, 'validator'>): Uint8Array {
    return signEd25519(heartbeatMessage(this.domain, { ...fields, validator: this.publicKey }), this.key);
  }

  /** Signs a coordinator election or replication message body (coordinationMessage). */
  signCoordination(body: Uint8Array): Uint8Array {
    return signEd25519(coordinationMessage(this.domain, body), this.key);
  }

  signAnchor(fields: AnchorFields): SignedAnchor {
    const digest = anchorMessage(this.domain, fields);
    return { fields, digest, publicKey: this.publicKey, signature: signEd25519(digest, this.key) };
  }
}
