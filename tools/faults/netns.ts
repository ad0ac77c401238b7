/**
 * A laboratory of network namespaces for fault tests (DESIGN section 11): one namespace per host
 * (validator, localnet, load), each joined by a veth pair to a Linux bridge that lives in a namespace
 * of its own, so nothing touches the machine's own interfaces. Faults are made here:
 * - a host's link down or up (its veth end, as a pulled cable);
 * - partitions: which hosts reach which, as blackhole routes inside each host's namespace (both
 *   directions, exact per pair, no firewall tooling needed), healed by removing them.
 * Everything a lab makes carries its run id in its name; `teardown` deletes exactly that, and `sweep`
 * removes what dead runs left behind. Needs root and iproute2's `ip`.
 */
import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { defineErrorClass, type NoContext } from '../../src/common/index.js';

const run = promisify(execFile);

/** Every namespace of a lab is named `${PREFIX}<pid>-<run>-<host>`: the pid says whether its run is alive. */
export const PREFIX = 'plf';

interface FaultLabErrorContexts {
  /** Not root, or no `ip netns` on this machine. */
  LAB_UNAVAILABLE: { reason: string };
  /** iproute2's `ip` is not installed. */
  IP_MISSING: NoContext;
  /** An `ip` command failed (its stderr is the message). */
  COMMAND_FAILED: { args: readonly string[] };
  ARGUMENT_INVALID: { hosts?: number; name?: string };
}

export const FaultLabError = defineErrorClass<FaultLabErrorContexts>('FaultLabError');

async function ip(args: readonly string[]): Promise<string> {
  try {
    return (await run('ip', [...args], { timeout: 10_000 })).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new FaultLabError('IP_MISSING', 'iproute2 `ip` is not installed');
    throw new FaultLabError('COMMAND_FAILED', `ip ${args.join(' ')}: ${err.stderr?.trim() ?? err.message}`, {
      args,
    });
  }
}

/** Why this machine cannot run a lab, or undefined when it can. */
export async function labUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    await ip(['netns', 'list']);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

