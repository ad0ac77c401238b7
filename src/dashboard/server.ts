import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { HttpError, INGRESS_LIMITS, RateLimiter } from '../ingress/index.js';
import { type Asset, loadAssets } from './assets.js';
import { DashboardError } from './errors.js';
import type { DashboardBackend, DashboardEvent } from './views.js';

export interface DashboardServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Directory of the built front-end (default: the package's dashboard/dist). */
  readonly assetsDir?: string;
  /** Limits default to the ingress's (INGRESS_LIMITS). */
  readonly maxBodyBytes?: number;
  readonly ratePerSecond?: number;
  readonly rateBurst?: number;
  /** Open event streams at once, in all and per client address. */
  readonly maxStreams?: number;
  readonly maxStreamsPerClient?: number;
  /** A comment line this often keeps idle streams (and proxies) alive. */
  readonly keepAliveMs?: number;
  readonly logger?: Logger;
}

export const DASHBOARD_DEFAULT_PORT = 9600;
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;
/** A stream whose client reads slower than the events come is closed past this much buffered output. */
const MAX_STREAM_BUFFER = 1024 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

/**
 * The network dashboard: the built front-end and a read-only JSON API under /api/v1 with live
 * updates as server-sent events (/api/v1/events). Same limits as the ingress: a token bucket per
 * client address and bodies over 16 KiB refused before they are buffered. Every error is
 * `{"error": {"code", "message"}}` with a stable code (docs/operations.md, "Dashboard").
 */
export class DashboardServer implements Lifecycle {
  private server: Server | undefined;
  private assets = new Map<string, Asset>();
  private boundPort = 0;
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private readonly maxBody: number;
  private readonly streams = new Map<ServerResponse, { client: string; stop: () => void }>();

  constructor(
    private readonly backend: DashboardBackend,
    private readonly options: DashboardServerOptions = {},
  ) {
    this.limiter = new RateLimiter(
      options.ratePerSecond ?? INGRESS_LIMITS.ratePerSecond,
      options.rateBurst ?? INGRESS_LIMITS.rateBurst,
    );
    this.maxBody = options.maxBodyBytes ?? INGRESS_LIMITS.maxBodyBytes;
    this.log = options.logger ?? createLogger('dashboard');
  }

  get url(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** Event streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  async start(): Promise<void> {
    if (this.server) throw new DashboardError('ALREADY_STARTED', 'dashboard already started');
    this.assets = await loadAssets(this.options.assetsDir);
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? DASHBOARD_DEFAULT_PORT, this.options.host ?? '127.0.0.1', () =>
          resolve(),
        );
      });
    } catch (e) {
      throw new DashboardError(
        'LISTEN_FAILED',
        'dashboard cannot listen',
        { host: this.options.host, port: this.options.port },
        { cause: e },
      );
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.log.info({ url: this.url }, 'dashboard listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const [res, s] of this.streams) {
      s.stop();
      res.end();
    }
    this.streams.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = req.socket.remoteAddress ?? 'unknown';
    if (!this.limiter.take(client)) throw new HttpError(429, 'RATE_LIMITED', 'too many requests; slow down');
    await this.refuseBody(req);
    if (req.method !== 'GET') {
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed: the dashboard is read-only`,
      );
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    if (!path.startsWith('/api/')) return this.asset(req, res, path);
    if (path === '/api/v1/overview') return this.json(res, 200, await this.backend.overview());
    if (path === '/api/v1/series') return this.json(res, 200, this.backend.series());
    if (path === '/api/v1/blocks') {
      const before = this.heightParam(url, 'before');
      const limit = Math.min(Number(this.heightParam(url, 'limit') ?? BigInt(DEFAULT_PAGE)), MAX_PAGE);
      const blocks = await this.backend.blocks(before, limit);
      const last = blocks.at(-1);
      return this.json(res, 200, { blocks, next: last && last.height !== '1' ? last.height : null });
    }
    const blockMatch = /^\/api\/v1\/blocks\/(\d{1,20})$/.exec(path);
    if (blockMatch) {
      const height = BigInt(blockMatch[1]!);
      const block = await this.backend.block(height);
      if (!block) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no final block at height ${height}`);
      return this.json(res, 200, block);
    }
    if (path === '/api/v1/validators') return this.json(res, 200, await this.backend.validators());
    if (path === '/api/v1/anchors') return this.json(res, 200, await this.backend.anchors());
    if (path === '/api/v1/evidence') return this.json(res, 200, await this.backend.evidence());
    if (path === '/api/v1/events') return this.events(req, res, client);
    throw new HttpError(404, 'NOT_FOUND', `no route ${path}`);
  }

  /**
   * Nothing here takes a body; one over the ingress's cap is refused (413) before it is buffered, a
   * smaller one is read and dropped so the connection stays usable.
   */
  private refuseBody(req: IncomingMessage): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBody) {
      return Promise.reject(new HttpError(413, 'BODY_TOO_LARGE', `request body over ${this.maxBody} bytes`));
    }
    if (!declared && req.headers['transfer-encoding'] === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBody) {
          req.pause();
          reject(new HttpError(413, 'BODY_TOO_LARGE', `request body over ${this.maxBody} bytes`));
        }
      });
      req.on('end', () => resolve());
      req.on('error', reject);
    });
  }

  private asset(req: IncomingMessage, res: ServerResponse, path: string): void {
    const asset = this.assets.get(path);
    if (!asset) throw new HttpError(404, 'NOT_FOUND', `no file ${path}`);
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': asset.body.length });
    res.end(asset.body);
  }

  private events(req: IncomingMessage, res: ServerResponse, client: string): void {
    const perClient = [...this.streams.values()].filter((s) => s.client === client).length;
    if (
      this.streams.size >= (this.options.maxStreams ?? 64) ||
      perClient >= (this.options.maxStreamsPerClient ?? 4)
    ) {
      throw new HttpError(429, 'TOO_MANY_STREAMS', 'too many open event streams; close one first');
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    const send = (e: DashboardEvent) => {
      if (res.writableLength > MAX_STREAM_BUFFER) {
        close();
        res.destroy();
        return;
      }
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    };
    const unsubscribe = this.backend.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.options.keepAliveMs ?? 15_000);
    const close = () => {
      clearInterval(keepAlive);
      unsubscribe();
      this.streams.delete(res);
    };
    this.streams.set(res, { client, stop: close });
    req.on('close', close);
    res.on('error', close);
    // The current state at once, so a page needs no separate first fetch.
    void Promise.all([this.backend.overview(), this.backend.validators()])
      .then(([overview, validators]) => {
        if (!this.streams.has(res)) return;
        send({ type: 'overview', data: overview });
        send({ type: 'validators', data: validators });
      })
      .catch((err: unknown) => this.log.warn({ err }, 'dashboard stream snapshot failed'));
  }

  private heightParam(url: URL, name: string): bigint | undefined {
    const raw = url.searchParams.get(name);
    if (raw === null) return undefined;
    if (!/^\d{1,20}$/.test(raw))
      throw new HttpError(400, 'BAD_PARAMETER', `${name} must be a non-negative integer`);
    return BigInt(raw);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof HttpError) {
      this.json(res, e.status, { error: { code: e.code, message: e.message } });
      if (e.status === 413) res.once('finish', () => res.socket?.destroy());
      return;
    }
    this.log.error({ err: e }, 'dashboard request failed');
    this.json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
