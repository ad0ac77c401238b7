/**
 * Runs fault scenarios inside the lab (started by tools/faults/main.ts on the lab's `client` host,
 * so it reaches every host as a user's machine would). Per scenario: a fresh cohort (localnet and
 * validators on their own hosts), deterministic deposits, then the load while the manifest's
 * faults are applied, every fault healed, the cohort left to recover, and the checks
 * (tools/faults/checks.ts). Writes one JSON report per scenario.
 * Usage: node --import tsx driver.ts <lab descriptor file> <options json>
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type L2Fixtures, l2Fixtures } from '../../bench/l2/fixtures.js';
import { shutdownProver } from '../../src/privacy/index.js';
import {
  checkAcknowledged,
  checkAnnouncedFinal,
  checkStoredChains,
  dataDirOf,
  finalizedBetween,
  percentile,
  recoveryAfter,
} from './checks.js';
import { LabCohort, P2P_PORT } from './lab-cohort.js';
import { Depositor, Load } from './load.js';
import { type LabDescriptor, NetnsLab } from './netns.js';
import { HeightSampler, NotesWatcher, statusOf } from './observe.js';
import type { Scenario, Step, Target } from './scenario.js';
import { Withdrawer } from './withdrawals.js';

export interface DriverOptions {
  readonly scenarios: readonly Scenario[];
  readonly seed: number;
  /** Each report is appended here as one JSON line. */
  readonly out: string;
  readonly workDir: string;
  /** Fixture transfers to prove (or read from the cache). */
  readonly transfers: number;
}

/** Deterministic deposits each cohort takes first; the first fixture transfers spend them. */
const FIXTURE_DEPOSITS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScenarioReport {
  readonly scenario: string;
  readonly fault: string;
  readonly validators: number;
  readonly topology: string;
  readonly seed: number;
  /** Each validator's final height at the end. */
  readonly heights: readonly number[];
  readonly finalBlocks: { readonly before: number; readonly during: number; readonly after: number };
  readonly recoverMs: number | null;
  readonly livenessBoundMs: number;
  /** Kill or pause of the acting coordinator: ms until another validator acted. */
  readonly coordinatorFailoverMs?: number;
  /** Submit-to-published latency of transfers acknowledged while a fault was on. */
  readonly finalityDuringFault: {
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly n: number;
  };
  /** The same before the first fault: the cohort's steady state (the WAN figure). */
  readonly finalityBeforeFault: {
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly n: number;
  };
  readonly finalityOverall: {
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly n: number;
  };
  readonly load: ReturnType<typeof checkAcknowledged>;
  readonly withdrawals: {
    readonly made: number;
    readonly acknowledged: number;
    readonly settled: number;
    readonly refunded: number;
    /** Why a withdrawal was never acknowledged (each validator tried refused or did not answer). */
    readonly errors: readonly string[];
  };
  readonly vault: {
    readonly lamportsDelta: string;
    readonly depositedDelta: string;
    readonly withdrawnDelta: string;
  };
  readonly announcedFinalLines: number;
  readonly steps: readonly string[];
  readonly garbage?: unknown;
  readonly violations: readonly string[];
  readonly wallMs: number;
}

class ScenarioRun {
  private readonly cohort: LabCohort;
  private readonly resolved = new Map<string, number>();
  private readonly paused = new Set<number>();
  private readonly down = new Set<number>();
  private readonly killed = new Set<number>();
  private readonly stepLog: string[] = [];
  private garbage: unknown;
  private garbageEndMs = 0;
  private load: Load | undefined;
  private withdrawer: Withdrawer | undefined;
  /** ms from the acting coordinator's kill or pause to another validator acting. */
  private failoverMs: number | undefined;
  private failover: Promise<void> | undefined;

