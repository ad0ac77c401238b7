import type { Address, Signature } from '@solana/kit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type AnchorFields,
  accountDiscriminator,
  type BridgeState,
  decodeBridgeState,
  type Ed25519Entry,
  encodeAnchorFields,
  SIZES,
  WithdrawalsTree,
  withdrawalLeaf,
} from '../bridge/index.js';
import { bytesToHex, createLogger } from '../common/index.js';
import {
  type Block,
  type BlockHeader,
  blockHash,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  extDataHashOf,
  sectionsRoot,
} from '../ledger/index.js';
import { DirectRouter, type NetworkMessage } from '../network/index.js';
import {
  type Field,
  fieldToBytesBE,
  hash2,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  randomField,
  toField,
} from '../privacy/index.js';
import { keypairFromSeed, ValidatorSigner, verifyAnchor } from '../validator/index.js';
import {
  DIRECT_KINDS,
  decodeAnchorSignature,
  decodeSignRequest,
  encodeAnchorSignature,
  encodeSignRequest,
} from './anchor-messages.js';
import { planAnchor } from './anchor-plan.js';
import { AnchorService } from './anchor-service.js';
import { AnchorSigningService } from './anchor-signing.js';
import { AnchoredRanges } from './approvals.js';
import { CoordinatorError } from './errors.js';
import { coordinatorMetrics } from './metrics.js';
import { type FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';

/** A decodable transaction; only withdrawals (ext_amount < 0) enter the index. Proof bytes are not checked here. */
function tx(withdrawal: boolean) {
  const proof = new Uint8Array(PROOF_WIRE_BYTES);
  proof[0] = PROOF_SUITE_GROTH16_BN254;
  const envelope = () => {
    const e = crypto.getRandomValues(new Uint8Array(121));
    e[0] = 1;
    return e;
  };
  return decodeTransaction(
    encodeTransaction({
      proof,
      statement: {
        root: randomField(),
        asset: toField(0n),
        nullifiers: [randomField(), randomField()],
        outputCommitments: [randomField(), randomField()],
        extData: {
          recipient: crypto.getRandomValues(new Uint8Array(32)),
          relayer: crypto.getRandomValues(new Uint8Array(32)),
          fee: withdrawal ? 1_000n : 0n,
          extAmount: withdrawal ? -5_000n : 0n,
          expirationSlot: withdrawal ? 99n : 0n,
          encryptedOutput0: envelope(),
          encryptedOutput1: envelope(),
        },
      },
    }),
  );
}

function chain(withdrawalsPerBlock: number[]): { blocks: FinalBlocks; list: Block[] } {
  const list: Block[] = [];
  let previous: Uint8Array = new Uint8Array(32);
  withdrawalsPerBlock.forEach((n, i) => {
    const header: BlockHeader = {
      height: BigInt(i + 1),
      round: 0,
      previousHash: previous,
      leader: new Uint8Array(32).fill(1),
      depositsConsumed: 0n,
      depositAccumulator: toField(0n),
      commitmentRoot: randomField(),
      leafCount: BigInt(2 * i),
      withdrawalsRoot: toField(0n),
      transactionRoot: new Uint8Array(32),
      sectionsRoot: sectionsRoot([]),
      timestampMs: BigInt(i),
    };
    list.push({
      header,
      deposits: [],
      transactions: [tx(false), ...Array.from({ length: n }, () => tx(true))],
      sections: [],
    });
    previous = blockHash(header);
  });
  const bytes = list.map(encodeBlock);
  return {
    list,
    blocks: {
      tipHeight: () => BigInt(list.length),
      blockBytes: async (h) => bytes[Number(h) - 1],
    },
  };
}

const leavesOf = (b: Block): Field[] =>
  b.transactions
    .filter((t) => t.tx.statement.extData.extAmount < 0n)
    .map((t) =>
      withdrawalLeaf(t.tx.statement.nullifiers[0], t.tx.statement.nullifiers[1], extDataHashOf(t.tx)),
    );

describe('anchor plans', () => {
  it('cover every withdrawal of (from, height] in block order, with the block at height', async () => {
    const { blocks, list } = chain([0, 2, 0, 1, 0]);
    const index = new WithdrawalIndex(blocks);
    const plan = await planAnchor(blocks, index, 0n, 5n);
    const leaves = [...leavesOf(list[1]!), ...leavesOf(list[3]!)];
    expect(plan.withdrawals.map((w) => w.leaf)).toEqual(leaves);
    expect(plan.fields.withdrawalsRoot).toEqual(fieldToBytesBE(new WithdrawalsTree(leaves).root));
    expect(plan.fields.root).toEqual(fieldToBytesBE(list[4]!.header.commitmentRoot));
    expect(plan.fields.blockHash).toEqual(blockHash(list[4]!.header));
    const later = await planAnchor(blocks, index, 2n, 4n);
    expect(later.withdrawals.map((w) => w.leaf)).toEqual(leavesOf(list[3]!));
    // An empty range of withdrawals anchors the zero root (nothing can be approved by it).
    expect((await planAnchor(blocks, index, 4n, 5n)).fields.withdrawalsRoot).toEqual(new Uint8Array(32));
    const n0 = list[3]!.transactions[1]!.tx.statement.nullifiers[0];
    expect((await index.find(n0))?.height).toBe(4n);
  });

  it('refuse empty, reversed, too long and not-yet-final ranges', async () => {
    const { blocks } = chain([0, 0, 0]);
    const index = new WithdrawalIndex(blocks);
    for (const [from, to] of [
      [2n, 2n],
      [3n, 1n],
      [0n, 4n],
      [0n, 600n],
    ] as const) {
      await expect(planAnchor(blocks, index, from, to)).rejects.toMatchObject({
        code: 'ANCHOR_RANGE_INVALID',
      });
    }
  });
});

describe('anchored ranges', () => {
  const state = (anchors: { height: bigint; withdrawalsRoot: Uint8Array }[]): BridgeState =>
    ({
      ...decodeBridgeStateStub(),
      anchorCount: BigInt(anchors.length),
      anchors: anchors.map((a) => ({ ...a, root: new Uint8Array(32), blockHash: new Uint8Array(32) })),
    }) as BridgeState;

  it('rebuild approvals for the ring and drop a range whose root does not match', async () => {
    const { blocks } = chain([1, 0, 2, 1]);
    const index = new WithdrawalIndex(blocks);
    const a2 = await planAnchor(blocks, index, 0n, 2n);
    const a4 = await planAnchor(blocks, index, 2n, 4n);
    const ranges = new AnchoredRanges(index);
    const got = await ranges.of(
      state([
        { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
        { height: 4n, withdrawalsRoot: a4.fields.withdrawalsRoot },
      ]),
    );
    expect(got.map((r) => [r.fromHeight, r.entry.height, r.withdrawals.length])).toEqual([
      [0n, 2n, 1],
      [2n, 4n, 3],
    ]);
    // The third withdrawal of (2, 4] proves membership in the anchored root at height 4.
    const leaf = got[1]!.withdrawals[2]!.leaf;
    const path = got[1]!.tree.path(2);
    let node = leaf;
    path.forEach((sib, d) => {
      node = (2 >> d) & 1 ? hash2(sib, node) : hash2(node, sib);
    });
    expect(fieldToBytesBE(node)).toEqual(a4.fields.withdrawalsRoot);
    // A root planned from another start (two racing coordinators) cannot be served.
    const other = await new AnchoredRanges(index).of(
      state([
        { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
        { height: 4n, withdrawalsRoot: (await planAnchor(blocks, index, 0n, 4n)).fields.withdrawalsRoot },
      ]),
    );
    expect(other.map((r) => r.entry.height)).toEqual([2n]);
  });
});

describe('anchor signing over the direct protocol', () => {
  it('signs what the validator recomputes, and refuses ranges it cannot', async () => {
    const { blocks } = chain([0, 1, 0]);
    const index = new WithdrawalIndex(blocks);
    let handler: ((req: NetworkMessage, from: string) => Promise<NetworkMessage>) | undefined;
    const router = new DirectRouter({ handle: (_n, h) => (handler = h) });
    const signer = new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(3)), {
      programId: 'PaRa1oomDev11111111111111111111111111111111',
      cluster: 'localnet',
    });
    new AnchorSigningService({ router, signer, blocks, index }).start();
    const ask = (fromHeight: bigint, height: bigint) =>
      handler!(
        {
          type: 'DIRECT',
          kind: DIRECT_KINDS.anchorSignRequest,
          body: encodeSignRequest({ fromHeight, height }),
        },
        'peer',
      );
    const res = await ask(0n, 3n);
    expect(res.type === 'DIRECT' && res.kind).toBe(DIRECT_KINDS.anchorSignature);
    const sig = decodeAnchorSignature((res as { body: Uint8Array }).body);
    expect(verifyAnchor(signer.domain, sig)).toBe(true);
    expect(encodeAnchorFields(sig.fields)).toEqual(
      encodeAnchorFields((await planAnchor(blocks, index, 0n, 3n)).fields),
    );
    expect(await ask(0n, 9n)).toMatchObject({ type: 'ERROR', text: 'ANCHOR_RANGE_INVALID' });
    expect(
      await handler!(
        { type: 'DIRECT', kind: DIRECT_KINDS.anchorSignRequest, body: new Uint8Array(15) },
        'peer',
      ),
    ).toMatchObject({ type: 'ERROR', text: 'MESSAGE_MALFORMED' });
    expect(await handler!({ type: 'DIRECT', kind: 0x7777, body: new Uint8Array(0) }, 'peer')).toMatchObject({
      type: 'ERROR',
    });
  });

  it('messages round-trip and refuse wrong lengths', () => {
    expect(decodeSignRequest(encodeSignRequest({ fromHeight: 7n, height: 9n }))).toEqual({
      fromHeight: 7n,
      height: 9n,
    });
    const s = {
      publicKey: new Uint8Array(32).fill(1),
      signature: new Uint8Array(64).fill(2),
      fields: {
        height: 5n,
        root: new Uint8Array(32).fill(3),
        depositsConsumed: 4n,
        depositAcc: new Uint8Array(32).fill(5),
        withdrawalsRoot: new Uint8Array(32).fill(6),
        blockHash: new Uint8Array(32).fill(7),
      },
    };
    expect(decodeAnchorSignature(encodeAnchorSignature(s))).toEqual(s);
    expect(() => decodeAnchorSignature(new Uint8Array(10))).toThrow(CoordinatorError);
  });
});

/** Fields the ranges code does not read; a real account layout is decoded elsewhere (src/bridge). */
function decodeBridgeStateStub(): Partial<BridgeState> {
  return { lastHeight: 0n } satisfies Partial<ReturnType<typeof decodeBridgeState>>;
}

describe('anchor service', () => {
  const PROGRAM = 'PaRa1oomDev11111111111111111111111111111111' as Address;
  const signers = [1, 2, 3, 4].map(
    (i) =>
      new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(i)), {
        programId: PROGRAM,
        cluster: 'localnet',
      }),
  );
  /** A BridgeState account with nothing anchored yet (the program's layout, src/bridge). */
  const bridgeState = () => {
    const data = new Uint8Array(SIZES.bridgeState);
    data.set(accountDiscriminator('BridgeState'), 0);
    expect(decodeBridgeState(data).lastHeight).toBe(0n);
    return { data, owner: PROGRAM, lamports: 1n };
  };

  /** Validator 0 coordinates; each other validator answers through its own signing service when `up`. */
  function cohort(stakes: bigint[], up: boolean[]) {
    const { blocks } = chain([0, 1, 0]);
    const handlers = new Map<string, (req: NetworkMessage, from: string) => Promise<NetworkMessage>>();
    signers.forEach((signer, i) => {
      if (i === 0) return;
      const router = new DirectRouter({ handle: (_n, h) => handlers.set(`peer-${i}`, h) });
      new AnchorSigningService({ router, signer, blocks, index: new WithdrawalIndex(blocks) }).start();
    });
    const submitted: { fields: AnchorFields; quorum: readonly Ed25519Entry[] }[] = [];
    const registry = new Registry();
    const service = new AnchorService({
      rpc: { accountData: async () => bridgeState() },
      programId: PROGRAM,
      network: {
        request: async (peer, _protocol, msg) => {
          const i = Number(String(peer).slice(5));
          if (!up[i]) throw new Error('dial timed out');
          return handlers.get(String(peer))!(msg, 'peer-0');
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
    return { service, submitted, outcomes };
  }

  it('sends nothing while the signed stake is at most 2/3, and counts the round as no_quorum', async () => {
    // Coordinator and one answering validator hold exactly 2/3 of the stake: not enough.
    const { service, submitted, outcomes } = cohort([2n, 2n, 1n, 1n], [true, true, false, false]);
    await service.tick();
    await service.tick();
    expect(submitted).toEqual([]);
    expect(await outcomes()).toEqual({ no_quorum: 2 });
    expect(service.lastAnchoredHeight).toBe(0n);
  });

  it('sends the fewest signatures that pass 2/3, largest stakes first, each over its own recomputed fields', async () => {
    const { service, submitted, outcomes } = cohort([1n, 1n, 3n, 2n], [true, true, true, true]);
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
});
