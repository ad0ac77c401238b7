import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { address as toAddress } from '@solana/kit';
import { type WebSocket, WebSocketServer } from 'ws';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { type DroppedTransaction, LocalChain } from './chain.js';
import { LocalnetError, RPC_PARSE_ERROR } from './errors.js';
import { stringifyJson } from './json.js';
import { dispatch, errorResponse, type JsonRpcResponse } from './json-rpc.js';
import { rpcMethods } from './rpc-methods.js';
import { SubscriptionHub } from './subscriptions.js';

export interface LocalnetProgram {
  readonly programId: string;
  readonly bytes: Uint8Array;
}

export interface LocalnetOptions {
  /** Loopback only by default; the localnet has no authentication. */
  readonly host?: string;
  /** 0 picks a free port. Default 8899, as solana-test-validator. */
  readonly port?: number;
  readonly slotMs?: number;
  readonly confirmedLag?: number;
  readonly finalizedLag?: number;
  /** Directory for the ledger snapshot; a restarted localnet keeps its accounts. */
  readonly ledgerDir?: string;
  readonly programs?: readonly LocalnetProgram[];
  /** Accounts funded at genesis (validators' keys, a faucet). */
  readonly genesisAccounts?: ReadonlyArray<{ address: string; lamports: bigint }>;
  readonly logger?: Logger;
}

const MAX_BODY_BYTES = 1 << 20;
const MAX_BATCH = 100;
const SNAPSHOT_FILE = 'ledger.snapshot';
const SNAPSHOT_EVERY_SLOTS = 10n;

/**
 * An embedded Solana: LocalChain behind a Solana JSON-RPC 2.0 server over HTTP and WebSocket
 * (same port). Nodes and wallets talk to it exactly as to a real cluster.
 */
export class Localnet implements Lifecycle {
  readonly chain: LocalChain;
  private readonly log: Logger;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private hub: SubscriptionHub | undefined;
  private timer: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private readonly methods;

  constructor(private readonly options: LocalnetOptions = {}) {
    this.log = options.logger ?? createLogger('localnet');
    let snapshot: Uint8Array | undefined;
    const file = options.ledgerDir ? join(options.ledgerDir, SNAPSHOT_FILE) : undefined;
    if (file && existsSync(file)) {
      try {
        snapshot = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new LocalnetError(
          'SNAPSHOT_UNREADABLE',
          'cannot read the ledger snapshot',
          { file },
          { cause: e },
        );
      }
    }
    try {
      this.chain = new LocalChain({
        ...(options.confirmedLag !== undefined ? { confirmedLag: options.confirmedLag } : {}),
        ...(options.finalizedLag !== undefined ? { finalizedLag: options.finalizedLag } : {}),
        ...(snapshot ? { snapshot } : {}),
      });
    } catch (e) {
      throw new LocalnetError(
        'SNAPSHOT_UNREADABLE',
        'the ledger snapshot is not a LiteSVM snapshot',
        { file },
        { cause: e },
      );
    }
    for (const program of options.programs ?? []) {
      try {
        this.chain.addProgram(toAddress(program.programId), program.bytes);
      } catch (e) {
        throw new LocalnetError(
          'PROGRAM_LOAD_FAILED',
          `cannot load program ${program.programId}`,
          {},
          { cause: e },
        );
      }
    }
    if (!snapshot) {
      for (const account of options.genesisAccounts ?? [])
        this.chain.airdrop(toAddress(account.address), account.lamports);
    }
    this.methods = rpcMethods(this.chain);
    // A leader drops these without an answer; the log is the only place they show.
    this.chain.on('dropped', (dropped: DroppedTransaction) =>
      this.log.info(
        { signature: dropped.signature, reason: dropped.reason },
        'transaction dropped, never landed',
      ),
    );
  }

  get rpcUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  get wsUrl(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.server) throw new LocalnetError('ALREADY_STARTED', 'localnet already started');
    const server = createServer((req, res) => this.onHttp(req, res));
    const wss = new WebSocketServer({ server, maxPayload: MAX_BODY_BYTES });
    this.hub = new SubscriptionHub(this.chain);
    wss.on('connection', (socket) => this.onSocket(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 8899, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.wss = wss;
    this.boundPort = (server.address() as AddressInfo).port;
    const slotMs = this.options.slotMs ?? 400;
    this.timer = setInterval(() => this.tick(), slotMs);
    this.log.info({ rpc: this.rpcUrl, slotMs }, 'localnet started');
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const client of this.wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    this.server = undefined;
    this.wss = undefined;
    this.persist();
    this.log.info({ slot: this.chain.slot.toString() }, 'localnet stopped');
  }

  /** Advances one slot now (tests use this to move commitment levels deterministically). */
  tick(): void {
    this.chain.advanceSlot();
    if (this.chain.slot % SNAPSHOT_EVERY_SLOTS === 0n) this.persist();
  }

  private persist(): void {
    if (!this.options.ledgerDir) return;
    mkdirSync(this.options.ledgerDir, { recursive: true });
    const file = join(this.options.ledgerDir, SNAPSHOT_FILE);
    const tmp = `${file}.tmp`;
    try {
      writeFileSync(tmp, this.chain.snapshot());
      renameSync(tmp, file);
    } catch (e) {
      this.log.error({ err: e, file }, 'failed to write the ledger snapshot');
    }
  }

  private run(request: unknown): JsonRpcResponse {
    return dispatch(this.methods, request, (method, error) =>
      this.log.error({ method, err: error }, 'rpc method failed'),
    );
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/health') {
      reply(200, 'ok', 'text/plain');
      return;
    }
    if (req.method !== 'POST') {
      reply(405, 'Used HTTP Method is not allowed. POST or OPTIONS is required', 'text/plain');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reply(413, 'Payload Too Large', 'text/plain');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(200, stringifyJson(errorResponse(null, RPC_PARSE_ERROR, 'Parse error')));
      }
      if (Array.isArray(body)) {
        if (body.length === 0 || body.length > MAX_BATCH) {
          return reply(200, stringifyJson(errorResponse(null, -32600, 'Invalid request')));
        }
        return reply(200, stringifyJson(body.map((r) => this.run(r))));
      }
      reply(200, stringifyJson(this.run(body)));
    });
  }

  private onSocket(socket: WebSocket): void {
    socket.on('message', (data) => {
      let request: { id?: unknown; method?: unknown; params?: unknown };
      try {
        request = JSON.parse(String(data)) as typeof request;
      } catch {
        socket.send(stringifyJson(errorResponse(null, RPC_PARSE_ERROR, 'Parse error')));
        return;
      }
      const id = (typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null) as
        | number
        | string
        | null;
      const params = Array.isArray(request.params) ? request.params : [];
      try {
        const sub =
          typeof request.method === 'string' ? this.hub!.handle(socket, request.method, params) : undefined;
        if (sub) {
          socket.send(stringifyJson({ jsonrpc: '2.0', id, result: sub.result }));
          sub.after?.();
          return;
        }
      } catch (e) {
        const err = e as { rpcCode?: number; message: string };
        socket.send(stringifyJson(errorResponse(id, err.rpcCode ?? -32603, err.message)));
        return;
      }
      socket.send(stringifyJson(this.run(request)));
    });
    socket.on('close', () => this.hub?.dropSocket(socket));
    socket.on('error', (err) => this.log.warn({ err }, 'websocket error'));
  }
}
