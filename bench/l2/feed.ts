// The bench's client: pre-proven transfers offered at a steady rate to the validators' ingresses,
// bounded in flight. Transfers fall due one by one at the offered rate; with `batch` > 1, every
// `gatherMs` whatever fell due goes out as one batch request (at most `batch`), requests round
// robin over the validators. A transfer's latency counts from when it fell due, so the wait for
// its batch is charged to it.
import { Agent, request } from 'node:http';
import type { BenchValidator } from './cluster.js';

export interface FeedOptions {
  /** Offered transfers per second; 0 = all at once. */
  readonly rate: number;
  /** Transfers per submission request (1: one `POST /v1/transactions` each, sent when due). */
  readonly batch: number;
  /** How long transfers that fell due are gathered into one batch request. */
  readonly gatherMs: number;
  /** Submissions awaiting their answer at once, over all validators. */
  readonly maxInFlight: number;
}

export interface FeedResult {
  /** When each transfer fell due at the client (ms since the epoch): its latency starts here. */
  readonly submitAt: readonly number[];
  /** When the ingress answered 202 for it (its node verified the proof and admitted it). */
  readonly admittedAt: readonly number[];
  /** 'admitted', or the error code the ingress answered. */
  readonly outcome: readonly string[];
  readonly retried429: number;
  readonly start: number;
  readonly ms: number;
  readonly admitted: number;
  readonly requests: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * node:http over kept-alive connections: fetch (undici) cost the bench process about a quarter of
 * a core at 120 submissions/s on this 2-core machine, CPU the validators it measures then lacked.
 */
export class FeedClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  postJson(url: string, body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // The server may close an idle kept-alive socket just as it is reused: nothing was sent,
        // so sending again on a fresh socket is safe (Node's documented pattern).
        if (req.reusedSocket && err.code === 'ECONNRESET') this.postJson(url, body).then(resolve, reject);
        else reject(err);
      });
      req.end(body);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }

  async feed(vs: readonly BenchValidator[], txs: readonly Uint8Array[], o: FeedOptions): Promise<FeedResult> {
    const submitAt: number[] = new Array(txs.length).fill(0);
    const outcome: string[] = new Array(txs.length).fill('');
    const admittedAt: number[] = new Array(txs.length).fill(0);
    const hex = txs.map((tx) => Buffer.from(tx).toString('hex'));
    let inFlight = 0;
    let retried429 = 0;
    let wakeSender: (() => void) | undefined;
    const sendGroup = async (group: readonly number[], v: BenchValidator) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const single = group.length === 1;
        const res = single
          ? await this.postJson(
              `${v.ingress}/v1/transactions`,
              JSON.stringify({ transaction: hex[group[0]!] }),
            )
          : await this.postJson(
              `${v.ingress}/v1/transactions/batch`,
              JSON.stringify({ transactions: group.map((i) => hex[i]) }),
            );
        if (res.status === 429) {
          retried429++;
          await sleep(20);
          continue;
        }
        const now = Date.now();
        type Outcome = { status?: string; error?: { code?: string } };
        const body = JSON.parse(res.body || '{}') as Outcome & { results?: Outcome[] };
        group.forEach((i, k) => {
          const r: Outcome | undefined = single
            ? res.status === 202
              ? { status: 'admitted' }
              : body
            : body.results?.[k];
          if (r?.status === 'admitted') {
            admittedAt[i] = now;
            outcome[i] = 'admitted';
          } else outcome[i] = r?.error?.code ?? `HTTP_${res.status}`;
        });
        return;
      }
      for (const i of group) outcome[i] = 'RATE_LIMITED';
    };
    const start = Date.now();
    const pending: Promise<void>[] = [];
    const dueAt = (i: number) => (o.rate > 0 ? start + (i * 1000) / o.rate : start);
    let next = 0;
    let requests = 0;
    while (next < txs.length) {
      const wait = dueAt(next) + (o.batch > 1 ? o.gatherMs : 0) - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight >= o.maxInFlight) await new Promise<void>((r) => (wakeSender = r));
      const group: number[] = [];
      const now = Date.now();
      while (
        next < txs.length &&
        group.length < o.batch &&
        inFlight + group.length < o.maxInFlight &&
        dueAt(next) <= now
      ) {
        submitAt[next] = Math.round(dueAt(next));
        group.push(next++);
      }
      if (group.length === 0) continue;
      inFlight += group.length;
      const v = vs[requests++ % vs.length]!;
      pending.push(
        sendGroup(group, v)
          // Recorded, not thrown: a rejection left for Promise.all would end the bench with the
          // cohort still running.
          .catch((err: NodeJS.ErrnoException) => {
            for (const i of group) outcome[i] = `CLIENT_${err.code ?? 'ERROR'}`;
          })
          .finally(() => {
            inFlight -= group.length;
            wakeSender?.();
            wakeSender = undefined;
          }),
      );
    }
    await Promise.all(pending);
    const admitted = outcome.filter((x) => x === 'admitted').length;
    return { submitAt, admittedAt, outcome, retried429, start, ms: Date.now() - start, admitted, requests };
  }
}
