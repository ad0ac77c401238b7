/**
 * A devnet whose processes each run on a host of the fault lab: the localnet on `chain`, validator
 * i on `v<i>` (P2P 9000, ingress and health on ports the OS picks, all on the host's own address).
 * In the relayed topology the lab's `wan` host runs the WAN relay, every validator announces (and
 * registers on chain) its relay address, and the direct routes between validators are blackholed,
 * so every byte between two validators crosses the relay and its delay.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Devnet, type DevnetValidator } from '../../src/devnet/index.js';
import type { NetnsLab } from './netns.js';
import type { RelayProcessConfig } from './relay-process.js';
import type { Scenario } from './scenario.js';

export const P2P_PORT = 9000;
export const LOCALNET_PORT = 8899;
const RELAY_BASE_PORT = 10_000;
const CLOCK_PRELOAD = join(import.meta.dirname, 'clock-offset.mjs');

export const validatorHost = (i: number) => `v${i}`;

export class LabCohort {
  readonly devnet: Devnet;
  private relay: ChildProcess | undefined;
  private relayAcks: ((line: string) => void)[] = [];
  readonly n: number;
  readonly relayed: boolean;

  constructor(
    private readonly lab: NetnsLab,
    readonly scenario: Scenario,
    dir: string,
    onStep: (m: string) => void,
  ) {
    this.n = scenario.validators ?? 4;
    this.relayed = scenario.topology === 'relayed';
    const wrap = (host: string) => ['ip', 'netns', 'exec', lab.host(host).netns];
    const wan = this.relayed ? lab.host('wan').address : undefined;
    this.devnet = new Devnet({
      dir,
      validators: this.n,
      slotMs: 150,
      dashboard: false,
      onStep,
      placement: {
        localnet: { host: lab.host('chain').address, port: LOCALNET_PORT, wrap: wrap('chain') },
        validator: (i) => ({
          host: lab.host(validatorHost(i)).address,
          wrap: wrap(validatorHost(i)),
          p2pPort: P2P_PORT,
          ...(wan ? { announce: [`/ip4/${wan}/tcp/${RELAY_BASE_PORT + i}`] } : {}),
        }),
      },
      env: (i) => {
        const offset = scenario.clockOffsetMs?.[String(i)];
        return {
          PARALOOM_FAULT_CRASH_IN_COMMIT: '1',
          ...(offset
            ? {
                PARALOOM_FAULT_CLOCK_OFFSET_MS: String(offset),
                NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${CLOCK_PRELOAD}`.trim(),
              }
            : {}),
        };
      },
    });
  }

  get validators(): readonly DevnetValidator[] {
    return this.devnet.validators;
  }

  /** Relay first (validators dial through it from their first connection), then the devnet. */
  async start(seed: number): Promise<void> {
    if (this.relayed) {
      const names = Array.from({ length: this.n }, (_, i) => validatorHost(i));
      // Each validator its own group: no validator reaches another but through `wan`.
      await this.lab.partition(names.map((v) => [v]));
      const config: RelayProcessConfig = {
        host: this.lab.host('wan').address,
        routes: names.map((v, i) => ({
          port: RELAY_BASE_PORT + i,
          target: { host: this.lab.host(v).address, port: P2P_PORT },
        })),
        delay: { delayMs: this.scenario.linkDelayMs ?? 0 },
        seed,
      };
      const relay = this.lab.spawn(
        'wan',
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'relay-process.ts'), JSON.stringify(config)],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      this.relay = relay;
      const lines = createInterface({ input: relay.stdout! });
      await new Promise<void>((resolve, reject) => {
        relay.once('exit', (code) => reject(new Error(`the WAN relay exited with ${code}`)));
        lines.on('line', (line) => {
          if (line === 'relay ready') resolve();
          else if (line.startsWith('ok ') || line.startsWith('error ')) this.relayAcks.shift()?.(line);
        });
      });
    }
    await this.devnet.start();
  }

  /** Sends a command to the WAN relay and waits for its acknowledgement. */
  async relayCommand(command: Record<string, unknown>): Promise<void> {
    const relay = this.relay;
    if (!relay?.stdin) throw new Error('this cohort has no WAN relay');
    const acked = new Promise<string>((resolve) => this.relayAcks.push(resolve));
    relay.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await acked;
    if (!line.startsWith('ok ')) throw new Error(`the WAN relay refused ${JSON.stringify(command)}: ${line}`);
  }

  async stop(): Promise<void> {
    await this.devnet.stop();
    if (this.relay && this.relay.exitCode === null) {
      const exited = new Promise((r) => this.relay!.once('exit', r));
      this.relay.stdin?.end();
      await exited;
    }
    await this.lab.heal();
  }
}
