/**
 * Fault scenarios as data, in the spirit of CometBFT's e2e manifests: a cohort (size, how its
 * validators reach each other), a load, and perturbations at times from the start of the load.
 * Manifests live in tools/faults/scenarios/*.json; `randomScenario` draws more from a seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/common/testing/index.js';
import { FaultLabError } from './netns.js';

/**
 * Who a step acts on: a validator index, or one chosen when the step runs: `proposer` (the
 * validator that built the latest proposal), `coordinator` (the acting coordinator), `other` (a
 * validator that is neither).
 */
export type Target = number | 'proposer' | 'coordinator' | 'other';

export type Step = { readonly atMs: number } /**
 * Only validators in one group reach each other; validators named nowhere form one more group;
 * `bridges` reach everyone (a node between two halves).
 */ & (
  | {
      readonly do: 'partition';
      readonly groups: readonly (readonly Target[])[];
      readonly bridges?: readonly Target[];
    }
  | { readonly do: 'heal' }
  | { readonly do: 'link-down' | 'link-up'; readonly target: Target }
  | { readonly do: 'pause' | 'resume'; readonly target: Target }
  | { readonly do: 'kill'; readonly target: Target }
  | { readonly do: 'restart'; readonly target: Target }
  /** SIGKILL while the target is between the writes of a block commit (its own fault hook). */
  | { readonly do: 'kill-in-commit'; readonly target: Target }
  /** Relayed cohorts only: new one-way delay (and loss as stalls) on every link. */
  | {
      readonly do: 'delay';
      readonly delayMs: number;
      readonly jitterMs?: number;
      readonly stallRate?: number;
      readonly stallMs?: number;
    }
  /** Garbage from a non-validator host at every validator's P2P port, for `durationMs`. */
  | { readonly do: 'garbage'; readonly durationMs: number }
);

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Default 4. */
  readonly validators?: number;
  /**
   * `direct`: validators dial each other's own address (partitions are blackhole routes).
   * `relayed`: every validator-to-validator connection crosses the WAN relay (delay and loss).
   */
  readonly topology?: 'direct' | 'relayed';
  /** Relayed: the one-way delay from the start. */
  readonly linkDelayMs?: number;
  /** Validator index -> clock offset in ms (its Date is shifted; monotonic time is not). */
  readonly clockOffsetMs?: Readonly<Record<string, number>>;
  /** How long the load runs; steps fall inside it. */
  readonly durationMs: number;
  readonly load: {
    /** Pre-proven transfers offered per second, round robin over validators. */
    readonly transfersPerSecond: number;
    /** One deposit on chain every this many ms (0: none). */
    readonly depositEveryMs: number;
    /** Withdrawals proven and submitted during the run (each costs a proof: ~3 s of one core). */
    readonly withdrawals: number;
  };
  readonly steps: readonly Step[];
  /** After the last step (the heal), every running validator finalizes a new block within this. */
  readonly livenessBoundMs: number;
  /** Part of the short set CI runs. */
  readonly ci?: boolean;
}

export const SCENARIO_DIR = join(import.meta.dirname, 'scenarios');

function invalid(name: string, why: string): never {
  throw new FaultLabError('ARGUMENT_INVALID', `scenario ${name}: ${why}`, { name });
}

/** Checks a manifest's shape and that its steps make sense for its cohort. */
export function checkScenario(s: Scenario): Scenario {
  const n = s.validators ?? 4;
  if (!s.name || typeof s.durationMs !== 'number' || !Array.isArray(s.steps)) invalid(s.name, 'malformed');
  if (n < 4 || n > 10) invalid(s.name, 'a cohort has 4 to 10 validators');
  const targetOk = (t: Target) => typeof t === 'string' || (Number.isInteger(t) && t >= 0 && t < n);
  let last = 0;
  for (const step of s.steps) {
    if (step.atMs < last || step.atMs > s.durationMs) invalid(s.name, `step ${step.do} out of order or time`);
    last = step.atMs;
    if ('target' in step && !targetOk(step.target)) invalid(s.name, `bad target in ${step.do}`);
    if (step.do === 'partition' && !step.groups.every((g: readonly Target[]) => g.every(targetOk)))
      invalid(s.name, 'bad partition group');
    if (step.do === 'delay' && s.topology !== 'relayed') invalid(s.name, 'delay needs the relayed topology');
  }
  return s;
}

export function loadScenarios(dir = SCENARIO_DIR): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => checkScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario));
}

/**
 * A scenario drawn from `seed`: two or three faults of the kinds the manifests use, each healed
 * before the next, at random times and on random targets. The same seed gives the same scenario.
 */
export function randomScenario(seed: number, validators = 4): Scenario {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const target = (): Target =>
    pick<Target>(['proposer', 'coordinator', 'other', Math.floor(random() * validators)]);
  const steps: Step[] = [];
  let t = 3_000;
  const faults = 2 + Math.floor(random() * 2);
  for (let k = 0; k < faults; k++) {
    const hold = 3_000 + Math.floor(random() * 5_000);
    const kind = pick(['partition-minority', 'split', 'pause', 'kill', 'link', 'kill-in-commit'] as const);
    const who = target();
    switch (kind) {
      case 'partition-minority':
        steps.push({ atMs: t, do: 'partition', groups: [[who]] });
        steps.push({ atMs: t + hold, do: 'heal' });
        break;
      case 'split': {
        const half = Math.floor(validators / 2);
        const ids = Array.from({ length: validators }, (_, i) => i).sort(() => random() - 0.5);
        steps.push({ atMs: t, do: 'partition', groups: [ids.slice(0, half), ids.slice(half)] });
        steps.push({ atMs: t + hold, do: 'heal' });
        break;
      }
      case 'pause':
        steps.push({ atMs: t, do: 'pause', target: who });
        steps.push({ atMs: t + hold, do: 'resume', target: who });
        break;
      case 'kill':
        steps.push({ atMs: t, do: 'kill', target: who });
        steps.push({ atMs: t + hold, do: 'restart', target: who });
        break;
      case 'kill-in-commit':
        steps.push({ atMs: t, do: 'kill-in-commit', target: who });
        steps.push({ atMs: t + hold, do: 'restart', target: who });
        break;
      case 'link':
        steps.push({ atMs: t, do: 'link-down', target: who });
        steps.push({ atMs: t + hold, do: 'link-up', target: who });
        break;
    }
    t += hold + 3_000 + Math.floor(random() * 3_000);
  }
  return checkScenario({
    name: `random-${seed}`,
    description: `drawn from seed ${seed}: ${steps.map((s) => s.do).join(', ')}`,
    validators,
    durationMs: t + 2_000,
    load: { transfersPerSecond: 1, depositEveryMs: 4_000, withdrawals: 1 },
    steps,
    livenessBoundMs: 30_000,
  });
}
