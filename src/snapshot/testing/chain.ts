/**
 * A chain of real final blocks for snapshot tests and the join bench: blocks executed by the
 * ledger's own code (computeEffects, commitBlock), certified by precommits of a real Ed25519 test
 * cohort, with deposits, transactions (their nullifiers and outputs) and validator-set sections.
 * The transactions' proofs are random bytes: nothing here verifies a SNARK (see docs/operations.md,
 * the join bench), everything else is what a validator stores.
 */
import {
  carriesValidatorSet,
  certificateFromVotes,
  decodeCertificate,
  encodeCertificate,
  encodeValidatorSet,
  VALIDATOR_SET_SECTION,
  type ValidatorInfo,
  type ValidatorSet,
  type Vote,
  type VoteAuthenticator,
  verifyCertificate,
} from '../../consensus/index.js';
import { testCohort } from '../../consensus/testing/index.js';
import {
  type Block,
  type BlockSection,
  blockHash,
  computeEffects,
  decodeBlock,
  decodedFromTransaction,
  encodeBlock,
  encodeRefundEntry,
  executeBlock,
  LedgerState,
  REFUNDS_SECTION_KIND,
  Refusal,
  refundOf,
  resolveRefunds,
  sectionsRoot,
} from '../../ledger/index.js';
import {
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  FIELD_ZERO,
  type Field,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  randomField,
} from '../../privacy/index.js';
import type { NodeStorage } from '../../storage/index.js';

export interface TestChainOptions {
  readonly blocks: number;
  readonly epochBlocks: number;
  readonly validators?: number;
  /** Every this many blocks, two deposits; default 7. */
  readonly depositEvery?: number;
  /** Every this many blocks, one transfer (two nullifiers, two outputs); default 11. */
  readonly txEvery?: number;
  /** Milliseconds between two blocks' header timestamps; default 1000. */
  readonly blockMs?: bigint;
  /** The ledger's spend-root window (ledger.spend_root_window_ms); default the ledger's. */
  readonly spendRootWindowMs?: number;
}

export interface FinalBlockRecord {
  readonly height: bigint;
  readonly bytes: Uint8Array;
  readonly qc: Uint8Array;
}

export interface TestChain {
  readonly genesis: readonly ValidatorInfo[];
  readonly auths: readonly VoteAuthenticator[];
  readonly verifyVote: (vote: Vote) => boolean;
  readonly blocks: FinalBlockRecord[];
  /** Appends `n` more blocks to the same storage. */
  extend(n: number): Promise<void>;
  /**
   * Appends one block with a withdrawal offering a refund (as transaction 0) and/or a refund
   * section refunding the named withdrawals (height, index) of earlier blocks.
   */
  extendWith(o: BlockExtras): Promise<void>;
}

export interface BlockExtras {
  readonly withdrawal?: boolean;
  readonly refunds?: readonly { readonly height: bigint; readonly index: number }[];
  /** Extra sections (kinds other than 1 and 4), e.g. compute jobs and results. */
  readonly sections?: readonly BlockSection[];
}

function envelope(): Uint8Array {
  const e = crypto.getRandomValues(new Uint8Array(ENVELOPE_BYTES));
  e[0] = ENVELOPE_VERSION;
  return e;
}

function transfer(root: Field, withdrawal = false) {
  const proof = crypto.getRandomValues(new Uint8Array(PROOF_WIRE_BYTES));
  proof[0] = PROOF_SUITE_GROTH16_BN254;
  return decodedFromTransaction({
    proof,
    statement: {
      root,
      assetPublic: FIELD_ZERO,
      nullifiers: [randomField(), randomField()],
      outputCommitments: [randomField(), randomField()],
      extData: {
        recipient: new Uint8Array(32),
        relayer: new Uint8Array(32),
        fee: 0n,
        extAmount: withdrawal ? -1_000_000n : 0n,
        expirationSlot: withdrawal ? 5_000n : 0n,
        encryptedOutput0: envelope(),
        encryptedOutput1: envelope(),
        ...(withdrawal
          ? { refundOwner: randomField(), refundBlinding: randomField(), refundCiphertext: envelope() }
          : {}),
      },
    },
  });
}

/** Certifies `hash` at `height` with every member's precommit. */
export function certify(auths: readonly VoteAuthenticator[], height: bigint, hash: Uint8Array): Uint8Array {
  const votes = auths.map((a) => {
    const v = { height, round: 0, type: 'precommit' as const, blockHash: hash };
    return { ...v, validator: a.publicKey, signature: a.sign(v) };
  });
  return encodeCertificate(certificateFromVotes(votes));
}

