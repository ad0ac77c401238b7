import { describe, expect, it } from 'vitest';
import { PARALOOM_DEV_PROGRAM_ID } from '../bridge/index.js';
import { bytesEqual, createLogger } from '../common/index.js';
import {
  certificateFromVotes,
  encodeCertificate,
  encodeValidatorSet,
  sameValidatorSet,
  signerAuthenticator,
  VALIDATOR_SET_SECTION,
  type ValidatorInfo,
  type ValidatorRegistry,
} from '../consensus/index.js';
import { type Block, blockHash, encodeBlock, sectionsRoot, transactionRoot } from '../ledger/index.js';
import type { NetworkMessage, SyncedBlock } from '../network/index.js';
import { FIELD_ZERO } from '../privacy/index.js';
import { keypairFromSeed, ValidatorSigner } from '../validator/index.js';
import { BlockSyncServer, GenesisDiscovery, SyncError } from './index.js';

const logger = createLogger('test', 'silent');
const domain = { programId: PARALOOM_DEV_PROGRAM_ID, cluster: 'localnet' } as const;
const signers = [1, 2, 3, 4].map(
  (i) => new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(i)), domain),
);
const genesis: ValidatorInfo[] = signers.map((s) => ({
  publicKey: s.publicKey,
  stake: 1_000_000_000n,
  reputation: 1,
}));

/** Block 1 carrying `set` (or no section), certified by the precommits of `voters`. */
function block1(set: ValidatorInfo[] | undefined, voters = signers): SyncedBlock {
  const sections = set ? [{ kind: VALIDATOR_SET_SECTION, entries: [encodeValidatorSet(set)] }] : [];
  const block: Block = {
    header: {
      height: 1n,
      round: 0,
      previousHash: new Uint8Array(32),
      leader: signers[0]!.publicKey,
      depositsConsumed: 0n,
      depositAccumulator: FIELD_ZERO,
      commitmentRoot: FIELD_ZERO,
      leafCount: 0n,
      nullifierCount: 0n,
      nullifierAccumulator: new Uint8Array(32),
      withdrawalsRoot: FIELD_ZERO,
      transactionRoot: transactionRoot([]),
      sectionsRoot: sectionsRoot(sections),
      timestampMs: 1_700_000_000_000n,
    },
    deposits: [],
    transactions: [],
    sections,
  };
  const hash = blockHash(block.header);
  const votes = voters.map((s) => {
    const fields = { height: 1n, round: 0, voteType: 'precommit', blockHash: hash } as const;
    const signed = s.signVote(fields);
    return {
      height: 1n,
      round: 0,
      type: 'precommit' as const,
      blockHash: hash,
      validator: s.publicKey,
      signature: signed.signature,
    };
  });
  return { height: 1n, hash, block: encodeBlock(block), qc: encodeCertificate(certificateFromVotes(votes)) };
}

/** A registry whose listing the test changes between reads. */
function listing(keys: Uint8Array[]): ValidatorRegistry & { keys: Uint8Array[]; reads: number } {
  return {
    keys,
    reads: 0,
    async refresh() {
      this.reads++;
    },
    entries() {
      return this.keys.map((publicKey) => ({ publicKey, stake: 2n, reputation: 0 }));
    },
  };
}

/** Peers answering 'block-sync' requests in process, as a NetworkNode's request would. */
function peers(answers: Record<string, (req: NetworkMessage) => Promise<NetworkMessage>>) {
  return {
    peers: { list: () => Object.keys(answers).map((peerId) => ({ peerId, state: 'connected' })) },
    request: (peerId: string, _name: string, req: NetworkMessage) => answers[peerId]!(req),
  } as unknown as ConstructorParameters<typeof GenesisDiscovery>[0]['network'];
}

function discovery(o: Partial<ConstructorParameters<typeof GenesisDiscovery>[0]> = {}) {
  return new GenesisDiscovery({
    network: peers({}),
    auth: signerAuthenticator(signers[0]!),
    self: signers[0]!.publicKey,
    registry: listing([]),
    isRegistered: async () => true,
    anchorCount: async () => 0n,
    minValidators: 2,
    waitValidatorsMs: 2_000,
    logger,
    ...o,
  });
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof SyncError) return err.code;
    throw err;
  }
  throw new Error('expected a SyncError');
};

