import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesToHex, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { FIELD_MODULUS, type Field } from '../privacy/index.js';
import type { IngressBackend, SettlementBackend } from './backend.js';
import { type ComputeIngressBackend, computeRoute } from './compute-routes.js';
import { HttpError, IngressError } from './errors.js';
import { INGRESS_LIMITS, RateLimiter } from './rate-limit.js';

export interface IngressOptions {
  readonly host?: string;
  readonly port?: number;
  /** Largest request body accepted (a shielded transaction is 933 bytes, 1,866 as hex). */
  readonly maxBodyBytes?: number;
  /** Largest body of a batch submission (`INGRESS_LIMITS.maxBatchBodyBytes` by default). */
  readonly maxBatchBodyBytes?: number;
  readonly ratePerSecond?: number;
  readonly rateBurst?: number;
  /** Most outputs returned by one /v1/notes call. */
  readonly maxNotesPerPage?: number;
  /** Anchors, withdrawal status and relaying; without it those routes answer 404. */
  readonly settlement?: SettlementBackend;
  /** Compute job submission and status; without it the /v1/compute routes answer 404. */
  readonly compute?: ComputeIngressBackend;
  readonly logger?: Logger;
}

/** Most subtree roots one `GET /v1/subtrees` answers. */
export const MAX_SUBTREE_ROOTS = 1024;

/** Most transactions one `POST /v1/transactions/batch` may carry. */
export const MAX_BATCH_TRANSACTIONS = 32;

/** Rejections the mempool names that mean "already known", answered 409 rather than 400. */
const CONFLICT_REASONS = new Set(['DUPLICATE', 'NULLIFIER_CONFLICT', 'NULLIFIER_SPENT']);

/**
 * The validator's public HTTP JSON API (see docs/operations.md): submit a shielded transaction,
 * read roots, Merkle paths and published outputs. Every request is rate limited per client address,
 * bodies are capped before they are buffered, and every error is JSON with a stable code.
 */
export class IngressServer implements Lifecycle {
  readonly name = 'ingress';
  private server: Server | undefined;
  private boundPort = 0;
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private readonly maxBody: number;
  private readonly maxBatchBody: number;
  private readonly maxNotes: number;

