import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IngressClient } from './ingress-client.js';

// An ingress that answers the batch route with `results`, whatever it is sent: what the client
// makes of a well-formed answer and of one that does not match its request.
const servers: Server[] = [];
async function ingressAnswering(results: unknown): Promise<IngressClient> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ results }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new IngressClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const two = [Uint8Array.of(1), Uint8Array.of(2)];

describe('IngressClient.submitMany', () => {
  it('maps each result to a typed outcome, in order', async () => {
    const client = await ingressAnswering([
      { id: 'ab'.repeat(32), status: 'admitted' },
      { error: { code: 'NULLIFIER_SPENT', message: 'spent' } },
    ]);
    expect(await client.submitMany(two)).toEqual([
      { status: 'admitted', id: 'ab'.repeat(32) },
      { status: 'refused', code: 'NULLIFIER_SPENT', message: 'spent' },
    ]);
  });

  it('refuses an answer whose result count does not match the request', async () => {
    for (const results of [[{ id: 'ab', status: 'admitted' }], undefined]) {
      const client = await ingressAnswering(results);
      await expect(client.submitMany(two)).rejects.toMatchObject({
        code: 'INGRESS_REJECTED',
        context: { sent: 2 },
      });
    }
  });
});
