// Where a transfer's time went, from submission to final, in four stages that add up to its
// finality latency: admission (due at the client -> 202 from the ingress: HTTP and the proof
// verified there), to proposal (202 -> the leader built the block holding it: gossip, the leader's
// own verification and its wait for the next proposal), consensus (built -> decided: proposal
// gossip, validation, two voting steps) and commit (decided -> final: the synced storage batch and
// tree). Node log lines give the per-height times: 'proposal built' at the proposer and
// 'block final' (with commitMs, decision to end of commit) at every validator, on one machine's clock.

export interface HeightTimes {
  /** When the proposal that was decided was built (its proposer's log time). */
  readonly builtAt: number | undefined;
  /** Earliest decision among the validators. */
  readonly decidedAt: number;
  /** Earliest 'block final' among the validators. */
  readonly finalAt: number;
  readonly round: number;
}

type LogLine = Record<string, unknown>;

/** Per height, from every validator's log lines. */
export function heightTimes(logsOfEach: readonly (readonly LogLine[])[]): Map<bigint, HeightTimes> {
  const finals = new Map<bigint, { finalAt: number; decidedAt: number; round: number }>();
  const built = new Map<string, number>();
  for (const logs of logsOfEach) {
    for (const l of logs) {
      if (l.msg === 'proposal built') {
        const key = `${String(l.height)}/${String(l.round)}`;
        const t = Number(l.time);
        if (!built.has(key) || t < built.get(key)!) built.set(key, t);
      } else if (l.msg === 'block final') {
        const h = BigInt(String(l.height));
        const t = Number(l.time);
        const decided = t - Number(l.commitMs ?? 0);
        const prev = finals.get(h);
        finals.set(h, {
          finalAt: Math.min(prev?.finalAt ?? t, t),
          decidedAt: Math.min(prev?.decidedAt ?? decided, decided),
          round: Number(l.round ?? 0),
        });
      }
    }
  }
  const out = new Map<bigint, HeightTimes>();
  for (const [h, f] of finals) out.set(h, { ...f, builtAt: built.get(`${h}/${f.round}`) });
  return out;
}

export interface StageSamples {
  readonly admission: number[];
  readonly toProposal: number[];
  readonly consensus: number[];
  readonly commit: number[];
}

export const emptyStages = (): StageSamples => ({ admission: [], toProposal: [], consensus: [], commit: [] });

export function addStages(s: StageSamples, submitAt: number, admittedAt: number, t: HeightTimes): void {
  s.admission.push(admittedAt - submitAt);
  if (t.builtAt === undefined) return;
  s.toProposal.push(t.builtAt - admittedAt);
  s.consensus.push(t.decidedAt - t.builtAt);
  s.commit.push(t.finalAt - t.decidedAt);
}

export const quantile = (values: readonly number[], q: number): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};

export const mean = (values: readonly number[]): number =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;

export interface StageSummary {
  readonly p50_ms: number;
  readonly mean_ms: number;
}

export function summarizeStages(s: StageSamples): Record<keyof StageSamples, StageSummary> {
  const one = (v: readonly number[]) => ({
    p50_ms: Math.round(quantile(v, 0.5)),
    mean_ms: Math.round(mean(v) * 10) / 10,
  });
  return {
    admission: one(s.admission),
    toProposal: one(s.toProposal),
    consensus: one(s.consensus),
    commit: one(s.commit),
  };
}