  constructor(
    private readonly backend: IngressBackend,
    private readonly options: IngressOptions = {},
  ) {
    this.limiter = new RateLimiter(
      options.ratePerSecond ?? INGRESS_LIMITS.ratePerSecond,
      options.rateBurst ?? INGRESS_LIMITS.rateBurst,
    );
    this.log = options.logger ?? createLogger('ingress');
    this.maxBody = options.maxBodyBytes ?? INGRESS_LIMITS.maxBodyBytes;
    this.maxBatchBody = options.maxBatchBodyBytes ?? INGRESS_LIMITS.maxBatchBodyBytes;
    this.maxNotes = options.maxNotesPerPage ?? 1000;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.server) throw new IngressError('ALREADY_STARTED', 'ingress already started');
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    });
    // Requests Node's HTTP parser refuses never reach handle(): answer them in the documented shape
    // too (Node's default is a bare 400 or 431), then close, since the stream cannot be trusted.
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const [status, reason, code, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'request headers are too large']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request took too long to arrive']
            : [400, 'Bad Request', 'BAD_HTTP', 'the request is not valid HTTP/1.1'];
      const body = JSON.stringify({ error: { code, message } });
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? 9500, this.options.host ?? '127.0.0.1', () => resolve());
      });
    } catch (e) {
      throw new IngressError(
        'LISTEN_FAILED',
        'ingress cannot listen',
        { port: this.options.port },
        { cause: e },
      );
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.log.info({ url: this.url }, 'ingress listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = req.socket.remoteAddress ?? 'unknown';
    if (!this.limiter.take(client)) throw new HttpError(429, 'RATE_LIMITED', 'too many requests; slow down');
    const url = requestUrl(req.url);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /v1/transactions') return this.submit(req, res);
    if (route === 'POST /v1/transactions/batch') return this.submitBatch(req, res, client);
    if (url.pathname.startsWith('/v1/compute/')) {
      return computeRoute(this.options.compute, req, url, res, (r, status, body) =>
        this.json(r, status, body),
      );
    }
    if (req.method !== 'GET')
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
    if (url.pathname === '/v1/status') {
      const s = await this.backend.status();
      return this.json(res, 200, {
        height: s.height.toString(),
        root: s.root.toString(),
        leafCount: s.leafCount,
        mempool: s.mempool,
        solanaSlot: this.options.settlement?.solanaSlot().toString() ?? null,
      });
    }
    if (
      url.pathname.startsWith('/v1/anchors') ||
      url.pathname.startsWith('/v1/withdrawals/') ||
      url.pathname === '/v1/relayer' ||
      url.pathname === '/v1/relayers'
    ) {
      return this.settlementRoute(url, res);
    }
    if (url.pathname === '/v1/roots') {
      const roots = await this.backend.roots();
      return this.json(res, 200, { roots: roots.map(String) });
    }
    const pathMatch = /^\/v1\/paths\/(\d{1,10})$/.exec(url.pathname);
    if (pathMatch) {
      const index = Number(pathMatch[1]);
      const found = await this.backend.path(index);
      if (!found) throw new HttpError(404, 'LEAF_NOT_FOUND', `no leaf at index ${index}`);
      return this.json(res, 200, {
        leafIndex: index,
        root: found.root.toString(),
        siblings: found.path.siblings.map(String),
      });
    }
    const frontierMatch = /^\/v1\/frontier\/(\d{1,10})$/.exec(url.pathname);
    if (frontierMatch) {
      const leafCount = Number(frontierMatch[1]);
      const found = await this.backend.frontier(leafCount);
      if (!found) throw new HttpError(404, 'LEAF_NOT_FOUND', `the tree has fewer than ${leafCount} leaves`);
      return this.json(res, 200, {
        leafCount,
        root: found.root.toString(),
        left: found.left.map((v) => (v === undefined ? null : v.toString())),
      });
    }
    if (url.pathname === '/v1/subtrees') {
      const level = this.intParam(url, 'level', 4);
      const from = this.intParam(url, 'from', 0);
      const count = this.intParam(url, 'count', 1);
      if (level > 32 || count < 1 || count > MAX_SUBTREE_ROOTS) {
        throw new HttpError(400, 'BAD_PARAMETER', `level is at most 32 and count 1 to ${MAX_SUBTREE_ROOTS}`);
      }
      const roots = await this.backend.subtreeRoots(level, from, count);
      if (!roots) throw new HttpError(404, 'LEAF_NOT_FOUND', 'those subtrees are not complete yet');
      return this.json(res, 200, { level, from, roots: roots.map(String) });
    }
    if (url.pathname === '/v1/notes') {
      const from = this.intParam(url, 'from', 0);
      const limit = Math.min(this.intParam(url, 'limit', this.maxNotes), this.maxNotes);
      const outputs = await this.backend.outputs(from, limit);
      return this.json(res, 200, {
        outputs: outputs.map((o) => ({
          leafIndex: o.leafIndex,
          commitment: o.commitment.toString(),
          envelope: o.envelope ? bytesToHex(o.envelope) : null,
          ...(o.transaction
            ? {
                transaction: {
                  nullifiers: o.transaction.nullifiers.map(String),
                  extAmount: o.transaction.extAmount.toString(),
                  fee: o.transaction.fee.toString(),
                  refundOwner: o.transaction.refundOwner?.toString() ?? null,
                },
              }
            : {}),
        })),
        next: outputs.length ? outputs[outputs.length - 1]!.leafIndex + 1 : from,
      });
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
  }

  private async settlementRoute(url: URL, res: ServerResponse): Promise<void> {
    const settlement = this.options.settlement;
    if (!settlement) throw new HttpError(404, 'NOT_FOUND', 'this node does not serve settlement');
    if (url.pathname === '/v1/anchors') {
      const anchors = await settlement.anchors();
      return this.json(res, 200, {
        anchors: anchors.map((a) => ({
          height: a.height.toString(),
          root: a.root.toString(),
          leafCount: a.leafCount?.toString() ?? null,
          withdrawalsRoot: a.withdrawalsRoot.toString(),
          blockHash: bytesToHex(a.blockHash),
        })),
      });
    }
    if (url.pathname === '/v1/relayers') {
      // Floors as this node's chain view read them: what its own admission will check.
      return this.json(res, 200, {
        self: settlement.relayer()?.address ?? null,
        relayers: settlement.relayers().map((r) => ({
          address: r.address,
          fees: r.fees.map((f) => ({ asset: f.asset.toString(), floor: f.floor.toString() })),
        })),
      });
    }
    if (url.pathname === '/v1/relayer') {
      const r = settlement.relayer();
      const own = r && settlement.relayers().find((q) => q.address === r.address);
      const floor = own?.fees.find((f) => f.asset === 0n)?.floor;
      if (!r || floor === undefined) {
        throw new HttpError(404, 'NOT_A_RELAYER', 'this node does not relay SOL withdrawals');
      }
      return this.json(res, 200, { address: r.address, minFeeLamports: floor.toString() });
    }
    const m = /^\/v1\/withdrawals\/(\d{1,78})$/.exec(url.pathname);
    if (!m) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
    const n0 = BigInt(m[1]!);
    if (n0 >= FIELD_MODULUS)
      throw new HttpError(400, 'FIELD_NOT_CANONICAL', 'nullifier must be below the field modulus');
    const w = await settlement.withdrawal(n0 as Field);
    if (!w)
      throw new HttpError(
        404,
        'WITHDRAWAL_NOT_FOUND',
        'no final block holds a withdrawal with this nullifier',
      );
    return this.json(res, 200, {
      state: w.state,
      txId: w.txId,
      height: w.height.toString(),
      amount: w.amount.toString(),
      fee: w.fee.toString(),
      recipient: w.recipient,
      relayer: w.relayer,
      expirationSlot: w.expirationSlot.toString(),
      approval: w.approval
        ? {
            height: w.approval.height.toString(),
            index: w.approval.index,
            siblings: w.approval.siblings.map(String),
          }
        : null,
      signature: w.signature ?? null,
      transaction: w.transaction ? bytesToHex(w.transaction) : null,
    });
  }

  private async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req, this.maxBody);
    let hex: unknown;
    try {
      hex = (JSON.parse(body) as { transaction?: unknown }).transaction;
    } catch {
      throw new HttpError(400, 'BAD_JSON', 'body must be JSON: {"transaction": "<hex>"}');
    }
    const result = await this.backend.submit(transactionBytes(hex));
    if (result.ok) return this.json(res, 202, { id: bytesToHex(result.id), status: 'admitted' });
    const status = CONFLICT_REASONS.has(result.reason) ? 409 : 400;
    throw new HttpError(status, result.reason, result.detail);
  }

  /**
   * Several transactions in one request (a relayer's or a busy wallet's): each is admitted or
   * refused on its own, exactly as one `POST /v1/transactions` would, and the answer lists the
   * outcomes in request order. A request costs its client one rate-limit token per transaction,
   * so batching buys no extra admissions; it saves the per-request HTTP work on both sides.
   */
  private async submitBatch(req: IncomingMessage, res: ServerResponse, client: string): Promise<void> {
    const body = await this.readBody(req, this.maxBatchBody);
    let list: unknown;
    try {
      list = (JSON.parse(body) as { transactions?: unknown }).transactions;
    } catch {
      throw new HttpError(400, 'BAD_JSON', 'body must be JSON: {"transactions": ["<hex>", ...]}');
    }
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_TRANSACTIONS) {
      throw new HttpError(
        400,
        'BAD_BATCH_SIZE',
        `transactions must be an array of 1 to ${MAX_BATCH_TRANSACTIONS} hex strings`,
      );
    }
    // handle() took one token for the request; the others pay for the rest of the batch.
    if (list.length > 1 && !this.limiter.take(client, list.length - 1)) {
      throw new HttpError(429, 'RATE_LIMITED', 'too many transactions; slow down');
    }
    const results = await Promise.all(
      list.map(async (hex: unknown) => {
        let bytes: Uint8Array;
        try {
          bytes = transactionBytes(hex);
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          return { error: { code: e.code, message: e.message } };
        }
        try {
          const result = await this.backend.submit(bytes);
          return result.ok
            ? { id: bytesToHex(result.id), status: 'admitted' }
            : { error: { code: result.reason, message: result.detail } };
        } catch (e) {
          // One failed admission must not hide the others' outcomes (some may be admitted already).
          this.log.error({ err: e }, 'ingress batch item failed');
          return { error: { code: 'INTERNAL', message: 'internal error' } };
        }
      }),
    );
    return this.json(res, 200, { results });
  }

  private readBody(req: IncomingMessage, limit: number): Promise<string> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      return Promise.reject(new HttpError(413, 'BODY_TOO_LARGE', `request body over ${limit} bytes`));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.pause();
          reject(new HttpError(413, 'BODY_TOO_LARGE', `request body over ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private intParam(url: URL, name: string, fallback: number): number {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    if (!/^\d{1,10}$/.test(raw))
      throw new HttpError(400, 'BAD_PARAMETER', `${name} must be a non-negative integer`);
    return Number(raw);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof HttpError) {
      this.json(res, e.status, { error: { code: e.code, message: e.message } });
      if (e.status === 413) res.once('finish', () => res.socket?.destroy());
      return;
    }
    this.log.error({ err: e }, 'ingress request failed');
    if (!res.headersSent) this.json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
  }
}

/** The request target as a URL; a target the URL parser rejects (`//[`) is the client's error, not ours. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://ingress');
  } catch {
    throw new HttpError(400, 'BAD_REQUEST_TARGET', 'the request target is not a valid path');
  }
}

/** A submitted transaction's bytes from its JSON form: a hex string of whole bytes. */
function transactionBytes(hex: unknown): Uint8Array {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})+$/i.test(hex)) {
    throw new HttpError(400, 'BAD_TRANSACTION_ENCODING', 'transaction must be a hex string of whole bytes');
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
