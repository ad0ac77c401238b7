/**
 * The deployer against a real localnet (LiteSVM, the Agave loader, over JSON-RPC): deploy, show,
 * initialize, resume, upgrade, and each refusal, which must change nothing on chain.
 */
import { address, generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/index.js';
import { initializeParaloom, Localnet, paraloomProgram } from '../../localnet/index.js';
import { LAMPORTS_PER_SOL, PARALOOM_DEV_PROGRAM_ID } from '../constants.js';
import { LOCALNET_DEV_ADMIN_SEED, loadParaloomProgram } from '../genesis.js';
import { BridgeRpc } from '../rpc/client.js';
import { TransactionSender } from '../submit/sender.js';
import { ProgramDeployer } from './deployer.js';
import { initializeBridge } from './initialize.js';
import { inspectProgram } from './inspect.js';
import { BUFFER_METADATA_BYTES, decodeLoaderState, upgradeInstruction } from './loader.js';
import { loaderErrorOf } from './loader-errors.js';
import { PACKET_DATA_SIZE } from './wire.js';

const logger = createLogger('test', 'silent');
const elf = loadParaloomProgram();
let net: Localnet;
let rpc: BridgeRpc;
let payer: KeyPairSigner;
let program: KeyPairSigner;
const wireSizes: number[] = [];

async function funded(sol: bigint): Promise<KeyPairSigner> {
  const k = await generateKeyPairSigner();
  if (sol > 0n) await rpc.airdrop(k.address, sol * LAMPORTS_PER_SOL);
  return k;
}
const deployer = (p: KeyPairSigner) => new ProgramDeployer(rpc, { payer: p, logger });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

beforeAll(async () => {
  net = new Localnet({ port: 0, slotMs: 50, logger });
  net.chain.on('transaction', (r: { wire: Uint8Array }) => {
    if (r.wire.length > 0) wireSizes.push(r.wire.length);
  });
  await net.start();
  rpc = new BridgeRpc({ rpcUrl: net.rpcUrl, registry: new Registry(), logger });
  payer = await funded(5n);
  program = await generateKeyPairSigner();
}, 60_000);
afterAll(async () => {
  await net?.stop();
});

describe('deploy through the upgradeable loader (in-process localnet over JSON-RPC)', () => {
  it('deploys the committed .so in packet-sized writes; show finds its hash and no program_version', async () => {
    const before = wireSizes.length;
    const r = await deployer(payer).deploy({ program, elf });
    expect(r.programId).toBe(program.address);
    expect(r.chunks).toBe(Math.ceil(elf.length / r.chunkBytes));
    expect(r.transactions).toBe(r.chunks + 2); // create buffer, writes, deploy
    expect(r.maxDataLen).toBe(2 * elf.length);
    const sent = wireSizes.slice(before);
    expect(sent).toHaveLength(r.transactions);
    expect(Math.max(...sent)).toBeLessThanOrEqual(PACKET_DATA_SIZE);
    // Every write but the last fills the packet to within a byte.
    expect(sent.filter((s) => s >= PACKET_DATA_SIZE - 1).length).toBeGreaterThanOrEqual(r.chunks - 1);
    // The buffer is gone: its rent went back to the payer.
    expect(await rpc.accountData(r.buffer, 'confirmed')).toBeNull();
    const info = await inspectProgram(rpc, program.address, elf);
    expect(info).toMatchObject({
      authority: payer.address,
      lastDeploySlot: r.slot,
      elfBytes: elf.length,
      maxDataLen: 2 * elf.length,
      matchesReference: true,
      programVersion: null,
    });
    const other = new Uint8Array(elf);
    other[100] ^= 1;
    expect((await inspectProgram(rpc, program.address, other)).matchesReference).toBe(false);
  }, 60_000);

  it('initializes (idempotently) only when signed by the upgrade authority', async () => {
    const stranger = await funded(1n);
    expect(await codeOf(initializeBridge(rpc, { programId: program.address, admin: stranger, logger }))).toBe(
      'AUTHORITY_MISMATCH',
    );
    expect((await inspectProgram(rpc, program.address)).programVersion).toBeNull();
    const first = await initializeBridge(rpc, { programId: program.address, admin: payer, logger });
    expect(first).toMatchObject({ initialized: true, finalized: true });
    expect(first.keyChunksWritten).toBeGreaterThan(0);
    const again = await initializeBridge(rpc, { programId: program.address, admin: payer, logger });
    expect(again).toMatchObject({
      initialized: false,
      keyChunksWritten: 0,
      finalized: false,
      transactions: 0,
    });
    expect((await inspectProgram(rpc, program.address)).programVersion).toBe(1);
  }, 60_000);

  it('resumes a deploy: chunks already in the buffer are not written again', async () => {
    const p2 = await generateKeyPairSigner();
    const d = deployer(payer);
    const written = await d.writeBuffer(p2.address, elf, payer);
    // As if the first run had been cut off before three of the writes landed.
    const account = net.chain.account(written.buffer, 'processed')!;
    const data = new Uint8Array(account.data);
    for (const i of [0, 5, written.chunks - 1]) {
      const from = BUFFER_METADATA_BYTES + i * written.chunkBytes;
      data.fill(0, from, Math.min(data.length, from + written.chunkBytes));
    }
    net.chain.setAccount(written.buffer, { ...account, data });
    const r = await d.deploy({ program: p2, elf, maxDataLen: elf.length + 1000 });
    expect(r.buffer).toBe(written.buffer);
    expect(r.chunksSkipped).toBe(written.chunks - 3);
    expect(r.transactions).toBe(3 + 1);
    expect(await inspectProgram(rpc, p2.address, elf)).toMatchObject({
      matchesReference: true,
      maxDataLen: elf.length + 1000,
    });
  }, 60_000);

  it('upgrades: new deploy slot, the buffer rent spilled to the payer', async () => {
    const before = await inspectProgram(rpc, program.address, elf);
    const spill = (await generateKeyPairSigner()).address;
    const r = await deployer(payer).upgrade({ programId: program.address, elf, spill });
    const after = await inspectProgram(rpc, program.address, elf);
    expect(after.lastDeploySlot).toBe(r.slot);
    expect(after.lastDeploySlot).toBeGreaterThan(before.lastDeploySlot);
    expect(after).toMatchObject({ matchesReference: true, programVersion: 1, authority: payer.address });
    expect(await rpc.balance(spill)).toBeGreaterThan(0n);
  }, 60_000);

  it('refuses, changing nothing: upgrade by a non-authority, an ELF too large, a taken id, no funds, no ELF', async () => {
    const stranger = await funded(2n);
    const before = await inspectProgram(rpc, program.address, elf);
    const balance = await rpc.balance(stranger.address);
    expect(await codeOf(deployer(stranger).upgrade({ programId: program.address, elf }))).toBe(
      'AUTHORITY_MISMATCH',
    );
    const tooLarge = new Uint8Array(before.maxDataLen + 1);
    tooLarge.set(elf);
    expect(await codeOf(deployer(payer).upgrade({ programId: program.address, elf: tooLarge }))).toBe(
      'PROGRAM_DATA_TOO_SMALL',
    );
    expect(await codeOf(deployer(stranger).deploy({ program, elf }))).toBe('PROGRAM_EXISTS');
    const poor = await funded(0n);
    await rpc.airdrop(poor.address, LAMPORTS_PER_SOL / 10n);
    expect(await codeOf(deployer(poor).deploy({ program: await generateKeyPairSigner(), elf }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(await rpc.balance(poor.address)).toBe(LAMPORTS_PER_SOL / 10n);
    expect(
      await codeOf(
        deployer(stranger).deploy({ program: await generateKeyPairSigner(), elf: elf.subarray(64) }),
      ),
    ).toBe('ELF_INVALID');
    expect(await rpc.balance(stranger.address)).toBe(balance);
    expect(await inspectProgram(rpc, program.address, elf)).toEqual(before);
  }, 60_000);

  it('the loader itself refuses an Upgrade signed by a non-authority (typed AUTHORITY_MISMATCH)', async () => {
    const stranger = await funded(2n);
    const d = deployer(stranger);
    const { buffer } = await d.writeBuffer(program.address, elf, stranger);
    const before = await inspectProgram(rpc, program.address, elf);
    const sender = new TransactionSender(rpc, { feePayer: stranger, maxAttempts: 1, logger });
    const refused = await sender
      .send(
        [
          upgradeInstruction({
            programData: before.programData,
            program: program.address,
            buffer,
            spill: stranger.address,
            authority: stranger,
          }),
        ],
        'upgrade by a stranger',
      )
      .then(
        () => undefined,
        (e: unknown) => loaderErrorOf(e),
      );
    expect(refused?.code).toBe('AUTHORITY_MISMATCH');
    expect(await inspectProgram(rpc, program.address, elf)).toEqual(before);
    // The stranger's buffer is intact: its owner can close it and take the rent back.
    const state = decodeLoaderState((await rpc.accountData(buffer, 'confirmed'))!.data);
    expect(state).toMatchObject({ kind: 'buffer', authority: stranger.address });
  }, 60_000);

  it('hands the upgrade authority over, then drops it: the old and then every key are refused', async () => {
    const next = await funded(2n);
    expect(
      await codeOf(
        deployer(next).setUpgradeAuthority({ programId: program.address, newAuthority: next.address }),
      ),
    ).toBe('AUTHORITY_MISMATCH');
    await deployer(payer).setUpgradeAuthority({ programId: program.address, newAuthority: next.address });
    expect((await inspectProgram(rpc, program.address)).authority).toBe(next.address);
    expect(await codeOf(deployer(payer).upgrade({ programId: program.address, elf }))).toBe(
      'AUTHORITY_MISMATCH',
    );
    await deployer(next).setUpgradeAuthority({ programId: program.address, newAuthority: null });
    const frozen = await inspectProgram(rpc, program.address, elf);
    expect(frozen).toMatchObject({ authority: null, matchesReference: true, programVersion: 1 });
    expect(await codeOf(deployer(next).upgrade({ programId: program.address, elf }))).toBe(
      'PROGRAM_IMMUTABLE',
    );
    expect(await codeOf(initializeBridge(rpc, { programId: program.address, admin: next, logger }))).toBe(
      'PROGRAM_IMMUTABLE',
    );
    expect(
      await codeOf(
        deployer(next).setUpgradeAuthority({ programId: program.address, newAuthority: next.address }),
      ),
    ).toBe('PROGRAM_IMMUTABLE');
  }, 60_000);

  it('show refuses what is not a program', async () => {
    expect(await codeOf(inspectProgram(rpc, payer.address))).toBe('NOT_A_PROGRAM');
    expect(await codeOf(inspectProgram(rpc, (await generateKeyPairSigner()).address))).toBe('NOT_A_PROGRAM');
    const before = await inspectProgram(rpc, program.address);
    expect(await codeOf(inspectProgram(rpc, before.programData))).toBe('NOT_A_PROGRAM');
  });
});

describe('the localnet built-in load', () => {
  it('leaves the ProgramData a deploy leaves: dev admin authority, room for twice the ELF', async () => {
    const dev = new Localnet({ port: 0, slotMs: 50, programs: [paraloomProgram()], logger });
    const { admin } = await initializeParaloom(dev.chain);
    await dev.start();
    try {
      const devRpc = new BridgeRpc({ rpcUrl: dev.rpcUrl, registry: new Registry(), logger });
      const info = await inspectProgram(devRpc, address(PARALOOM_DEV_PROGRAM_ID), elf);
      expect(info).toMatchObject({
        authority: admin,
        maxDataLen: 2 * elf.length,
        elfBytes: elf.length,
        matchesReference: true,
        programVersion: 1,
      });
      const pd = (await devRpc.accountData(info.programData, 'confirmed'))!;
      const rent = BigInt(
        await devRpc.call('getMinimumBalanceForRentExemption', (r) =>
          r.getMinimumBalanceForRentExemption(BigInt(pd.data.length)),
        ),
      );
      expect(pd.lamports).toBe(rent);
      expect(LOCALNET_DEV_ADMIN_SEED.length).toBe(32);
    } finally {
      await dev.stop();
    }
  }, 60_000);
});
