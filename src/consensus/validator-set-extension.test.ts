import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { address } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeRpc, PARALOOM_DEV_PROGRAM_ID } from '../bridge/index.js';
import { createLogger } from '../common/index.js';
import { initializeParaloom, Localnet, paraloomProgram } from '../localnet/index.js';
import {
  generateKeypair,
  ValidatorChain,
  ValidatorChainReader,
  ValidatorRoster,
} from '../validator/index.js';
import {
  decodeValidatorSet,
  encodeValidatorSet,
  MemoryKv,
  registryValidators,
  type ScheduledSet,
  ValidatorSetExtension,
  ValidatorSetHistory,
} from './index.js';

const SOL = 1_000_000_000n;
const logger = createLogger('test', 'silent');

// The extension against the real program on an in-process localnet: the registry it compares
// proposals with is what register_validator wrote.
describe('validator-set ledger extension (kind 1)', () => {
  let net: Localnet;
  let rpc: BridgeRpc;
  let dir: string;

  async function register(stake: bigint): Promise<void> {
    const chain = await ValidatorChain.create(rpc, PARALOOM_DEV_PROGRAM_ID, generateKeypair(), { logger });
    await rpc.airdrop(chain.address, stake + SOL);
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    await chain.register(stake, { peerId, multiaddrs: ['/ip4/127.0.0.1/tcp/9000'] });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-vset-'));
    net = new Localnet({ port: 0, programs: [paraloomProgram()] });
    await initializeParaloom(net.chain);
    await net.start();
    rpc = new BridgeRpc({ rpcUrl: net.rpcUrl, registry: new Registry(), timeoutMs: 5_000 });
    await register(2n * SOL);
    await register(3n * SOL);
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('carries the registry at boundaries only, refuses strays and wrong sets, re-reads once, schedules on apply', async () => {
    const roster = new ValidatorRoster(
      new ValidatorChainReader(rpc, address(PARALOOM_DEV_PROGRAM_ID), 'confirmed'),
      { logger },
    );
    await roster.refresh();
    const genesis = registryValidators(roster);
    expect(genesis).toHaveLength(2);
    const scheduled: ScheduledSet[] = [];
    const history = new ValidatorSetHistory(new MemoryKv());
    const ext = new ValidatorSetExtension({
      history,
      epochBlocks: 10,
      roster,
      genesis: () => genesis,
      onScheduled: (s) => scheduled.push(s),
      logger,
    });

    expect(await ext.propose(5n)).toEqual([]);
    const [atBoundary] = await ext.propose(10n);
    expect(decodeValidatorSet(atBoundary!)).toHaveLength(2);
    expect(await ext.check(10n, [atBoundary!], 'proposal')).toBeUndefined();
    expect(await ext.check(1n, [encodeValidatorSet(genesis)], 'proposal')).toBeUndefined();

    expect(await ext.check(5n, [atBoundary!], 'proposal')).toMatch(/outside an epoch boundary/);
    expect(await ext.check(10n, [], 'proposal')).toMatch(/exactly one/);
    expect(await ext.check(10n, [Uint8Array.of(1, 0, 7)], 'proposal')).toMatch(/malformed/);
    const inflated = genesis.map((v, i) => (i === 0 ? { ...v, stake: v.stake + 1n } : v));
    expect(await ext.check(10n, [encodeValidatorSet(inflated)], 'proposal')).toMatch(/differs/);
    expect(await ext.check(1n, [encodeValidatorSet(inflated)], 'proposal')).toMatch(/genesis/);
    // A certified block being caught up is taken as carried (the registry may have moved on).
    expect(await ext.check(10n, [encodeValidatorSet(inflated)], 'final')).toBeUndefined();

    // A registration the proposer saw and this node's cached read did not: accepted after a re-read.
    await register(4n * SOL);
    const chain = await (async () => {
      const fresh = new ValidatorRoster(
        new ValidatorChainReader(rpc, address(PARALOOM_DEV_PROGRAM_ID), 'confirmed'),
        { logger },
      );
      await fresh.refresh();
      return registryValidators(fresh);
    })();
    expect(chain).toHaveLength(3);
    expect(registryValidators(roster)).toHaveLength(2);
    expect(await ext.check(20n, [encodeValidatorSet(chain)], 'proposal')).toBeUndefined();

    await ext.apply(1n, [encodeValidatorSet(genesis)]);
    for (let h = 2n; h < 10n; h++) await ext.apply(h, []);
    await ext.apply(10n, [encodeValidatorSet(chain)]);
    await ext.apply(10n, [encodeValidatorSet(genesis)]); // replayed: ignored
    expect(await ext.appliedHeight()).toBe(10n);
    expect(scheduled.map((s) => [s.from, s.validators.length])).toEqual([[12n, 3]]);
    expect(history.at(11n)?.validators).toHaveLength(2);
    expect(history.at(12n)?.validators).toHaveLength(3);
  }, 60_000);
});