  constructor(
    private readonly lab: NetnsLab,
    private readonly s: Scenario,
    private readonly fixtures: L2Fixtures,
    private readonly dir: string,
    private readonly seed: number,
    private readonly say: (m: string) => void,
  ) {
    this.cohort = new LabCohort(lab, s, dir, (m) => say(`  ${m}`));
  }

  private ingress = (i: number): string | undefined => {
    if (this.killed.has(i) || this.paused.has(i)) return undefined;
    return this.cohort.validators[i]?.ingress;
  };

  /** Ingress URLs, the highest validator (last sample) first: the freshest view of published outputs. */
  private bestFirst(sampler: HeightSampler): (string | undefined)[] {
    const last = sampler.samples.at(-1)?.heights ?? [];
    return Array.from({ length: this.cohort.n }, (_, i) => i)
      .sort((a, b) => (last[b] ?? -1) - (last[a] ?? -1))
      .map((i) => this.ingress(i));
  }

  private proposer(): number | undefined {
    let best: { i: number; time: number } | undefined;
    for (const v of this.cohort.validators) {
      const logs = v.node?.logs ?? [];
      for (let k = logs.length - 1; k >= 0; k--) {
        if (logs[k]!.msg !== 'proposal built') continue;
        const time = Number(logs[k]!.time);
        if (!best || time > best.time) best = { i: v.index, time };
        break;
      }
    }
    return best?.i;
  }

  private async resolve(t: Target): Promise<number> {
    if (typeof t === 'number') return t;
    const known = this.resolved.get(t);
    if (known !== undefined) return known;
    let i: number | undefined;
    if (t === 'proposer') i = this.proposer();
    else if (t === 'coordinator') i = (await this.cohort.devnet.primary())?.index;
    else {
      const taken = new Set([this.proposer(), (await this.cohort.devnet.primary())?.index]);
      i = Array.from({ length: this.cohort.n }, (_, k) => k).find((k) => !taken.has(k));
    }
    const chosen = i ?? 0;
    this.resolved.set(t, chosen);
    return chosen;
  }

  private host = (i: number) => `v${i}`;

