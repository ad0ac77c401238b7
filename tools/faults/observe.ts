/**
 * What the fault harness watches while a scenario runs, from outside the validators as a user
 * would: each validator's height (its ingress status) twice a second, and the outputs published
 * in final blocks (`/v1/notes` of any validator that answers), with when each was first seen.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HeightSample {
  readonly atMs: number;
  /** Per validator; null when it did not answer. */
  readonly heights: readonly (number | null)[];
}

abstract class Poller {
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    protected readonly clock: () => number,
    private readonly everyMs: number,
  ) {}

  protected abstract tick(): Promise<void>;

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.tick();
        await sleep(this.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export async function statusOf(
  ingress: string | undefined,
): Promise<{ height: number; leafCount: number } | null> {
  if (!ingress) return null;
  try {
    const res = await fetch(`${ingress}/v1/status`, { signal: AbortSignal.timeout(1_000) });
    const s = (await res.json()) as { height: string; leafCount: number };
    return { height: Number(s.height), leafCount: s.leafCount };
  } catch {
    return null;
  }
}

export class HeightSampler extends Poller {
  readonly samples: HeightSample[] = [];

  constructor(
    clock: () => number,
    private readonly ingresses: () => readonly (string | undefined)[],
  ) {
    super(clock, 500);
  }

  protected async tick(): Promise<void> {
    const atMs = this.clock();
    const heights = await Promise.all(this.ingresses().map(async (u) => (await statusOf(u))?.height ?? null));
    this.samples.push({ atMs, heights });
  }
}

export class NotesWatcher extends Poller {
  /** Commitment -> when it was first seen published. */
  readonly seen = new Map<string, number>();
  private next = 0;
  private turn = 0;

  constructor(
    clock: () => number,
    private readonly ingresses: () => readonly (string | undefined)[],
  ) {
    super(clock, 200);
  }

  protected async tick(): Promise<void> {
    const urls = this.ingresses();
    for (let k = 0; k < urls.length; k++) {
      const url = urls[(this.turn + k) % urls.length];
      if (!url) continue;
      try {
        for (;;) {
          const res = await fetch(`${url}/v1/notes?from=${this.next}&limit=1000`, {
            signal: AbortSignal.timeout(2_000),
          });
          const body = (await res.json()) as { outputs: { commitment: string }[]; next: number };
          const at = this.clock();
          for (const o of body.outputs) if (!this.seen.has(o.commitment)) this.seen.set(o.commitment, at);
          if (body.next === this.next) break;
          this.next = body.next;
        }
        return;
      } catch {
        // This validator does not answer now: the next one is asked from the next tick on.
        this.turn++;
      }
    }
  }
}
