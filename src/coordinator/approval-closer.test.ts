import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AnchorFields,
  AnchorSubmitter,
  anchorDigest,
  findApprovalPda,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
} from '../bridge/index.js';
import { bridgeRpc, driver, paraloomLocalnet, registerValidators, until } from '../bridge/testing/index.js';
import { fieldToBytesBE, randomField } from '../privacy/index.js';
import { ApprovalCloser } from './approval-closer.js';
import { coordinatorMetrics } from './metrics.js';

const net = await paraloomLocalnet({ slotMs: 25, confirmedLag: 1, finalizedLag: 3 });
afterAll(() => net.stop());

describe('approval closer', () => {
  it('closes the expired approvals its node paid for, and only those', async () => {
    const rpc = bridgeRpc(net.rpcUrl);
    const d = await driver(rpc);
    const validators = await registerValidators(d, 4);
    const submitter = validators[0]!;
    const sender = new TransactionSender(rpc, { feePayer: submitter.signer, confirmTimeoutMs: 5000 });
    const anchors = new AnchorSubmitter({
      rpc,
      sender,
      programId: PARALOOM_DEV_PROGRAM_ID,
      submitter: submitter.signer,
    });
    const slot = await rpc.slot('confirmed');
    const anchor = async (height: bigint, maxExpirationSlot: bigint): Promise<void> => {
      const fields: AnchorFields = {
        height,
        root: fieldToBytesBE(randomField()),
        depositsConsumed: 0n,
        depositAcc: new Uint8Array(32),
        withdrawalsRoot: fieldToBytesBE(randomField()),
        blockHash: new Uint8Array(32).fill(Number(height)),
        maxExpirationSlot,
      };
      const digest = anchorDigest(PARALOOM_DEV_PROGRAM_ID, 0, fields);
      const quorum = validators
        .slice(1)
        .map((v) => ({ publicKey: v.publicKey, signature: v.sign(digest), message: digest }));
      expect((await anchors.submit(fields, quorum)).status).toBe('anchored');
    };
    await anchor(1n, slot + 40n);
    await anchor(2n, slot + 1_000_000n);
    const [first] = await findApprovalPda(PARALOOM_DEV_PROGRAM_ID, 1n);
    const [second] = await findApprovalPda(PARALOOM_DEV_PROGRAM_ID, 2n);
    const rent = (await rpc.accountData(first, 'confirmed'))!.lamports;

    const metrics = coordinatorMetrics(new Registry());
    const closer = new ApprovalCloser({ rpc, sender, programId: PARALOOM_DEV_PROGRAM_ID, metrics });
    // Not expired yet: nothing to do. Someone else's payer key finds nothing of its own either.
    expect(await closer.sweep()).toEqual([]);
    const outsider = new ApprovalCloser({
      rpc,
      sender: new TransactionSender(rpc, { feePayer: validators[1]!.signer }),
      programId: PARALOOM_DEV_PROGRAM_ID,
      metrics,
    });
    await until(async () => (await rpc.slot('confirmed')) > slot + 40n);
    expect(await outsider.sweep()).toEqual([]);

    const before = await rpc.balance(submitter.address);
    expect(await closer.sweep()).toEqual([1n]);
    expect(await rpc.accountData(first, 'confirmed')).toBeNull();
    expect(await rpc.accountData(second, 'confirmed')).not.toBeNull();
    // The rent came back, less the closing transaction's fee.
    expect((await rpc.balance(submitter.address)) - before).toBe(rent - 5_000n);
    expect((await metrics.approvalsClosed.get()).values).toEqual([
      expect.objectContaining({ labels: { outcome: 'closed' }, value: 1 }),
    ]);
    expect(await closer.sweep()).toEqual([]);
  }, 60_000);
});
