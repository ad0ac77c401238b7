/**
 * Consensus messages on the network module's `consensus` topic. A vote is the network's VOTE message
 * field for field. A proposal is a PROPOSAL message (height, round, body) whose body is
 * (docs/protocol.md, "Consensus messages"):
 *
 *   valid round u32 (0xFFFFFFFF = none) | block hash [32] | proposer key [32] | proposer's prevote
 *   signature [64] | block bytes (the rest; the application's encoding)
 */
import { type MessageOf, type NetworkMessage, VoteKind } from '../network/index.js';
import { consensusReader, consensusWriter } from './codec.js';
import { ConsensusError } from './errors.js';
import type { ConsensusMessage, Proposal, Vote } from './types.js';

const NO_ROUND = 0xffff_ffff;

export function encodeProposalBody(p: Proposal): Uint8Array {
  return consensusWriter('proposal')
    .u32(p.validRound < 0 ? NO_ROUND : p.validRound)
    .fixed(p.blockHash, 32, 'blockHash')
    .fixed(p.proposer, 32, 'proposer')
    .fixed(p.signature, 64, 'signature')
    .raw(p.bytes)
    .finish();
}

export function decodeProposalBody(height: bigint, round: number, body: Uint8Array): Proposal {
  const r = consensusReader(body, 'proposal');
  const vr = r.u32();
  const blockHash = r.bytes(32);
  const proposer = r.bytes(32);
  const signature = r.bytes(64);
  const bytes = r.rest();
  if (vr !== NO_ROUND && vr >= round)
    throw new ConsensusError('DECODE_FAILED', 'valid round must be below the round', { vr, round });
  return { height, round, validRound: vr === NO_ROUND ? -1 : vr, blockHash, proposer, signature, bytes };
}

export function toNetworkMessage(m: ConsensusMessage): NetworkMessage {
  if (m.kind === 'proposal') {
    return {
      type: 'PROPOSAL',
      height: m.proposal.height,
      round: m.proposal.round,
      body: encodeProposalBody(m.proposal),
    };
  }
  const v = m.vote;
  return {
    type: 'VOTE',
    height: v.height,
    round: v.round,
    kind: v.type === 'prevote' ? VoteKind.PREVOTE : VoteKind.PRECOMMIT,
    blockHash: v.blockHash,
    validator: v.validator,
    signature: v.signature,
  };
}

/** Undefined for network messages that are not consensus messages. Throws DECODE_FAILED on bad bodies. */
export function fromNetworkMessage(m: NetworkMessage): ConsensusMessage | undefined {
  if (m.type === 'PROPOSAL')
    return { kind: 'proposal', proposal: decodeProposalBody(m.height, m.round, m.body) };
  if (m.type === 'VOTE') return { kind: 'vote', vote: voteFromNetwork(m) };
  return undefined;
}

function voteFromNetwork(m: MessageOf<'VOTE'>): Vote {
  return {
    height: m.height,
    round: m.round,
    type: m.kind === VoteKind.PREVOTE ? 'prevote' : 'precommit',
    blockHash: m.blockHash,
    validator: m.validator,
    signature: m.signature,
  };
}
