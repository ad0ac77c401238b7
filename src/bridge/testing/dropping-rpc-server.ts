import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DroppingRpcServer {
  readonly url: string;
  /** Methods of the requests received so far, dropped ones included, in order. */
  readonly received: readonly string[];
  close(): Promise<void>;
}

/**
 * A JSON-RPC endpoint on 127.0.0.1 that closes the connection under the first `drops` requests it
 * receives (what a client sees when it reuses a kept-alive socket the server has just closed) and
 * answers the rest with `result(method)`.
 */
export async function droppingRpcServer(
  drops: number,
  result: (method: string) => unknown,
): Promise<DroppingRpcServer> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      received.push(method);
      if (received.length <= drops) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: result(method) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
