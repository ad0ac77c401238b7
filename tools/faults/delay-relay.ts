/**
 * A user-space TCP relay that delays what it forwards: the fault lab's stand-in for netem, which
 * this kernel lacks (DESIGN section 11). A host dials the relay instead of its peer; every chunk goes
 * on after `delayMs` (plus up to `jitterMs`), in order, each direction on its own, so a round trip
 * costs twice the delay. TCP cannot lose bytes, so loss shows as what it causes on a real link: a
 * chunk held back for a retransmission timeout (`stallMs` with probability `stallRate`). `cut()`
 * drops every connection and refuses new ones until `restore()`, as a pulled cable would.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface DelayOptions {
  readonly delayMs: number;
  readonly jitterMs?: number;
  /** Probability that a chunk waits `stallMs` more (a lost segment and its retransmission). */
  readonly stallRate?: number;
  readonly stallMs?: number;
  /** Seeded randomness for jitter and stalls, so a scenario replays. */
  readonly random?: () => number;
}

export class DelayRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private options: DelayOptions;

  constructor(
    private readonly target: { readonly host: string; readonly port: number },
    options: DelayOptions,
  ) {
    this.options = options;
  }

  /** Listens on `host:port` (port 0: any); returns the port. */
  async start(host: string, port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** New delay and stall settings, for chunks forwarded from now on. */
  set(options: DelayOptions): void {
    this.options = options;
  }

  /** Drops every connection and refuses new ones until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /**
   * Forwards `from` to `to`, each chunk after its delay and never before the chunk ahead of it. One
   * queue and one timer per direction: a timer per chunk does not keep order (two timers due in the
   * same millisecond, made with different durations, may fire either way round), and a reordered
   * chunk corrupts the TCP byte stream it is part of.
   */
  private pipe(from: Socket, to: Socket): void {
    const queue: { chunk: Buffer | undefined; due: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let due = 0;
    const pump = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length && queue[0]!.due <= now) {
        const { chunk } = queue.shift()!;
        if (chunk === undefined) to.end();
        else if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(pump, queue[0]!.due - now);
    };
    const enqueue = (chunk: Buffer | undefined, wait: number) => {
      due = Math.max(due, Date.now() + wait);
      queue.push({ chunk, due });
      timer ??= setTimeout(pump, Math.max(0, queue[0]!.due - Date.now()));
    };
    from.on('data', (chunk: Buffer) => {
      const o = this.options;
      const random = o.random ?? Math.random;
      let wait = o.delayMs + (o.jitterMs ? random() * o.jitterMs : 0);
      if (o.stallRate && random() < o.stallRate) wait += o.stallMs ?? 200;
      enqueue(chunk, wait);
    });
    // The end goes behind the last chunk, like any other byte of the stream.
    from.once('end', () => enqueue(undefined, 0));
    from.once('close', () => {
      if (timer && to.destroyed) clearTimeout(timer);
    });
  }
}
