/**
 * The L2 end to end on a four-validator devnet of its own (src/devnet), for what cannot run on the
 * cohort the other files share (test/helpers/shared-cohort.ts): the demo reconciles the vault's whole
 * balance, so no other file may deposit meanwhile; the cohort keeps finalizing with a validator
 * killed and the restarted one catches up on the same root; and a validator forced to equivocate is
 * slashed on chain through the evidence path.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeRpc,
  decodeValidatorAccount,
  deriveProgramAddresses,
  findValidatorPda,
  PARALOOM_DEV_PROGRAM_ID,
  type ProgramAddresses,
} from '../src/bridge/index.js';
import { createLogger } from '../src/common/index.js';
import { Devnet, runDemo } from '../src/devnet/index.js';
import { shutdownProver } from '../src/privacy/index.js';
import { IngressClient } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';

const logger = createLogger('test', 'silent');

describe('four validators of their own: the demo, a killed validator, an equivocator (multi-process)', () => {
  let dir: string;
  let devnet: Devnet;
  let rpc: BridgeRpc;
  let p: ProgramAddresses;
  const ingress = (i: number) => new IngressClient(devnet.validators[i]!.ingress!);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-l2-faults-'));
    devnet = new Devnet({ dir, validators: 4, slotMs: 150, dashboard: false });
    await devnet.start();
    await devnet.waitHeight(2n, 120_000);
    rpc = new BridgeRpc({ rpcUrl: devnet.rpcUrl, logger });
    p = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
  }, 300_000);

  afterAll(async () => {
    await shutdownProver();
    await devnet?.stop();
    // The validators' logs outlive the run (test-artifacts/ is not committed): what CI shows on failure.
    for (const v of devnet?.validators ?? []) {
      await mkdir('test-artifacts/l2-faults', { recursive: true });
      await cp(join(v.dir, 'node.log'), `test-artifacts/l2-faults/validator-${v.index}.log`).catch(
        () => undefined,
      );
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the demo: deposit, private transfer, withdrawal through the relayer, exact reconciliation', async () => {
    const lines: string[] = [];
    const report = await runDemo(devnet, dir, (l) => lines.push(l));
    expect(lines.filter((l) => l.includes('FAIL'))).toEqual([]);
    expect(lines.filter((l) => l.trim().startsWith('ok'))).toHaveLength(4);
    expect(report.withdrawal.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect(report.balances.recipient).toBe('0.3');
  }, 300_000);

  it('keeps finalizing with a validator killed; the restarted one catches up on the same root', async () => {
    await devnet.stopValidator(2, 'SIGKILL');
    const h = await devnet.height(0);
    await devnet.waitHeight(h + 5n, 60_000);
    await devnet.startValidator(2);
    const target = await devnet.height(0);
    await until(
      'validator 2 to catch up',
      async () => ((await devnet.height(2)) >= target ? true : undefined),
      90_000,
    );
    const mine = await ingress(2).status();
    const theirs = (await ingress(0).outputsSince(0)).length;
    expect(mine.leafCount).toBeLessThanOrEqual(theirs);
    const roots0 = (await (await fetch(`${devnet.validators[0]!.ingress}/v1/roots`)).json()) as {
      roots: string[];
    };
    expect(roots0.roots).toContain(mine.root.toString());
  }, 240_000);

  it('slashes a validator forced to equivocate, on chain, through the evidence path', async () => {
    const v = devnet.validators[3]!;
    const [pda] = await findValidatorPda(p.programId, address(v.address));
    const before = decodeValidatorAccount((await rpc.accountData(pda, 'confirmed'))!.data);
    expect(before.slashCount).toBe(0);
    await devnet.stopValidator(3);
    await devnet.startValidator(3, {
      PARALOOM_FAULT_EQUIVOCATE_HEIGHT: String((await devnet.height(0)) + 2n),
    });
    const after = await until(
      'the slash on chain',
      async () => {
        const a = decodeValidatorAccount((await rpc.accountData(pda, 'confirmed'))!.data);
        return a.slashCount > 0 ? a : undefined;
      },
      90_000,
    );
    expect(after.stake).toBeLessThan(before.stake);
    // Submitted through the evidence path by a validator (the primary at once, others as a backup).
    // (The chain may show the slash before the reporter's confirmation poll returns and logs it.)
    const reporters = await until('the reporter to log the slash', async () => {
      const r = devnet.validators.filter((x) =>
        x.node?.logs.some((l) => l.msg === 'equivocating validator slashed'),
      );
      return r.length ? r : undefined;
    });
    expect(reporters.length).toBeGreaterThanOrEqual(1);
    // The rest keep finalizing.
    const h = await devnet.height(0);
    await devnet.waitHeight(h + 3n, 60_000);
  }, 240_000);
});
