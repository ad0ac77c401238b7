/**
 * The fault lab's WAN: one process on the lab's `wan` host holding one DelayRelay per validator
 * (listen port -> that validator's P2P port). Validators announce their relay address and their
 * direct routes to each other are blackholed, so every validator-to-validator byte crosses it and
 * gets the configured one-way delay. Controlled by JSON lines on stdin:
 *   {"op":"set","delayMs":50,"jitterMs":5,"stallRate":0.01,"stallMs":200}
 *   {"op":"cut","port":10001} / {"op":"restore","port":10001}   (no port: every relay)
 * Prints `relay ready` once every relay listens, and `ok <op>` after each command.
 * Usage: node --import tsx relay-process.ts '<json config>'
 */
import { createInterface } from 'node:readline';
import { seededRandom } from '../../src/common/testing/index.js';
import { type DelayOptions, DelayRelay } from './delay-relay.js';

export interface RelayProcessConfig {
  readonly host: string;
  readonly routes: readonly { readonly port: number; readonly target: { host: string; port: number } }[];
  readonly delay: Omit<DelayOptions, 'random'>;
  readonly seed: number;
}

interface Command extends Partial<Omit<DelayOptions, 'random'>> {
  readonly op: 'set' | 'cut' | 'restore';
  readonly port?: number;
}

const config = JSON.parse(process.argv[2] ?? '') as RelayProcessConfig;
const random = seededRandom(config.seed);
const relays = new Map<number, DelayRelay>();
for (const r of config.routes) {
  const relay = new DelayRelay(r.target, { ...config.delay, random });
  await relay.start(config.host, r.port);
  relays.set(r.port, relay);
}
console.log('relay ready');

createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd: Command;
  try {
    cmd = JSON.parse(line) as Command;
  } catch {
    console.log(`error not JSON: ${line.slice(0, 80)}`);
    return;
  }
  const targets = cmd.port === undefined ? [...relays.values()] : [relays.get(cmd.port)].filter((r) => r);
  for (const relay of targets) {
    if (!relay) continue;
    if (cmd.op === 'set') {
      relay.set({
        delayMs: cmd.delayMs ?? 0,
        ...(cmd.jitterMs !== undefined ? { jitterMs: cmd.jitterMs } : {}),
        ...(cmd.stallRate !== undefined ? { stallRate: cmd.stallRate } : {}),
        ...(cmd.stallMs !== undefined ? { stallMs: cmd.stallMs } : {}),
        random,
      });
    } else if (cmd.op === 'cut') relay.cut();
    else relay.restore();
  }
  console.log(`ok ${cmd.op}`);
});

const stop = async () => {
  await Promise.all([...relays.values()].map((r) => r.stop()));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.once('end', () => void stop());
