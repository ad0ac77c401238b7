/**
 * Validator-set epochs across processes (issue 8, "Validator set from the chain at epoch
 * boundaries"): four `paraloom node` validators on the localnet with 30-block epochs. A fifth
 * validator registers while the cohort runs and starts with an empty data directory: it takes the
 * genesis set from block 1 (the registry of today lists five), catches up, and from the epoch after
 * its registration it decides with the others, so the cohort keeps finalizing with one of the
 * founders stopped only because the newcomer's votes count. A validator restarted after yet another
 * registration, before the boundary that carries it, resumes with the agreed set rather than the
 * chain's new one and keeps agreeing on the root.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Devnet } from '../src/devnet/index.js';
import { parsePrometheusText } from '../src/health/testing/index.js';
import { until } from './helpers/paraloom-child.js';

const EPOCH = 30n;

describe('validator-set epochs (multi-process)', () => {
  let dir: string;
  let devnet: Devnet;

  const setSize = async (i: number): Promise<number> => {
    const text = await (await fetch(`${devnet.validators[i]!.health}/metrics`)).text();
    return parsePrometheusText(text).get('paraloom_consensus_validators')?.samples[0]?.value ?? 0;
  };
  const status = async (i: number) =>
    (await (await fetch(`${devnet.validators[i]!.ingress}/v1/status`)).json()) as {
      height: string;
      root: string;
    };
  /** Waits for `cond` to hold. */
  const waitFor = (what: string, cond: () => Promise<boolean>, timeoutMs = 60_000) =>
    until(what, async () => ((await cond()) ? true : undefined), timeoutMs);
  const running = () => devnet.validators.filter((v) => v.node).map((v) => v.index);
  /** The next height >= `from` at which a set carried now would decide (boundary + 2). */
  const nextActivation = (from: bigint) => ((from + EPOCH - 1n) / EPOCH) * EPOCH + 2n;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-epochs-'));
    devnet = new Devnet({
      dir,
      validators: 4,
      slotMs: 200,
      env: () => ({ PARALOOM_CONSENSUS_EPOCH_BLOCKS: String(EPOCH) }),
    });
    await devnet.start();
    await devnet.waitHeight(3n, 90_000);
  }, 240_000);

  afterAll(async () => {
    await devnet?.stop();
    // The validators' logs outlive the run (test-artifacts/ is not committed): what CI shows on failure.
    for (const v of devnet?.validators ?? []) {
      await mkdir('test-artifacts/validator-epochs', { recursive: true });
      await cp(join(v.dir, 'node.log'), `test-artifacts/validator-epochs/validator-${v.index}.log`).catch(
        () => undefined,
      );
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts with the registry of four as genesis', async () => {
    for (const i of running()) expect(await setSize(i)).toBe(4);
  });

  it('a validator registered later joins from block 1 and decides from the next epoch on', async () => {
    const joiner = await devnet.addValidator();
    await devnet.startValidator(joiner);
    const node = devnet.validators[joiner]!.node!;
    await node.waitFor('genesis validator set from block 1', 30_000);
    // It follows the chain before it is a member.
    const h = await devnet.height(0);
    await waitFor('joiner catches up', async () => (await devnet.height(joiner)) >= h, 60_000);
    // The next boundary carries five; two heights later all five decide.
    const activation = nextActivation((await devnet.height(0)) + 1n);
    await devnet.waitHeight(activation + 1n, 90_000);
    await waitFor(
      'five validators deciding on every running node',
      async () => (await Promise.all(running().map(setSize))).every((n) => n === 5),
      120_000,
    );
    // Five need 4 heads (ceil(0.7 * 5)): with a founder stopped, progress needs the joiner's votes.
    await devnet.stopValidator(3);
    const before = await devnet.height(0);
    await devnet.waitHeight(before + 3n, 60_000);
    expect(running()).toHaveLength(4);
    await waitFor(
      'roots agree',
      async () => new Set(await Promise.all(running().map(async (i) => (await status(i)).root))).size === 1,
      20_000,
    );
  }, 300_000);

  it('a validator restarted after a registration, before its boundary, keeps the agreed set', async () => {
    // Registered while validator 3 is down, never started: the chain's registry now lists six.
    await devnet.addValidator();
    // Validator 3's stored blocks end before any block could carry six: it resumes with the five
    // of its history, where a fresh registry read would give six.
    await devnet.startValidator(3);
    const started = devnet.validators[3]!.node!.logs.find((l) => l.msg === 'consensus started');
    expect(started?.validators).toBe(5);
    await waitFor(
      'restarted catches up',
      async () => (await devnet.height(3)) >= (await devnet.height(0)),
      90_000,
    );
    await waitFor(
      'the restarted validator agrees on the set',
      async () => (await setSize(3)) === (await setSize(0)),
    );
    // Past the next boundary the set is six (the sixth offline: 5 of 6 heads still a quorum).
    const activation = nextActivation((await devnet.height(0)) + 1n);
    await devnet.waitHeight(activation + 2n, 90_000);
    // Bounded: under load the registration can miss one boundary and land in the next.
    await waitFor(
      'six validators deciding on every running node',
      async () => (await Promise.all(running().map(setSize))).every((n) => n === 6),
      120_000,
    );
    await waitFor(
      'roots agree',
      async () => new Set(await Promise.all(running().map(async (i) => (await status(i)).root))).size === 1,
      20_000,
    );
  }, 300_000);
});
