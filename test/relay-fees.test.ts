/**
 * Relay fees on the shared cohort (test/helpers/shared-cohort.ts), as wallets meet them: the ingress
 * quotes each active validator's on-chain floor; a withdrawal under its relayer's floor, or naming a
 * key that is not a validator, is refused at the ingress with its code (and by the wallet before it
 * proves anything); and a relayer settling 20 withdrawals at the default floor ends with no less SOL
 * than it started with. Other files use the same cohort meanwhile: every check is about this file's
 * own notes and transactions. The relayer measured does not anchor (it is not the primary); other
 * files' withdrawals that name it pay it at least the same floor.
 */
import { address, generateKeyPairSigner, getAddressEncoder, type KeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeRpc,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  type ProgramAddresses,
  relayCost,
  TransactionSender,
} from '../src/bridge/index.js';
import { createLogger } from '../src/common/index.js';
import { encodeTransaction } from '../src/ledger/index.js';
import {
  type CircuitArtifacts,
  type Field,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  proveTransact,
  shutdownProver,
  type TransactProof,
} from '../src/privacy/index.js';
import { buildWithdraw, IngressClient, Wallet, WalletError } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';
import { NON_RELAYER, type SharedCohort, sharedCohort } from './helpers/shared-cohort.js';

const SOL = 1_000_000_000n;
const logger = createLogger('test', 'silent');
const encode = (p: TransactProof) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement });

async function refusal(client: IngressClient, tx: Uint8Array): Promise<string> {
  try {
    await client.submit(tx);
    return 'admitted';
  } catch (e) {
    if (e instanceof WalletError && e.code === 'INGRESS_REJECTED') return String(e.context.reason);
    throw e;
  }
}

/** Whether validator `index` is acting coordinator (it anchors, so it pays anchor fees). */
async function isPrimary(cohort: SharedCohort, index: number): Promise<boolean> {
  const r = (await (await fetch(`${cohort.validators[index]!.health}/ready`)).json()) as {
    checks: { name: string; detail: string }[];
  };
  return r.checks.some((c) => c.name === 'coordinator' && c.detail.startsWith('primary (acting)'));
}

