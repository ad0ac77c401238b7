// The bench's cohort: `paraloom localnet` plus validator processes, each started as an operator
// would (config file, keygen, register with an airdrop, `paraloom node`), as the multi-process
// validator-cluster test does. Everything started here is stopped by `stop()`.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatorToml } from '../../src/devnet/index.js';
import {
  freePort,
  type Running,
  run,
  runOk,
  startLocalnet,
  stopChild,
  until,
} from '../../test/helpers/paraloom-child.js';

export interface BenchValidator {
  readonly index: number;
  readonly dir: string;
  readonly config: string;
  readonly address: string;
  node?: Running;
  ingress?: string;
  health?: string;
}

export interface ClusterOptions {
  readonly validators: number;
  readonly slotMs: number;
  /** consensus.block_interval_ms; absent: the node's default. */
  readonly blockIntervalMs?: number;
  /** Extra environment of validator i (e.g. NODE_OPTIONS=--cpu-prof for a profile). */
  readonly envOf?: (i: number) => Record<string, string>;
}

const tomlFor = (rpcUrl: string, p2pPort: number, o: ClusterOptions) =>
  validatorToml({
    rpcUrl,
    p2pPort,
    stopTimeoutMs: 10000,
    heartbeatIntervalMs: 1000,
    pingIntervalMs: 10_000,
    registryRefreshMs: 30_000,
    sections: `
[consensus]
min_validators = ${o.validators}
${o.blockIntervalMs === undefined ? '' : `block_interval_ms = ${o.blockIntervalMs}`}
`,
  });

export class BenchCluster {
  localnet: ChildProcess | undefined;
  rpcUrl = '';
  readonly validators: BenchValidator[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly o: ClusterOptions) {}

  async start(log: (line: string) => void): Promise<void> {
    const { child, rpcUrl } = await startLocalnet(['--slot-ms', String(this.o.slotMs)]);
    this.localnet = child;
    this.rpcUrl = rpcUrl;
    log(`localnet ${rpcUrl} (${this.o.slotMs} ms slots)`);
    const made = await Promise.all(
      Array.from({ length: this.o.validators }, async (_, index) => {
        const dir = await mkdtemp(join(tmpdir(), `paraloom-bench-l2-${index}-`));
        this.dirs.push(dir);
        const config = join(dir, 'node.toml');
        await writeFile(config, tomlFor(rpcUrl, await freePort(), this.o));
        await runOk(['validator', 'keygen', '--config', config]);
        const reg = await runOk(['validator', 'register', '--config', config, '--airdrop', '--json']);
        const out = JSON.parse(reg.stdout.at(-1)!) as { address: string; active: boolean };
        if (!out.active) throw new Error(`validator ${index} is not active after registering`);
        return { index, dir, config, address: out.address };
      }),
    );
    this.validators.push(...made);
    log(`${made.length} validators registered`);
    // Every registration is on chain before any node reads the registry: they all build the same set.
    for (const v of this.validators) {
      v.node = run(['node', '--config', v.config], this.o.envOf?.(v.index) ?? {});
    }
    for (const v of this.validators) {
      v.health = String((await v.node!.waitFor('paraloom node started', 90_000)).health);
      v.ingress = String((await v.node!.waitFor('ingress listening', 5_000)).url);
    }
    for (const v of this.validators) {
      await until(
        `validator ${v.index} ready`,
        async () => ((await fetch(`${v.health}/ready`)).status === 200 ? true : undefined),
        60_000,
      );
    }
    log('validators ready');
  }

  /** Stops every node (SIGTERM, then SIGKILL after 15 s), then the localnet; removes the data dirs. */
  async stop(): Promise<void> {
    await Promise.all(this.validators.map((v) => (v.node ? stopChild(v.node.child, 15_000) : undefined)));
    if (this.localnet) await stopChild(this.localnet);
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}
