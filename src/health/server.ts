/**
 * The node's health endpoint, on its own port so it can stay on loopback (or a monitoring network)
 * while the P2P port faces the internet:
 *   GET /health   200 while the process serves requests (liveness)
 *   GET /ready    200 when every registered readiness check passes, else 503; JSON either way
 *   GET /metrics  the registry in Prometheus text format
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { HealthError } from './errors.js';
import type { Readiness } from './readiness.js';

export interface HealthServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `port` after start). */
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** Per-check deadline of /ready. Default 2 000 ms. */
  readonly checkTimeoutMs?: number;
  readonly logger?: Logger;
}

export class HealthServer implements Lifecycle {
  readonly name = 'health';
  private server: Server | undefined;
  private readonly logger: Logger;
  private readonly startedAt = Date.now();

  constructor(private readonly options: HealthServerOptions) {
    this.logger = options.logger ?? createLogger('health');
  }

  /** The bound port (the chosen one when configured as 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  get url(): string {
    const h = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${h}:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    // Scrapers hold keep-alive connections; a short timeout lets stop() finish promptly.
    server.keepAliveTimeout = 5_000;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new HealthError(
            'LISTEN_FAILED',
            `health server cannot listen on ${host}:${port} (${err.code ?? err.message})`,
            { host, port, errno: err.code },
            { cause: err },
          ),
        );
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error({ err }, 'health server error'));
    this.server = server;
    this.logger.info({ url: this.url }, 'health server listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.logger.info('health server stopped');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      switch (path) {
        case '/health':
          return sendJson(res, 200, {
            status: 'ok',
            uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
          });
        case '/ready': {
          const report = await this.options.readiness.evaluate(this.options.checkTimeoutMs ?? 2_000);
          return sendJson(res, report.ready ? 200 : 503, report);
        }
        case '/metrics': {
          const { registry } = this.options;
          return send(res, 200, registry.contentType, await registry.metrics());
        }
        default:
          return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /health, /ready or /metrics\n');
      }
    } catch (err) {
      this.logger.error({ err, path }, 'health request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', `${JSON.stringify(body)}\n`);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  // HEAD: same headers, no body.
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
