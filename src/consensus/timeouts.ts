/**
 * Round timeouts. Each grows linearly with the round (Algorithm 1's timeoutX(r) = base + r * delta):
 * after GST some round's timeouts exceed the real message delay, which is what liveness needs.
 */
import type { Step } from './types.js';

export interface StepTimeout {
  readonly baseMs: number;
  readonly deltaMs: number;
}

export interface Timeouts {
  readonly propose: StepTimeout;
  readonly prevote: StepTimeout;
  readonly precommit: StepTimeout;
  /** Upper bound of any one timeout, so a long outage does not leave minutes-long rounds behind. */
  readonly maxMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  propose: { baseMs: 1_000, deltaMs: 500 },
  prevote: { baseMs: 500, deltaMs: 250 },
  precommit: { baseMs: 500, deltaMs: 250 },
  maxMs: 30_000,
};

export function timeoutFor(t: Timeouts, step: Step, round: number): number {
  const s = t[step];
  return Math.min(t.maxMs, s.baseMs + s.deltaMs * round);
}