  private async apply(step: Step): Promise<string> {
    switch (step.do) {
      case 'partition': {
        const groups = await Promise.all(step.groups.map((g) => Promise.all(g.map((t) => this.resolve(t)))));
        const bridges = await Promise.all((step.bridges ?? []).map((t) => this.resolve(t)));
        // Validators named nowhere are the rest of the cohort, together; bridges are in no group.
        const named = new Set([...groups.flat(), ...bridges]);
        const rest = Array.from({ length: this.cohort.n }, (_, i) => i).filter((i) => !named.has(i));
        const all = rest.length ? [...groups, rest] : groups;
        await this.lab.partition(all.map((g) => g.map(this.host)));
        return `partition ${all.map((g) => g.join(',')).join(' | ')}${bridges.length ? `, bridge ${bridges.join(',')}` : ''}`;
      }
      case 'heal':
        await this.lab.heal();
        return 'heal';
      case 'link-down':
      case 'link-up': {
        const i = await this.resolve(step.target);
        await this.lab.link(this.host(i), step.do === 'link-up');
        if (step.do === 'link-down') this.down.add(i);
        else this.down.delete(i);
        return `${step.do} ${i}`;
      }
      case 'pause':
      case 'resume': {
        const i = await this.resolve(step.target);
        const child = this.cohort.validators[i]?.node?.child;
        const wasPrimary = step.do === 'pause' && (await this.cohort.devnet.primary())?.index === i;
        if (child?.pid) process.kill(child.pid, step.do === 'pause' ? 'SIGSTOP' : 'SIGCONT');
        if (wasPrimary) this.watchFailover(i);
        if (step.do === 'pause') this.paused.add(i);
        else this.paused.delete(i);
        return `${step.do} ${i}`;
      }
      case 'kill': {
        const i = await this.resolve(step.target);
        const wasPrimary = (await this.cohort.devnet.primary())?.index === i;
        this.killed.add(i);
        await this.cohort.devnet.stopValidator(i, 'SIGKILL');
        if (wasPrimary) this.watchFailover(i);
        return `kill -9 ${i}${wasPrimary ? ' (the acting coordinator)' : ''}`;
      }
      case 'kill-in-commit': {
        const i = await this.resolve(step.target);
        const v = this.cohort.validators[i]!;
        this.killed.add(i);
        const node = v.node;
        if (!node?.child.pid) return `kill-in-commit ${i}: not running`;
        process.kill(node.child.pid, 'SIGUSR2');
        // It dies at its next commit, between the block's batch and the rest; idle blocks come
        // at least every 600 ms, so 10 s without one means the hook did not fire.
        const died = await Promise.race([node.exited.then(() => true), sleep(10_000).then(() => false)]);
        const midCommit = node.stderr.some((l) => l.includes('SIGKILL in mid-commit'));
        if (!died) await this.cohort.devnet.stopValidator(i, 'SIGKILL');
        else v.node = undefined;
        return `kill-in-commit ${i} (${midCommit ? 'died in mid-commit' : 'hook did not fire: killed'})`;
      }
      case 'restart': {
        const i = await this.resolve(step.target);
        if (this.cohort.validators[i]?.node) return `restart ${i}: still running`;
        await this.cohort.devnet.startValidator(i);
        this.killed.delete(i);
        return `restart ${i}`;
      }
      case 'delay':
        await this.cohort.relayCommand({
          op: 'set',
          delayMs: step.delayMs,
          ...(step.jitterMs !== undefined ? { jitterMs: step.jitterMs } : {}),
          ...(step.stallRate !== undefined ? { stallRate: step.stallRate } : {}),
          ...(step.stallMs !== undefined ? { stallMs: step.stallMs } : {}),
        });
        return `delay ${step.delayMs} ms${step.stallRate ? `, stalls ${step.stallRate}` : ''}`;
      case 'garbage': {
        const targets = this.cohort.validators.map((v) => ({
          host: this.lab.host(this.host(v.index)).address,
          port: P2P_PORT,
          peerId: v.peerId,
        }));
        const child = this.lab.spawn(
          'outsider',
          process.execPath,
          [
            '--import',
            'tsx',
            join(import.meta.dirname, 'garbage.ts'),
            JSON.stringify({ targets, durationMs: step.durationMs, seed: this.seed, cluster: 'localnet' }),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        this.garbageEndMs = this.now() + step.durationMs;
        // Runs beside the load; its summary lands in the report when it ends.
        void (async () => {
          for await (const line of createInterface({ input: child.stdout! })) {
            try {
              this.garbage = JSON.parse(line);
            } catch {
              // not its summary
            }
          }
        })();
        return `garbage for ${step.durationMs} ms`;
      }
    }
  }

  private now = (): number => this.load?.now() ?? 0;

  /** Polls readiness until a validator other than `gone` acts as coordinator (bounded: 60 s). */
  private watchFailover(gone: number): void {
    const t0 = performance.now();
    this.failover = (async () => {
      while (performance.now() - t0 < 60_000) {
        const p = await this.cohort.devnet.primary();
        if (p && p.index !== gone) {
          this.failoverMs = Math.round(performance.now() - t0);
          return;
        }
        await sleep(100);
      }
    })();
  }

  /** Undoes whatever fault is still on: heal, links up, paused resumed, killed restarted. */
  private async healAll(): Promise<void> {
    await this.lab.heal();
    if (this.cohort.relayed)
      await this.lab.partition(Array.from({ length: this.cohort.n }, (_, i) => [this.host(i)]));
    for (const i of this.down) await this.lab.link(this.host(i), true);
    this.down.clear();
    for (const i of this.paused) {
      const pid = this.cohort.validators[i]?.node?.child.pid;
      if (pid) process.kill(pid, 'SIGCONT');
    }
    this.paused.clear();
    for (const i of [...this.killed]) {
      if (!this.cohort.validators[i]?.node) await this.cohort.devnet.startValidator(i);
      this.killed.delete(i);
    }
  }

  async run(): Promise<ScenarioReport> {
    const s = this.s;
    const started = Date.now();
    const violations: string[] = [];
    await this.cohort.start(this.seed);
    const devnet = this.cohort.devnet;
    try {
      await devnet.waitHeight(2n, 120_000);
      // Deterministic deposits: the fixture transfers were proven against the tree holding them.
      const depositor = await Depositor.open(devnet.rpcUrl);
      await depositor.deposit(this.fixtures.deposits.map((d) => d.note));
      for (let k = 0; ; k++) {
        const st = await Promise.all(this.cohort.validators.map((v) => statusOf(v.ingress)));
        if (st.every((x) => x && x.leafCount >= FIXTURE_DEPOSITS)) break;
        if (k > 240) throw new Error('the fixture deposits did not land in 60 s');
        await sleep(250);
      }
      const live = () =>
        this.cohort.validators.map((v) => this.ingress(v.index)).filter((u): u is string => !!u);
      const withdrawer = await Withdrawer.open(this.dir, s.load.withdrawals, depositor, live);
      this.withdrawer = withdrawer;
      const vaultBefore = await depositor.vault();

      const clock = (() => {
        const t0 = Date.now();
        return () => Date.now() - t0;
      })();
      const sampler = new HeightSampler(clock, () => this.cohort.validators.map((v) => v.ingress));
      const notes = new NotesWatcher(clock, () => this.bestFirst(sampler));
      sampler.start();
      notes.start();
      const load = new Load({
        fixtures: this.fixtures,
        firstTransfer: 0,
        transfersPerSecond: s.load.transfersPerSecond,
        depositEveryMs: s.load.depositEveryMs,
        durationMs: s.durationMs,
        ingress: this.ingress,
        validators: this.cohort.n,
        depositor,
        published: (c) => notes.seen.has(c),
      });
      this.load = load;
      load.start();
      // Withdrawals spread over the load, each proven when it falls due.
      const withdrawing = (async () => {
        for (let k = 0; k < s.load.withdrawals; k++) {
          await sleep(Math.max(0, ((k + 1) * s.durationMs) / (s.load.withdrawals + 1) - clock()));
          await withdrawer.withdrawOne(
            clock(),
            this.bestFirst(sampler).filter((u): u is string => !!u),
            clock,
          );
        }
      })();

      // Faults at their times; the load's clock and the sampler's start together (within ms).
      const stepTimes: number[] = [];
      for (const step of s.steps) {
        await sleep(Math.max(0, step.atMs - clock()));
        const what = await this.apply(step);
        stepTimes.push(clock());
        this.stepLog.push(`${clock()} ms: ${what}`);
        this.say(`  ${clock()} ms: ${what}`);
      }
      await sleep(Math.max(0, s.durationMs - clock()));
      await this.healAll();
      await load.stop();
      await withdrawing;
      await this.failover;
      // The fault is on from the first step to the last (a heal, resume, restart, link up) or the
      // end of a garbage flood; a scenario without steps (a drifted clock) is faulty throughout.
      const firstFault = stepTimes[0] ?? 0;
      const healAt = s.steps.length ? Math.max(stepTimes.at(-1)!, this.garbageEndMs) : clock();

      // Recovery: every validator past the best height at the heal, within the bound.
      const deadline = healAt + s.livenessBoundMs;
      let recovery = recoveryAfter(sampler.samples, healAt);
      while (recovery.recoverMs === null && clock() < deadline) {
        await sleep(500);
        recovery = recoveryAfter(sampler.samples, healAt);
      }
      if (recovery.recoverMs === null)
        violations.push(
          `finality did not resume on every validator within ${s.livenessBoundMs} ms of the heal`,
        );

      // Drain: acknowledged transfers and confirmed deposits get time to become final; stale 202s
      // go to another validator as a wallet would resend them.
      const pending = () =>
        load.submissions.some((x) => x.ackedAtMs !== undefined && !notes.seen.has(x.commitment)) ||
        load.deposits.some((d) => d.confirmedAtMs !== undefined && !notes.seen.has(d.commitment)) ||
        withdrawer.records.some((w) => w.nullifier0 && w.state !== 'settled' && w.state !== 'refunded');
      const drainEnd = clock() + 60_000;
      while (pending() && clock() < drainEnd) {
        await load.resubmitStale(4_000);
        const url = this.bestFirst(sampler).find((u) => u);
        if (url) await withdrawer.refresh(url);
        await sleep(1_000);
      }
      await sleep(1_000);
      await Promise.all([sampler.stop(), notes.stop()]);

      const ack = checkAcknowledged(load.submissions, load.deposits, notes.seen, violations);
      const vaultAfter = await depositor.vault();
      const lamportsDelta = vaultAfter.lamports - vaultBefore.lamports;
      const depositedDelta = vaultAfter.deposited - vaultBefore.deposited;
      const withdrawnDelta = vaultAfter.withdrawn - vaultBefore.withdrawn;
      if (lamportsDelta !== depositedDelta - withdrawnDelta)
        violations.push(
          `vault moved ${lamportsDelta} lamports; deposits - withdrawals = ${depositedDelta - withdrawnDelta}`,
        );
      const withdrawals = withdrawer.records;
      for (const w of withdrawals) {
        if (!w.nullifier0) continue;
        if (w.state === undefined)
          violations.push(`withdrawal ${w.nullifier0.slice(0, 12)} acknowledged is not final`);
        else if (w.state !== 'settled' && w.state !== 'refunded')
          violations.push(
            `withdrawal ${w.nullifier0.slice(0, 12)} is ${w.state}, not settled, 60 s after the load`,
          );
      }
      const settledGross = withdrawals
        .filter((w) => w.state === 'settled')
        .reduce((a, w) => a + w.amount + w.fee, 0n);
      if (withdrawnDelta !== settledGross)
        violations.push(
          `the program counted ${withdrawnDelta} lamports withdrawn; settled withdrawals add up to ${settledGross}`,
        );
      const ourDeposits = load.deposits
        .filter((d) => d.confirmedAtMs !== undefined)
        .reduce((a, d) => a + d.amount, 0n);
      if (depositedDelta !== ourDeposits)
        violations.push(
          `the program counted ${depositedDelta} lamports deposited; the load confirmed ${ourDeposits}`,
        );

      const latencies = (from: number, to: number) =>
        load.submissions
          .filter(
            (x) => x.ackedAtMs !== undefined && x.atMs >= from && x.atMs < to && notes.seen.has(x.commitment),
          )
          .map((x) => notes.seen.get(x.commitment)! - x.atMs);
      const during = latencies(firstFault, healAt);
      const before = latencies(0, firstFault);
      const overall = latencies(0, Number.POSITIVE_INFINITY);

      const heights = (await Promise.all(this.cohort.validators.map((v) => statusOf(v.ingress)))).map(
        (x) => x?.height ?? -1,
      );
      await this.cohort.stop();
      const view = await checkStoredChains(
        this.cohort.validators.map((v) => dataDirOf(v.dir)),
        violations,
      );
      const lines = checkAnnouncedFinal(
        this.cohort.validators.map((v) => join(v.dir, 'node.log')),
        violations,
      );
      return {
        scenario: s.name,
        fault: s.description,
        validators: this.cohort.n,
        topology: s.topology ?? 'direct',
        seed: this.seed,
        heights: heights.map((h, i) => (h >= 0 ? h : (view.hashes[i]?.length ?? 0))),
        finalBlocks: {
          before: finalizedBetween(sampler.samples, 0, firstFault),
          during: finalizedBetween(sampler.samples, firstFault, healAt),
          after: finalizedBetween(sampler.samples, healAt, Number.POSITIVE_INFINITY),
        },
        recoverMs: recovery.recoverMs,
        ...(this.failoverMs !== undefined ? { coordinatorFailoverMs: this.failoverMs } : {}),
        livenessBoundMs: s.livenessBoundMs,
        finalityDuringFault: {
          p50Ms: percentile(during, 50),
          p99Ms: percentile(during, 99),
          n: during.length,
        },
        finalityBeforeFault: {
          p50Ms: percentile(before, 50),
          p99Ms: percentile(before, 99),
          n: before.length,
        },
        finalityOverall: {
          p50Ms: percentile(overall, 50),
          p99Ms: percentile(overall, 99),
          n: overall.length,
        },
        load: ack,
        withdrawals: {
          made: withdrawals.length,
          acknowledged: withdrawals.filter((w) => w.nullifier0).length,
          settled: withdrawals.filter((w) => w.state === 'settled').length,
          refunded: withdrawals.filter((w) => w.state === 'refunded').length,
          errors: withdrawals.filter((w) => !w.nullifier0).map((w) => w.error ?? 'unknown'),
        },
        vault: {
          lamportsDelta: lamportsDelta.toString(),
          depositedDelta: depositedDelta.toString(),
          withdrawnDelta: withdrawnDelta.toString(),
        },
        announcedFinalLines: lines,
        steps: this.stepLog,
        ...(this.garbage ? { garbage: this.garbage } : {}),
        violations,
        wallMs: Date.now() - started,
      };
    } finally {
      await this.load?.stop().catch(() => undefined);
      this.withdrawer?.close();
      await this.cohort.stop().catch(() => undefined);
    }
  }
}

export async function runScenarios(lab: NetnsLab, o: DriverOptions): Promise<ScenarioReport[]> {
  const say = (m: string) => console.error(m);
  const fixtures = await l2Fixtures(
    { deposits: FIXTURE_DEPOSITS, transfers: o.transfers },
    { log: (l) => say(`faults: ${l}`) },
  );
  await shutdownProver();
  const reports: ScenarioReport[] = [];
  for (const [k, s] of o.scenarios.entries()) {
    say(
      `faults: scenario ${s.name} (${s.validators ?? 4} validators, ${s.topology ?? 'direct'}): ${s.description}`,
    );
    const dir = join(o.workDir, s.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const report = await new ScenarioRun(lab, s, fixtures, dir, o.seed + k, say).run();
    appendFileSync(o.out, `${JSON.stringify(report)}\n`);
    say(
      `faults: ${s.name}: recover ${report.recoverMs ?? '-'} ms, final ${report.finalBlocks.before}/${report.finalBlocks.during}/${report.finalBlocks.after}, ${report.load.acknowledged} acked / ${report.load.final} final, violations: ${report.violations.length ? report.violations.join('; ') : 'none'}`,
    );
    reports.push(report);
    // Validators' logs are kept beside the report (the data directories are not).
    const logs = join(o.out, '..', s.name);
    await rm(logs, { recursive: true, force: true });
    await mkdir(logs, { recursive: true });
    for (let i = 0; i < (s.validators ?? 4); i++)
      await cp(join(dir, `validator-${i}`, 'node.log'), join(logs, `validator-${i}.log`)).catch(
        () => undefined,
      );
    await rm(dir, { recursive: true, force: true });
  }
  return reports;
}

// Entry point when run as the lab's driver process.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [descriptorFile, optionsJson] = process.argv.slice(2);
  const lab = NetnsLab.attach(JSON.parse(readFileSync(descriptorFile!, 'utf8')) as LabDescriptor);
  const options = JSON.parse(optionsJson!) as DriverOptions;
  try {
    await runScenarios(lab, options);
    await lab.teardown();
    process.exit(0);
  } catch (e) {
    console.error('faults: the driver failed', e);
    await lab.teardown();
    process.exit(1);
  }
}
