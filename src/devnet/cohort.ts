/**
 * A whole Paraloom network on this machine: `paraloom localnet` (the program loaded and initialized)
 * and N `paraloom node` validator processes, each with its own key, registration, data directory
 * and config file; validators 0..2 stand for coordinator (elected by leases, priority by index).
 * Used by `paraloom devnet`, the end-to-end tests and bench:l2.
 */
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { type Running, runParaloom, runParaloomOk, startLocalnetChild, stopChild } from './child.js';
import { DevnetError } from './errors.js';
import { validatorToml } from './validator-toml.js';

export interface DevnetOptions {
  /** Where configs, keys and data directories go (created). */
  readonly dir: string;
  readonly validators?: number;
  /** Localnet slot time. */
  readonly slotMs?: number;
  readonly blockIntervalMs?: number;
  /**
   * The leader's wait for work before an empty block (`consensus.idle_block_ms`, default 600). A
   * longer one makes an idle cohort cheaper (fewer empty blocks) and a crashed round-0 leader dearer
   * (its round times out later): long-lived cohorts that nobody kills use it.
   */
  readonly idleBlockMs?: number;
  /** Extra TOML appended to every validator's config (tests tune timings with it). */
  readonly extraToml?: (index: number) => string;
  /** Extra environment of one validator process (fault injection in tests). */
  readonly env?: (index: number) => Record<string, string>;
  readonly dashboard?: boolean;
  /** How many validators stand for coordinator (default 3 of 4). */
  readonly candidates?: number;
  /**
   * Start the localnet without the program and put it there as on a real cluster: `paraloom program
   * deploy` (buffer, chunked writes, deploy through the upgradeable loader) and `paraloom program
   * initialize`; the validators then use that program id. Otherwise the localnet loads it built in.
   */
  readonly deploy?: boolean;
  readonly onStep?: (message: string) => void;
  /**
   * Where each process runs (default: this machine's loopback). The fault harness puts every
   * process on a host of its own (a network namespace): its address, and the command that execs it
   * there.
   */
  readonly placement?: DevnetPlacement;
}

/** Where one process of a devnet runs. */
export interface ProcessPlacement {
  /** The address it listens on. */
  readonly host: string;
  /** A command that execs the process there (`ip netns exec <ns>`); empty: here. */
  readonly wrap: readonly string[];
  /** Its P2P port (validators; a host of its own has every port free). */
  readonly p2pPort?: number;
  /** P2P addresses it announces and registers instead (a relay in front of it). */
  readonly announce?: readonly string[];
}

export interface DevnetPlacement {
  readonly localnet: ProcessPlacement & { readonly port: number };
  readonly validator: (index: number) => ProcessPlacement;
}

/** What `paraloom program deploy` reported for a devnet started with `deploy`. */
export interface DevnetDeployReport {
  readonly programId: string;
  readonly transactions: number;
  readonly chunkBytes: number;
  readonly costSol: string;
  /** The deploy itself (buffer, writes, deploy), as `program deploy` measured it. */
  readonly wallMs: number;
  /** Deploy and initialize, process start-up included. */
  readonly ms: number;
}

/** How a stop went: which validators had to be killed after the deadline, and how long it took. */
export interface DevnetStopReport {
  readonly killed: readonly number[];
  readonly ms: number;
}

export interface DevnetValidator {
  readonly index: number;
  readonly dir: string;
  readonly config: string;
  readonly address: string;
  readonly peerId: string;
  readonly coordinator: boolean;
  node: Running | undefined;
  health: string | undefined;
  ingress: string | undefined;
  dashboard: string | undefined;
}

const PORT_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
/** Linux's default ephemeral range starts here; other systems' ranges start at or above it. */
const DEFAULT_EPHEMERAL_START = 32_768;
const LOWEST_PORT = 10_000;

