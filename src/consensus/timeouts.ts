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
  /**
   * Added to round 0's propose timeout: the pause a leader takes after a commit before it proposes
   * (Tendermint's timeout_commit), so the pause does not eat into the others' wait for the proposal.
   */
  readonly commitPauseMs?: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  propose: { baseMs: 1_000, deltaMs: 500 },
  prevote: { baseMs: 500, deltaMs: 250 },
  precommit: { baseMs: 500, deltaMs: 250 },
  maxMs: 30_000,
};

export function timeoutFor(t: Timeouts, step: Step, round: number): number {
  const s = t[step];
  const pause = step === 'propose' && round === 0 ? (t.commitPauseMs ?? 0) : 0;
  return Math.min(t.maxMs, s.baseMs + s.deltaMs * round + pause);
}