/** Builds `o.blocks` final blocks into `storage` (empty), returning them with their certificates. */
export async function buildTestChain(storage: NodeStorage, o: TestChainOptions): Promise<TestChain> {
  const cohort = testCohort(o.validators ?? 4);
  const genesis = cohort.signers.map((s) => ({
    publicKey: s.publicKey,
    stake: 1_000_000_000n,
    reputation: 1,
  }));
  const state = await LedgerState.open(storage, {
    ...(o.spendRootWindowMs !== undefined ? { spendRootWindowMs: o.spendRootWindowMs } : {}),
  });
  const blocks: FinalBlockRecord[] = [];
  const one = async (extras: BlockExtras = {}) => {
    const tip = state.tip;
    const height = tip.height + 1n;
    const h = Number(height);
    const deposits = h % (o.depositEvery ?? 7) === 0 ? [randomField(), randomField()] : [];
    const txs = extras.withdrawal
      ? [transfer(state.tree.root, true)]
      : h % (o.txEvery ?? 11) === 0
        ? [transfer(state.tree.root)]
        : [];
    const sections: BlockSection[] = carriesValidatorSet(height, o.epochBlocks)
      ? [{ kind: VALIDATOR_SET_SECTION, entries: [encodeValidatorSet(genesis)] }]
      : [];
    sections.push(...(extras.sections ?? []));
    const refundEntries = (extras.refunds ?? []).map((r) => {
      const tx = decodeBlock(blocks[Number(r.height) - 1]!.bytes).transactions[r.index];
      const offered = tx ? refundOf(r.height, r.index, tx) : undefined;
      if (!offered) throw new Error(`test chain: ${r.height}:${r.index} offers no refund`);
      return encodeRefundEntry(offered);
    });
    if (refundEntries.length) sections.push({ kind: REFUNDS_SECTION_KIND, entries: refundEntries });
    sections.sort((a, b) => a.kind - b.kind);
    const refunds = await resolveRefunds(state, refundEntries);
    if (refunds instanceof Refusal) throw new Error(`test chain refunds refused: ${refunds.detail}`);
    const timestampMs = 1_700_000_000_000n + height * (o.blockMs ?? 1000n);
    const effects = await computeEffects(state, timestampMs, deposits, txs, undefined, refunds);
    if (!('plan' in effects)) throw new Error(`test chain block ${h} does not execute: ${effects}`);
    const header = {
      height,
      round: 0,
      previousHash: tip.hash,
      leader: genesis[h % genesis.length]!.publicKey,
      depositsConsumed: effects.depositsConsumed,
      depositAccumulator: effects.depositAccumulator,
      commitmentRoot: effects.commitmentRoot,
      leafCount: BigInt(effects.plan.state.leafCount),
      nullifierCount: effects.nullifierCount,
      nullifierAccumulator: effects.nullifierAccumulator,
      withdrawalsRoot: effects.withdrawalsRoot,
      transactionRoot: effects.transactionRoot,
      sectionsRoot: sectionsRoot(sections),
      timestampMs,
    };
    const block: Block = { header, deposits, transactions: txs, sections };
    const bytes = encodeBlock(block);
    const hash = blockHash(header);
    const qc = certify(cohort.auths, height, hash);
    const spendRoots = state.planSpendRoots(height, timestampMs, effects.commitmentRoot);
    await storage.commitBlock({
      height,
      hash,
      block: bytes,
      qc,
      tree: effects.plan,
      nullifiers: effects.nullifiers,
      spendRoots,
      ...(deposits.length
        ? {
            depositCursor: {
              consumed: effects.depositsConsumed,
              accumulator: effects.depositAccumulator,
              slot: height,
            },
          }
        : {}),
    });
    state.tree.adopt(effects.plan, effects.leafCount);
    state.advance(
      {
        height,
        hash,
        timestampMs: header.timestampMs,
        depositsConsumed: effects.depositsConsumed,
        depositAccumulator: effects.depositAccumulator,
        nullifierCount: effects.nullifierCount,
        nullifierAccumulator: effects.nullifierAccumulator,
      },
      spendRoots,
    );
    blocks.push({ height, bytes, qc });
  };
  const extend = async (n: number) => {
    for (let i = 0; i < n; i++) await one();
  };
  await extend(o.blocks);
  return {
    genesis,
    auths: cohort.auths,
    verifyVote: (v) => cohort.auths[0]!.verify(v),
    blocks,
    extend,
    extendWith: one,
  };
}

/**
 * Applies one final block the way a catching-up validator does, minus the SNARK checks: its
 * certificate under `set`, re-execution against `state`, one synced batch. Full replay in the join
 * bench is this, block after block.
 */
export async function replayBlock(
  storage: NodeStorage,
  state: LedgerState,
  record: FinalBlockRecord,
  set: ValidatorSet,
  verifyVote: (vote: Vote) => boolean,
): Promise<void> {
  const block = decodeBlock(record.bytes);
  const hash = blockHash(block.header);
  verifyCertificate(
    decodeCertificate(record.qc),
    set,
    { verify: verifyVote },
    { height: record.height, blockHash: hash },
  );
  const effects = await executeBlock(state, block, undefined);
  if (!('plan' in effects)) throw new Error(`block ${record.height} does not re-execute: ${effects}`);
  const spendRoots = state.planSpendRoots(record.height, block.header.timestampMs, effects.commitmentRoot);
  await storage.commitBlock({
    height: record.height,
    hash,
    block: record.bytes,
    qc: record.qc,
    tree: effects.plan,
    nullifiers: effects.nullifiers,
    spendRoots,
    ...(block.deposits.length
      ? {
          depositCursor: {
            consumed: effects.depositsConsumed,
            accumulator: effects.depositAccumulator,
            slot: record.height,
          },
        }
      : {}),
  });
  state.tree.adopt(effects.plan, effects.leafCount);
  state.advance(
    {
      height: record.height,
      hash,
      timestampMs: block.header.timestampMs,
      depositsConsumed: effects.depositsConsumed,
      depositAccumulator: effects.depositAccumulator,
      nullifierCount: effects.nullifierCount,
      nullifierAccumulator: effects.nullifierAccumulator,
    },
    spendRoots,
  );
}