/** Where the kernel starts picking source ports for outgoing connections. */
function ephemeralStart(): number {
  if (!existsSync(PORT_RANGE_FILE)) return DEFAULT_EPHEMERAL_START;
  const start = Number(readFileSync(PORT_RANGE_FILE, 'utf8').trim().split(/\s+/)[0]);
  return Number.isInteger(start) && start > LOWEST_PORT ? start : DEFAULT_EPHEMERAL_START;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.once('error', () => resolveFree(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveFree(true)));
  });
}

/**
 * A loopback port for a validator's P2P listener, which must be known before the node starts (its
 * registration carries it). It is taken below the kernel's ephemeral range: a port the kernel
 * handed out (listen on 0) can be handed out again as the source port of any outgoing connection
 * on the machine before the node binds it, and the node then fails to start with EADDRINUSE.
 */
export async function freeLoopbackPort(): Promise<number> {
  const span = ephemeralStart() - LOWEST_PORT;
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = LOWEST_PORT + randomInt(span);
    if (await canListen(port)) return port;
  }
  throw new DevnetError('NO_FREE_PORT', 'no free loopback port below the ephemeral range', {
    from: LOWEST_PORT,
    to: LOWEST_PORT + span - 1,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tomlFor(
  rpcUrl: string,
  programId: string | undefined,
  p2pPort: number,
  place: ProcessPlacement | undefined,
  o: {
    candidatePriority: number | undefined;
    validators: number;
    blockIntervalMs: number;
    idleBlockMs: number | undefined;
    dashboard: boolean;
  },
): string {
  return validatorToml({
    rpcUrl,
    ...(programId ? { programId } : {}),
    p2pPort,
    ...(place ? { host: place.host } : {}),
    ...(place?.announce ? { announce: place.announce } : {}),
    sections: `coordinator_candidate = ${o.candidatePriority !== undefined}
coordinator_priority = ${o.candidatePriority ?? 0}

[consensus]
min_validators = ${o.validators}
block_interval_ms = ${o.blockIntervalMs}${o.idleBlockMs !== undefined ? `\nidle_block_ms = ${o.idleBlockMs}` : ''}

[coordinator]
anchor_every_blocks = 20
anchor_every_ms = 3000
${o.dashboard ? '\n[dashboard]\nenabled = true\nport = 0\n' : ''}`,
  });
}

export class Devnet {
  readonly validators: DevnetValidator[] = [];
  rpcUrl = '';
  /** The program the validators use: set when deployed through transactions, else the dev program. */
  programId: string | undefined;
  deployReport: DevnetDeployReport | undefined;
  /** The localnet process from its spawn on, before it serves: a stop during startup stops it too. */
  private localnetProcess: ChildProcess | undefined;
  private readonly n: number;
  /** Validators 0 .. candidates-1 stand for coordinator, in that order of priority. */
  private readonly candidates: number;
  /** Set by stop() and kill(): a start still under way spawns nothing more. */
  private stopped = false;

  constructor(private readonly o: DevnetOptions) {
    this.n = o.validators ?? 4;
    this.candidates = Math.min(this.n, o.candidates ?? 3);
  }

  /** The validator acting as coordinator now (from its readiness), if any answers. */
  async primary(): Promise<DevnetValidator | undefined> {
    for (const v of this.validators) {
      if (!v.health) continue;
      try {
        const r = (await (
          await fetch(`${v.health}/ready`, { signal: AbortSignal.timeout(2_000) })
        ).json()) as {
          checks: { name: string; detail: string }[];
        };
        if (r.checks.some((c) => c.name === 'coordinator' && c.detail.startsWith('primary (acting)')))
          return v;
      } catch {
        // Not running or not answering: not the primary.
      }
    }
    return undefined;
  }

  private step(message: string): void {
    this.o.onStep?.(message);
  }

  get coordinator(): DevnetValidator {
    return this.validators[0]!;
  }

  async start(): Promise<void> {
    const dir = resolve(this.o.dir);
    if (this.stopped) throw new DevnetError('STOPPED', 'the devnet was stopped: not started');
    await mkdir(dir, { recursive: true });
    this.step(
      this.o.deploy
        ? 'starting the localnet (LiteSVM; no program: it is deployed through transactions next)'
        : 'starting the localnet (LiteSVM; Paraloom program loaded and initialized)',
    );
    const localnetArgs = ['--slot-ms', String(this.o.slotMs ?? 400)];
    if (this.o.deploy) localnetArgs.push('--paraloom', 'off');
    const place = this.o.placement?.localnet;
    const localnet = await startLocalnetChild(localnetArgs, {
      ownProcessGroup: true,
      ...(place ? { host: place.host, port: place.port, wrap: place.wrap } : {}),
      onSpawn: (child) => {
        this.localnetProcess = child;
      },
    });
    if (this.stopped) {
      await localnet.stop();
      throw new DevnetError('STOPPED', 'the devnet was stopped while starting');
    }
    this.rpcUrl = localnet.rpcUrl;
    this.step(`localnet RPC ${this.rpcUrl}`);
    if (this.o.deploy) await this.deployProgram(dir);
    this.step(`registering ${this.n} validators (keygen, airdrop, stake)`);
    const made = await Promise.all(
      Array.from({ length: this.n }, (_, index) =>
        this.registerValidator(index, dir, index === 0 && (this.o.dashboard ?? false)),
      ),
    );
    for (const m of made)
      this.validators.push({
        ...m,
        node: undefined,
        health: undefined,
        ingress: undefined,
        dashboard: undefined,
      });
    // In parallel: each waits only for the registry, which is complete by now.
    await Promise.all(this.validators.map((v) => this.startValidator(v.index)));
  }

  /**
   * Registers one more validator on chain (key, airdrop, stake) with a config of its own, and returns
   * its index; `startValidator` starts it. It joins the set at the next epoch boundary.
   */
  async addValidator(): Promise<number> {
    const index = this.validators.length;
    const made = await this.registerValidator(index, resolve(this.o.dir), false);
    this.validators.push({
      ...made,
      node: undefined,
      health: undefined,
      ingress: undefined,
      dashboard: undefined,
    });
    return index;
  }

  /** `paraloom program deploy` then `initialize`, as an operator runs them, with a fresh admin key. */
  private async deployProgram(dir: string): Promise<void> {
    const t0 = performance.now();
    const admin = join(dir, 'program-admin.json');
    await runParaloomOk(['validator', 'keygen', '--out', admin, '--force']);
    const common = ['--rpc', this.rpcUrl, '--keypair', admin, '--json'];
    const deployed = await runParaloomOk([
      'program',
      'deploy',
      ...common,
      '--program-keypair',
      join(dir, 'program-keypair.json'),
      '--airdrop',
      '2',
    ]);
    const d = JSON.parse(deployed.stdout.at(-1)!) as {
      programId: string;
      transactions: number;
      chunkBytes: number;
      costSol: string;
      wallMs: number;
    };
    await runParaloomOk(['program', 'initialize', ...common, '--program-id', d.programId]);
    this.programId = d.programId;
    this.deployReport = {
      programId: d.programId,
      transactions: d.transactions,
      chunkBytes: d.chunkBytes,
      costSol: d.costSol,
      wallMs: d.wallMs,
      ms: performance.now() - t0,
    };
    this.step(
      `program ${d.programId} deployed (${d.transactions} transactions, ${d.chunkBytes}-byte writes, ${d.costSol} SOL) and initialized in ${(this.deployReport.ms / 1000).toFixed(1)} s`,
    );
  }

  private async registerValidator(index: number, dir: string, dashboard: boolean) {
    const vdir = join(dir, `validator-${index}`);
    await mkdir(vdir, { recursive: true });
    const config = join(vdir, 'node.toml');
    const coordinator = index < this.candidates;
    const place = this.o.placement?.validator(index);
    await writeFile(
      config,
      tomlFor(this.rpcUrl, this.programId, place?.p2pPort ?? (await freeLoopbackPort()), place, {
        candidatePriority: coordinator ? this.candidates - index : undefined,
        validators: this.n,
        blockIntervalMs: this.o.blockIntervalMs ?? 0,
        idleBlockMs: this.o.idleBlockMs,
        dashboard,
      }) + (this.o.extraToml?.(index) ?? ''),
    );
    await runParaloomOk(['validator', 'keygen', '--config', config, '--force']);
    const reg = await runParaloomOk(['validator', 'register', '--config', config, '--airdrop', '--json']);
    const out = JSON.parse(reg.stdout.at(-1)!) as { address: string; peerId: string };
    return { index, dir: vdir, config, address: out.address, peerId: out.peerId, coordinator };
  }

  /** Starts (or restarts) validator `index` from its data directory. */
  async startValidator(index: number, env: Record<string, string> = {}): Promise<void> {
    if (this.stopped)
      throw new DevnetError('STOPPED', `the devnet was stopped: validator ${index} not started`);
    const v = this.validators[index]!;
    const node = runParaloom(
      ['node', '--config', v.config],
      { ...(this.o.env?.(index) ?? {}), ...env },
      join(v.dir, 'node.log'),
      this.o.placement?.validator(index).wrap,
    );
    v.node = node;
    const started = await node.waitFor('paraloom node started', 120_000);
    v.health = String(started.health);
    v.ingress = String(started.ingress);
    const dash = node.logs.find((l) => l.msg === 'dashboard listening');
    v.dashboard = dash ? String(dash.url) : undefined;
    this.step(
      `validator ${index}${v.coordinator ? ' (coordinator candidate)' : ''} ${v.address} ingress ${v.ingress}`,
    );
  }

  /** SIGTERM (graceful) or SIGKILL (crash) of one validator process. */
  async stopValidator(index: number, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const v = this.validators[index]!;
    if (!v.node) return;
    if (signal === 'SIGKILL') {
      v.node.child.kill('SIGKILL');
      await v.node.exited;
    } else await stopChild(v.node.child);
    v.node = undefined;
  }

  /** L2 height of validator `index` from its ingress. */
  async height(index: number): Promise<bigint> {
    const url = this.validators[index]?.ingress;
    if (!url) throw new DevnetError('CHILD_FAILED', `validator ${index} is not running`);
    const res = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(5_000) });
    return BigInt(((await res.json()) as { height: string }).height);
  }

  /** Waits until every running validator reports at least `height`. */
  async waitHeight(height: bigint, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopped) throw new DevnetError('STOPPED', `the devnet was stopped before height ${height}`);
      const running = this.validators.filter((v) => v.node);
      const hs = await Promise.all(running.map((v) => this.height(v.index).catch(() => -1n)));
      if (hs.every((h) => h >= height)) return;
      if (Date.now() > end)
        throw new DevnetError('TIMEOUT', `validators did not reach height ${height}`, {
          heights: hs.map(String),
        });
      await sleep(250);
    }
  }

  /**
   * Stops every validator (SIGTERM; those still running after `deadlineMs` are killed), then the
   * localnet, which they talk to while stopping. A validator that a terminal's Ctrl-C reached
   * first is already stopping: the SIGTERM changes nothing for it.
   */
  async stop(deadlineMs = 10_000): Promise<DevnetStopReport> {
    this.stopped = true;
    const t0 = performance.now();
    const killed: number[] = [];
    await Promise.all(
      this.validators.map(async (v) => {
        if (!v.node) return;
        const child = v.node.child;
        await stopChild(child, deadlineMs);
        if (child.signalCode === 'SIGKILL') killed.push(v.index);
      }),
    );
    for (const v of this.validators) v.node = undefined;
    // Also a localnet still starting: start() then fails with CHILD_FAILED.
    if (this.localnetProcess) await stopChild(this.localnetProcess, deadlineMs);
    return { killed: killed.sort((a, b) => a - b), ms: performance.now() - t0 };
  }

  /** SIGKILL to every process still running, at once and synchronously (a second Ctrl-C, exit). */
  kill(): void {
    this.stopped = true;
    for (const v of this.validators)
      if (v.node && v.node.child.exitCode === null) v.node.child.kill('SIGKILL');
    if (this.localnetProcess && this.localnetProcess.exitCode === null) this.localnetProcess.kill('SIGKILL');
  }
}