/** Deletes the namespaces of runs whose process is gone (a lab killed before its teardown). */
export async function sweep(): Promise<string[]> {
  const removed: string[] = [];
  for (const line of (await ip(['netns', 'list'])).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) continue;
    await ip(['netns', 'del', name]).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

export interface LabDescriptor {
  readonly runId: string;
  readonly hosts: readonly LabHost[];
  readonly bridgeNs: string;
}

export interface LabHost {
  readonly name: string;
  /** The namespace it runs in. */
  readonly netns: string;
  /** Its address on the lab's bridge. */
  readonly address: string;
}

/**
 * One lab: `hosts` namespaces on one bridge, addresses 10.77.<subnet>.<2 + i>/24. Create with
 * `NetnsLab.create`; always `teardown()` (it is safe to call twice).
 */
export class NetnsLab {
  private readonly blackholes = new Set<string>();
  /** Processes started in the lab: a deleted namespace lives on while a process holds it. */
  private readonly children = new Set<ChildProcess>();
  private torn = false;

  private constructor(
    readonly runId: string,
    readonly hosts: readonly LabHost[],
    private readonly bridgeNs: string,
    /** Whether teardown deletes the namespaces (the lab's creator) or only kills what it started. */
    private readonly owner = true,
  ) {}

  /** What another process needs to work in this lab (`NetnsLab.attach`). */
  describe(): LabDescriptor {
    return { runId: this.runId, hosts: this.hosts, bridgeNs: this.bridgeNs };
  }

  /**
   * The lab of another process (its creator, which tears it down): this one makes faults and starts
   * processes in it, and its teardown kills only the processes it started.
   */
  static attach(d: LabDescriptor): NetnsLab {
    return new NetnsLab(d.runId, d.hosts, d.bridgeNs, false);
  }

  static async create(names: readonly string[], o: { subnet?: number } = {}): Promise<NetnsLab> {
    const reason = await labUnavailable();
    if (reason) throw new FaultLabError('LAB_UNAVAILABLE', `cannot make a fault lab: ${reason}`, { reason });
    if (names.length < 1 || names.length > 200) {
      throw new FaultLabError('ARGUMENT_INVALID', 'a lab has 1 to 200 hosts', { hosts: names.length });
    }
    await sweep();
    const subnet = o.subnet ?? 1 + (process.pid % 250);
    const runId = `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
    const bridgeNs = `${runId}-br`;
    const hosts = names.map((name, i) => ({
      name,
      netns: `${runId}-${i}`,
      address: `10.77.${subnet}.${2 + i}`,
    }));
    const lab = new NetnsLab(runId, hosts, bridgeNs);
    try {
      await ip(['netns', 'add', bridgeNs]);
      await ip(['-n', bridgeNs, 'link', 'set', 'lo', 'up']);
      await ip(['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
      for (const [i, h] of hosts.entries()) {
        await ip(['netns', 'add', h.netns]);
        await ip(['-n', h.netns, 'link', 'set', 'lo', 'up']);
        // Created inside the host's namespace, its peer moved to the bridge's: the names never
        // meet the machine's own namespace.
        await ip(['-n', h.netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p${i}`]);
        await ip(['-n', h.netns, 'link', 'set', `p${i}`, 'netns', bridgeNs]);
        await ip(['-n', bridgeNs, 'link', 'set', `p${i}`, 'master', 'br0']);
        await ip(['-n', bridgeNs, 'link', 'set', `p${i}`, 'up']);
        await ip(['-n', h.netns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
        await ip(['-n', h.netns, 'link', 'set', 'eth0', 'up']);
      }
    } catch (e) {
      await lab.teardown();
      throw e;
    }
    return lab;
  }

  host(name: string): LabHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new FaultLabError('ARGUMENT_INVALID', `no host ${name} in this lab`, { name });
    return h;
  }

  /**
   * Starts `command` inside the host's namespace (`ip netns exec` execs it: the child is the command
   * itself). Killed at teardown if still running.
   */
  spawn(host: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.host(host).netns, command, ...args], options);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** The host's cable: down, or up again. */
  async link(host: string, up: boolean): Promise<void> {
    await ip(['-n', this.host(host).netns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  /**
   * Only hosts in the same group reach each other (hosts in no group keep reaching everyone). Replaces
   * any partition before it.
   */
  async partition(groups: readonly (readonly string[])[]): Promise<void> {
    await this.heal();
    const groupOf = new Map<string, number>();
    groups.forEach((g, k) => {
      for (const name of g) groupOf.set(this.host(name).name, k);
    });
    for (const a of this.hosts) {
      for (const b of this.hosts) {
        const ga = groupOf.get(a.name);
        const gb = groupOf.get(b.name);
        if (a === b || ga === undefined || gb === undefined || ga === gb) continue;
        await ip(['-n', a.netns, 'route', 'add', 'blackhole', `${b.address}/32`]);
        this.blackholes.add(`${a.netns} ${b.address}`);
      }
    }
  }

  /** Every host reaches every other again (links taken down stay down). */
  async heal(): Promise<void> {
    for (const entry of [...this.blackholes]) {
      const [netns, address] = entry.split(' ') as [string, string];
      await ip(['-n', netns, 'route', 'del', 'blackhole', `${address}/32`]).catch(() => undefined);
      this.blackholes.delete(entry);
    }
  }

  /** Kills the processes this lab object started, then deletes every namespace of the lab if it made it. */
  async teardown(): Promise<void> {
    if (this.torn) return;
    this.torn = true;
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    if (!this.owner) return;
    for (const ns of [...this.hosts.map((h) => h.netns), this.bridgeNs]) {
      await ip(['netns', 'del', ns]).catch(() => undefined);
    }
  }
}
