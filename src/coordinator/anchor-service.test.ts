import type { Address, Signature } from '@solana/kit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type AnchorFields,
  accountDiscriminator,
  decodeBridgeState,
  type Ed25519Entry,
  SIZES,
} from '../bridge/index.js';
import { bytesToHex, createLogger } from '../common/index.js';
import { DirectRouter, type NetworkMessage } from '../network/index.js';
import { keypairFromSeed, ValidatorSigner } from '../validator/index.js';
import { encodeSignRequest } from './anchor-messages.js';
import { AnchorService } from './anchor-service.js';
import { AnchorSigningService } from './anchor-signing.js';
import { coordinatorMetrics } from './metrics.js';
import { chain } from './testing/index.js';
import { WithdrawalIndex } from './withdrawal-index.js';

describe('anchor service', () => {
  const PROGRAM = 'PaRa1oomDev11111111111111111111111111111111' as Address;
  const signers = [1, 2, 3, 4].map(
    (i) =>
      new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(i)), {
        programId: PROGRAM,
        cluster: 'localnet',
      }),
  );
  /** A BridgeState with nothing anchored yet (the program's layout, src/bridge), as the chain view reads it. */
  const bridgeState = () => {
    const data = new Uint8Array(SIZES.bridgeState);
    data.set(accountDiscriminator('BridgeState'), 0);
    const state = decodeBridgeState(data);
    expect(state.lastHeight).toBe(0n);
    return state;
  };
  const chainView = () => {
    const state = bridgeState();
    const reading = {
      at: Date.now(),
      slot: 1n,
      state,
      finalizedState: state,
      finalizedSlot: 1n,
      validators: [],
      vaultLamports: 0n,
    };
    return { state, refresh: async () => reading };
  };

  /**
   * Validator 0 coordinates; each other validator answers through its own signing service, does not
   * answer ('down'), or is asked for another range than the coordinator's ('other-range': it signs
   * real, valid fields that are not the ones being anchored).
   */
  type Peer = 'self' | 'honest' | 'down' | 'other-range';
  async function cohort(stakes: bigint[], peers: Peer[]) {
    const { blocks } = chain([0, 1, 0]);
    const handlers = new Map<string, (req: NetworkMessage, from: string) => Promise<NetworkMessage>>();
    for (const [i, signer] of signers.entries()) {
      if (i === 0) continue;
      const router = new DirectRouter({ handle: (_n, h) => handlers.set(`peer-${i}`, h) });
      await new AnchorSigningService({ router, signer, blocks, index: new WithdrawalIndex(blocks) }).start();
    }
    const submitted: { fields: AnchorFields; quorum: readonly Ed25519Entry[] }[] = [];
    const registry = new Registry();
    const service = new AnchorService({
      chain: chainView(),
      network: {
        request: async (peer, _protocol, msg) => {
          const behaviour = peers[Number(String(peer).slice(5))];
          if (behaviour === 'down') throw new Error('dial timed out');
          const asked =
            behaviour === 'other-range' && msg.type === 'DIRECT'
              ? { ...msg, body: encodeSignRequest({ fromHeight: 0n, height: 2n }) }
              : msg;
          return handlers.get(String(peer))!(asked, 'peer-0');
        },
      },
      submitter: {
        submit: async (fields, quorum) => {
          submitted.push({ fields, quorum });
          return { status: 'anchored', signature: 'sig' as Signature, slot: 1n, attempts: 1 };
        },
      },
      signer: signers[0]!,
      blocks,
      index: new WithdrawalIndex(blocks),
      roster: async () =>
        signers.map((s, i) => ({
          address: s.address,
          publicKey: s.publicKey,
          stake: stakes[i]!,
          reputation: 10_000,
          endpoints: { peerId: `peer-${i}`, multiaddrs: [] },
        })),
      policy: { everyBlocks: 1, everyMs: 60_000, withdrawalDelayMs: 60_000 },
      metrics: coordinatorMetrics(registry),
      logger: createLogger('test', 'silent'),
    });
    const outcomes = async () =>
      Object.fromEntries(
        (await registry.getSingleMetric('paraloom_coordinator_anchors_total')!.get()).values.map((v) => [
          v.labels.outcome,
          v.value,
        ]),
      );
    const signatures = async () =>
      Object.fromEntries(
        (await registry.getSingleMetric('paraloom_coordinator_anchor_signatures_total')!.get()).values.map(
          (v) => [v.labels.outcome, v.value],
        ),
      );
    return { service, submitted, outcomes, signatures };
  }

  it('sends nothing while the signed stake is at most 2/3, and counts the round as no_quorum', async () => {
    // Coordinator and one answering validator hold exactly 2/3 of the stake: not enough.
    const { service, submitted, outcomes } = await cohort(
      [2n, 2n, 1n, 1n],
      ['self', 'honest', 'down', 'down'],
    );
    await service.tick();
    await service.tick();
    expect(submitted).toEqual([]);
    expect(await outcomes()).toEqual({ no_quorum: 2 });
    expect(service.lastAnchoredHeight).toBe(0n);
  });

  it('sends the fewest signatures that pass 2/3, largest stakes first, each over its own recomputed fields', async () => {
    const { service, submitted, outcomes } = await cohort(
      [1n, 1n, 3n, 2n],
      ['self', 'honest', 'honest', 'honest'],
    );
    await service.tick();
    expect(await outcomes()).toEqual({ anchored: 1 });
    expect(submitted).toHaveLength(1);
    const { fields, quorum } = submitted[0]!;
    expect(fields.height).toBe(3n);
    // 1 (own) + 3 + 2 = 6 of 7 > 2/3; validator 1's signature is not needed.
    expect(quorum.map((q) => bytesToHex(q.publicKey))).toEqual(
      [signers[2]!, signers[3]!].map((s) => bytesToHex(s.publicKey)),
    );
    const digest = signers[0]!.signAnchor(fields).digest;
    for (const q of quorum) expect(q.message).toEqual(digest);
    expect(service.lastAnchoredHeight).toBe(3n);
  });

  it('counts a valid signature over other fields as invalid and does not use it', async () => {
    // Validator 2 holds the stake that would make the quorum, but signs the anchor of (0, 2].
    const { service, submitted, outcomes, signatures } = await cohort(
      [1n, 1n, 3n, 1n],
      ['self', 'honest', 'other-range', 'down'],
    );
    await service.tick();
    expect(submitted).toEqual([]);
    expect(await outcomes()).toEqual({ no_quorum: 1 });
    expect(await signatures()).toEqual({ valid: 1, invalid: 1, error: 1 });
  });
});