describe('relay fees on the shared cohort (multi-process)', () => {
  let cohort: SharedCohort;
  let rpc: BridgeRpc;
  let p: ProgramAddresses;
  let artifacts: CircuitArtifacts;
  let payer: KeyPairSigner;
  const ingress = (i: number) => new IngressClient(cohort.validators[i]!.ingress);

  /** A wallet holding `count` deposited notes of `amount` each, all landed in L2 blocks. */
  async function walletWithNotes(count: number, amount: bigint, via: IngressClient): Promise<Wallet> {
    const w = Wallet.inMemory(generateWalletKeys());
    const sender = new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger });
    for (let i = 0; i < count; i += 5) {
      const ixs = [];
      for (let j = i; j < Math.min(count, i + 5); j++) {
        const note = w.prepareDeposit(amount);
        ixs.push(
          depositInstruction(p, payer, {
            amount,
            ownerPk: note.pkD,
            blinding: note.blinding,
            asset: note.asset,
          }),
        );
      }
      await sender.send(ixs, 'deposit');
    }
    await until(
      `${count} deposits in L2 blocks`,
      async () => {
        await w.sync(via);
        return w.store.unspent(NATIVE_ASSET).length >= count ? true : undefined;
      },
      120_000,
    );
    return w;
  }

  beforeAll(async () => {
    cohort = await sharedCohort();
    rpc = new BridgeRpc({ rpcUrl: cohort.rpcUrl, logger });
    p = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
    artifacts = await loadCircuitArtifacts();
    payer = await generateKeyPairSigner();
    await rpc.airdrop(payer.address, 20n * SOL);
  }, 300_000);

  afterAll(async () => {
    await shutdownProver();
  });

  it('quotes every validator at the default floor and refuses dust and unregistered relayers with their codes', async () => {
    const cost = await relayCost(rpc);
    console.log(
      `relay cost on the localnet: nullifier record rent ${cost.nullifierRecordRent} x 2 + signature ${cost.signatureFee} = ${cost.total} lamports`,
    );
    const quotes = await ingress(1).relayers();
    expect(quotes.self).toBe(cohort.validators[1]!.address);
    expect(quotes.relayers.map((r) => r.address).sort()).toEqual(
      cohort.validators.map((v) => v.address).sort(),
    );
    for (const r of quotes.relayers) expect(r.fees).toEqual([{ asset: NATIVE_ASSET, floor: cost.total }]);

    const via = ingress(1);
    const w = await walletWithNotes(1, SOL / 10n, via);
    const recipient = (await generateKeyPairSigner()).address;
    // The wallet refuses a fee under the floor before proving anything.
    const local = await w
      .withdraw(via, {
        recipient,
        amount: 1_000_000n,
        fee: cost.total - 1n,
        artifacts,
        encode,
      })
      .catch((e: unknown) => e);
    expect(local).toBeInstanceOf(WalletError);
    expect((local as WalletError).code).toBe('FEE_BELOW_FLOOR');
    expect(w.store.pendingTransactions).toEqual([]);

    // Built by hand, as a wallet that skips the check would: the ingress refuses with the code.
    const leaf = w.store.unspent(NATIVE_ASSET)[0]!.leafIndex;
    const anchor = await until('an anchored root with the note', async () =>
      (await via.anchors()).filter((a) => (a.leafCount ?? 0) > leaf).at(-1),
    );
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.appendBatch((await via.outputsSince(0)).slice(0, anchor.leafCount!).map((o) => o.commitment));
    const enc = getAddressEncoder();
    const dust = async (relayer: string, fee: bigint) =>
      encode(
        await proveTransact(
          (
            await buildWithdraw(w.keys, w.store, {
              recipient: Uint8Array.from(enc.encode(recipient)),
              relayer: Uint8Array.from(enc.encode(address(relayer))),
              amount: 1_000n,
              fee,
              expirationSlot: (await via.status()).solanaSlot! + 3_000n,
              root: anchor.root,
              pathOf: (i) => tree.path(i),
              leavesBelow: anchor.leafCount!,
            })
          ).request,
          artifacts,
        ),
      );
    const under = await refusal(via, await dust(cohort.validators[0]!.address, 10_000n));
    const stranger = await refusal(via, await dust((await generateKeyPairSigner()).address, cost.total));
    console.log(`dust withdrawal (fee 10000 < floor ${cost.total}) at the ingress: ${under}`);
    console.log(`withdrawal naming a key that is not a validator: ${stranger}`);
    expect(under).toBe('FEE_BELOW_FLOOR');
    expect(stranger).toBe('RELAYER_NOT_REGISTERED');
  }, 300_000);

  it("a relayer's SOL balance does not fall across 20 withdrawals at the default floor", async () => {
    // A candidate that is not the primary: it sends no anchors, so its balance moves only by what it
    // relays (the approval account's rent is the anchor submitter's).
    const relayerIndex = await until('a relaying validator that is not the primary', async () => {
      for (const i of [2, 1, 0]) if (i !== NON_RELAYER && !(await isPrimary(cohort, i))) return i;
      return undefined;
    });
    const relayer = cohort.validators[relayerIndex]!.address;
    const via = ingress(relayerIndex);
    const floor = (await via.relayers()).relayers.find((r) => r.address === relayer)!.fees[0]!.floor;
    const w = await walletWithNotes(20, SOL / 20n, via);
    const before = await rpc.balance(address(relayer));
    const nullifiers: Field[] = [];
    for (let i = 0; i < 20; i++) {
      const recipient = (await generateKeyPairSigner()).address;
      const submitted = await until(
        'an anchored root over the notes',
        async () => {
          try {
            return await w.withdraw(via, { recipient, amount: SOL / 40n, relayer, artifacts, encode });
          } catch (e) {
            if (e instanceof WalletError && (e.code === 'NOT_YET_ANCHORED' || e.code === 'NO_ANCHORED_ROOT'))
              return undefined;
            throw e;
          }
        },
        120_000,
      );
      expect(submitted.fee).toBe(floor);
      nullifiers.push(submitted.nullifier0);
    }
    await until(
      '20 withdrawals settled',
      async () => {
        const states = await Promise.all(nullifiers.map(async (n) => (await via.withdrawal(n))?.state));
        return states.every((s) => s === 'settled') ? true : undefined;
      },
      300_000,
    );
    const after = await rpc.balance(address(relayer));
    console.log(
      `relayer ${relayer} (validator ${relayerIndex}) over 20 withdrawals at floor ${floor}: before ${before}, after ${after} lamports (${after - before >= 0n ? '+' : ''}${after - before})`,
    );
    expect(after).toBeGreaterThanOrEqual(before);
  }, 900_000);
});
