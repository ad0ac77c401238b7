import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LocalChain } from '../../localnet/index.js';
import { assertLocalnet, LOCALNET_GENESIS_HASH } from './wallet-airdrop.js';

describe('wallet deposit --airdrop guard', () => {
  it("knows the localnet's genesis hash", () => {
    expect(LOCALNET_GENESIS_HASH).toBe(new LocalChain().genesisHash);
  });

  it('refuses a config that names another cluster, and an RPC it cannot ask, before any airdrop', async () => {
    await expect(assertLocalnet('http://127.0.0.1:1', 'devnet')).rejects.toMatchObject({
      code: 'AIRDROP_REFUSED',
      context: { cluster: 'devnet' },
    });
    await expect(assertLocalnet('http://127.0.0.1:1', 'localnet')).rejects.toMatchObject({
      code: 'AIRDROP_REFUSED',
    });
  });

  it("refuses an RPC whose genesis is not our localnet's (here: Solana devnet's)", async () => {
    const devnetGenesis = 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG';
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: devnetGenesis }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(assertLocalnet(url, undefined)).rejects.toMatchObject({
        code: 'AIRDROP_REFUSED',
        context: { rpcUrl: url, genesisHash: devnetGenesis },
      });
    } finally {
      server.close();
    }
  });
});
