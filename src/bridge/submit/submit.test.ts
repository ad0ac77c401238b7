import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Localnet } from '../../localnet/index.js';
import {
  type AnchorFields,
  AnchorSubmitter,
  anchorDigest,
  type Ed25519Entry,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
  WithdrawSubmitter,
} from '../index.js';
import type { RpcDriver, TestKey } from '../testing/index.js';
import {
  bridgeRpc,
  driver,
  lostResponseTransport,
  paraloomLocalnet,
  prepareWithdrawal,
  registerValidators,
  type WithdrawScenario,
} from '../testing/index.js';

// Two proofs in this file (one withdrawal, one that expires), proved one after the other.
const nets: Localnet[] = [];
async function setup(): Promise<{
  net: Localnet;
  d: RpcDriver;
  validators: TestKey[];
  coordinator: TestKey;
}> {
  const net = await paraloomLocalnet({ slotMs: 25, confirmedLag: 1, finalizedLag: 3 });
  nets.push(net);
  const d = await driver(bridgeRpc(net.rpcUrl));
  const validators = await registerValidators(d, 4);
  return { net, d, validators, coordinator: await d.fundedKey(10n) };
}
afterAll(async () => {
  for (const n of nets) await n.stop();
});

const quorum = (signers: readonly TestKey[], fields: AnchorFields): Ed25519Entry[] => {
  const digest = anchorDigest(PARALOOM_DEV_PROGRAM_ID, 0, fields);
  return signers.map((s) => ({ publicKey: s.publicKey, signature: s.sign(digest), message: digest }));
};

describe('anchor and withdraw submitters against the localnet', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let scenario: WithdrawScenario;

  beforeAll(async () => {
    env = await setup();
    scenario = await prepareWithdrawal({ h: env.d }, env.validators, { expiresIn: 4000n });
  });

  it('anchors once; a lost response, a resubmission and a fenced height are recognised', async () => {
    const lost = lostResponseTransport(env.net.rpcUrl, 'sendTransaction', 1);
    const rpc = bridgeRpc(env.net.rpcUrl, lost.transport);
    const submitter = new AnchorSubmitter({
      rpc,
      sender: new TransactionSender(rpc, { feePayer: env.coordinator.signer, confirmTimeoutMs: 5000 }),
      programId: PARALOOM_DEV_PROGRAM_ID,
      submitter: env.validators[0]!.signer,
    });
    const fields = scenario.approvalFields;
    // A gate that says no right before sending (a coordinator whose lease ran out): nothing goes out,
    // so the next submission is the one that anchors, and the only one whose answer is lost.
    const gate: string[] = [];
    const withheld = await submitter.submit(fields, quorum(env.validators.slice(1), fields), {
      mayProceed: () => {
        gate.push('asked');
        return false;
      },
    });
    expect(withheld).toEqual({ status: 'withheld' });
    expect(gate).toEqual(['asked']);
    expect(lost.lost()).toBe(0);
    const first = await submitter.submit(fields, quorum(env.validators.slice(1), fields));
    expect(lost.lost()).toBe(1);
    // The first attempt landed although its answer was lost: found by signature, not sent again.
    expect(first.status).toBe('anchored');
    expect(await submitter.submit(fields, quorum(env.validators.slice(1), fields))).toMatchObject({
      status: 'already-anchored',
      lastHeight: 2n,
    });
    const other = { ...fields, root: new Uint8Array(32).fill(7) };
    expect(await submitter.submit(other, quorum(env.validators.slice(1), other))).toMatchObject({
      status: 'superseded',
    });
    const outcomes = await rpc.metrics.submissions.get();
    expect(outcomes.values.map((v) => v.labels.outcome).sort()).toEqual([
      'already_anchored',
      'confirmed',
      'superseded',
      'withheld',
    ]);
  });

  it('withdraws once with the coordinator paying; a lost response and a retry do not pay twice', async () => {
    const lost = lostResponseTransport(env.net.rpcUrl, 'sendTransaction', 1);
    const rpc = bridgeRpc(env.net.rpcUrl, lost.transport);
    const withdraws = new WithdrawSubmitter({
      rpc,
      sender: new TransactionSender(rpc, { feePayer: env.coordinator.signer, confirmTimeoutMs: 5000 }),
      programId: PARALOOM_DEV_PROGRAM_ID,
    });
    const balance = async (a: TestKey) =>
      (await env.d.rpc.accountData(a.address, 'confirmed'))?.lamports ?? 0n;
    const before = await balance(scenario.recipient);
    // The lease gate saying no: nothing is sent, so the answer of the next send is the one lost.
    expect(await withdraws.submit(scenario.args, { mayProceed: () => false })).toEqual({
      status: 'withheld',
    });
    expect(lost.lost()).toBe(0);
    expect((await balance(scenario.recipient)) - before).toBe(0n);
    const out = await withdraws.submit(scenario.args);
    expect(out.status).toBe('withdrawn');
    expect(lost.lost()).toBe(1);
    expect(await withdraws.submit(scenario.args)).toEqual({ status: 'already-spent' });
    expect((await balance(scenario.recipient)) - before).toBe(scenario.amount - scenario.args.fee);
  });

  it('an expired withdrawal is reported, not sent', async () => {
    const other = await setup();
    const expiring = await prepareWithdrawal({ h: other.d }, other.validators, { expiresIn: 2n });
    expect((await expiring.approvalAnchor()).ok).toBe(true);
    const rpc = bridgeRpc(other.net.rpcUrl);
    const withdraws = new WithdrawSubmitter({
      rpc,
      sender: new TransactionSender(rpc, { feePayer: other.coordinator.signer }),
      programId: PARALOOM_DEV_PROGRAM_ID,
    });
    const out = await withdraws.submit(expiring.args);
    expect(out).toMatchObject({ status: 'expired', expirationSlot: expiring.args.expirationSlot });
    expect((await rpc.metrics.submitAttempts.get()).values).toEqual([]);
  });
});