describe('BlockSyncServer', () => {
  const stored = block1(genesis);
  const blocks = {
    getByHeight: async (h: bigint) => (h === 1n ? { hash: stored.hash, block: stored.block } : undefined),
    getQc: async (h: bigint) => (h === 1n ? stored.qc : undefined),
  } as unknown as ConstructorParameters<typeof BlockSyncServer>[0]['blocks'];

  it('serves one final block with its certificate, nothing past the tip, nothing once stopped', async () => {
    const handlers = new Map<string, (req: NetworkMessage) => Promise<NetworkMessage>>();
    const server = new BlockSyncServer({
      network: { handle: (name, h) => handlers.set(name, (req) => Promise.resolve(h(req, 'peer'))) },
      blocks,
      logger,
    });
    await server.start();
    const ask = handlers.get('block-sync')!;
    const res = await ask({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 10 });
    expect(res).toEqual({ type: 'BLOCK_SYNC_RESPONSE', blocks: [stored] });
    expect(await ask({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 2n, maxBlocks: 1 })).toEqual({
      type: 'BLOCK_SYNC_RESPONSE',
      blocks: [],
    });
    await server.stop();
    expect(await ask({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 1 })).toEqual({
      type: 'BLOCK_SYNC_RESPONSE',
      blocks: [],
    });
  });
});

describe('GenesisDiscovery', () => {
  it('takes the set block 1 carries when its certificate is a quorum of it and all are on chain', async () => {
    const set = await discovery().provenGenesis(block1(genesis));
    expect(sameValidatorSet(set, genesis)).toBe(true);
  });

  it('refuses a block 1 without a set, one certified by too few, one naming a key not on chain', async () => {
    expect(await codeOf(discovery().provenGenesis(block1(undefined)))).toBe('GENESIS_INVALID');
    await expect(discovery().provenGenesis(block1(genesis, signers.slice(0, 2)))).rejects.toMatchObject({
      code: 'CERTIFICATE_INVALID',
    });
    const stranger = signers[3]!.publicKey;
    const d = discovery({ isRegistered: async (k) => !bytesEqual(k, stranger) });
    expect(await codeOf(d.provenGenesis(block1(genesis)))).toBe('GENESIS_INVALID');
  });

  it('asks peers for block 1: a proven one wins, a bad one is passed over', async () => {
    const good = block1(genesis);
    const network = peers({
      liar: async () => ({ type: 'BLOCK_SYNC_RESPONSE', blocks: [block1(undefined)] }),
      honest: async () => ({ type: 'BLOCK_SYNC_RESPONSE', blocks: [good] }),
    });
    const set = await discovery({ network }).fromPeers(true);
    expect(set).toHaveLength(4);
  });

  it('a cohort starting together: peers without block 1 mean the registry decides', async () => {
    const network = peers({ fresh: async () => ({ type: 'BLOCK_SYNC_RESPONSE', blocks: [] }) });
    expect(await discovery({ network }).fromPeers(false)).toBeUndefined();
  });

  it('a running cohort with no peer serving block 1 is an error, not a new genesis', async () => {
    const network = peers({ fresh: async () => ({ type: 'BLOCK_SYNC_RESPONSE', blocks: [] }) });
    const d = discovery({ network, waitValidatorsMs: 300, anchorCount: async () => 3n });
    expect(await codeOf(d.discover(true))).toBe('GENESIS_UNAVAILABLE');
  });

  it('the registry genesis waits for this node and enough validators, reporting what it waits for', async () => {
    const registry = listing([signers[1]!.publicKey]);
    const statuses: string[] = [];
    const d = discovery({ registry, onStatus: (s) => statuses.push(s) });
    const found = d.discover(false);
    await new Promise((r) => setTimeout(r, 50));
    registry.keys = [signers[1]!.publicKey, signers[0]!.publicKey];
    const set = await found;
    expect(set.map((v) => v.publicKey)).toEqual(registry.keys);
    // Reputation 0 on chain still weighs a leader.
    expect(set.every((v) => v.reputation === 1)).toBe(true);
    expect(statuses[0]).toBe('waiting for validators: 1 of 2, self not registered');
    expect(registry.reads).toBeGreaterThanOrEqual(2);
  });

  it('gives up on the registry after the wait with a typed error', async () => {
    const d = discovery({ registry: listing([signers[0]!.publicKey]), waitValidatorsMs: 100 });
    expect(await codeOf(d.fromRegistry())).toBe('VALIDATORS_MISSING');
  });
});
