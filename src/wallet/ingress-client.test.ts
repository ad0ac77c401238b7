import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IngressClient } from './ingress-client.js';

// An ingress that answers the batch route with `results`, whatever it is sent: what the client
// makes of a well-formed answer and of one that does not match its request.
const servers: Server[] = [];
async function ingressAnswering(results: unknown, body: unknown = { results }): Promise<IngressClient> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
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

describe('IngressClient.outputsPage', () => {
  const output = (transaction: unknown) => ({
    outputs: [{ leafIndex: 0, commitment: '7', envelope: null, transaction }],
    next: 1,
  });
  const good = { nullifiers: ['1', '2'], extAmount: '-410', fee: '10', refundOwner: null };

  it("reads a transaction's public spend fields", async () => {
    const client = await ingressAnswering(undefined, output(good));
    expect((await client.outputsPage(0, 1))[0]!.transaction).toEqual({
      nullifiers: [1n, 2n],
      extAmount: -410n,
      fee: 10n,
      refundOwner: undefined,
    });
  });

  it('refuses malformed or non-canonical spend fields with INGRESS_REJECTED', async () => {
    const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
    for (const bad of [
      { ...good, nullifiers: ['1'] },
      { ...good, nullifiers: ['1', p.toString()] },
      { ...good, nullifiers: ['1', '0x2'] },
      { ...good, extAmount: '1e9' },
      { ...good, fee: null },
      { ...good, refundOwner: '-1' },
    ]) {
      const client = await ingressAnswering(undefined, output(bad));
      await expect(client.outputsPage(0, 1)).rejects.toMatchObject({ code: 'INGRESS_REJECTED' });
    }
  });
});
