/**
 * The ingress's public limits (docs/operations.md): per client address a token bucket of `rateBurst`
 * requests refilled at `ratePerSecond`, and request bodies over `maxBodyBytes` refused before they are
 * buffered. The node's other public HTTP face, the dashboard, applies the same numbers.
 */
export const INGRESS_LIMITS = {
  maxBodyBytes: 16 * 1024,
  /** A batch submission's body: 32 transactions of 1,610 hex digits with room to spare. */
  maxBatchBodyBytes: 64 * 1024,
  ratePerSecond: 50,
  rateBurst: 100,
} as const;

/**
 * Token bucket per client address: `burst` requests at once, refilled at `perSecond`. The table is
 * bounded; when full, the least recently seen clients are forgotten (they start with a full bucket).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens for `client`; false when the client must wait. */
  take(client: string, cost = 1): boolean {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: t };
    this.buckets.delete(client); // re-insert: Map order doubles as recency
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    const allowed = b.tokens >= cost;
    if (allowed) b.tokens -= cost;
    this.buckets.set(client, b);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed;
  }
}
