/**
 * The write pipeline against a real localnet whose transport loses packets: a write that never
 * reached the cluster is signed again once its blockhash expired, and no more than `window` writes
 * are ever unconfirmed at once.
 */
import { createDefaultRpcTransport, generateKeyPairSigner, type RpcTransport } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../common/index.js';
import { Localnet } from '../../localnet/index.js';
import { LAMPORTS_PER_SOL } from '../constants.js';
import { loadParaloomProgram } from '../genesis.js';
import { BridgeRpc } from '../rpc/client.js';
import { ProgramDeployer } from './deployer.js';
import { inspectProgram } from './inspect.js';

const logger = createLogger('test', 'silent');
let net: Localnet;

beforeAll(async () => {
  // 10 ms slots: a blockhash expires 150 slots (1.5 s) after it was issued.
  net = new Localnet({ port: 0, slotMs: 10, logger });
  await net.start();
});
afterAll(async () => {
  await net?.stop();
});

it('resends a dropped write after its blockhash expired, keeping at most `window` writes in flight', async () => {
  const inner = createDefaultRpcTransport({ url: net.rpcUrl });
  const events: string[] = [];
  let dropped = 0;
  const transport = (async (config: Parameters<RpcTransport>[0]) => {
    const payload = config.payload as { method?: string; params?: unknown[] };
    if (payload.method === 'sendTransaction') {
      events.push('send');
      // The fifth transaction sent (a buffer write) is lost on the way, as a UDP packet can be.
      if (events.filter((e) => e === 'send').length === 5) {
        dropped++;
        return { jsonrpc: '2.0', id: (config.payload as { id?: unknown }).id, result: '1'.repeat(64) };
      }
    }
    if (payload.method === 'getSignatureStatuses') events.push('poll');
    return inner(config);
  }) as RpcTransport;
  const rpc = new BridgeRpc({ rpcUrl: net.rpcUrl, transport, registry: new Registry(), logger });
  const payer = await generateKeyPairSigner();
  await rpc.airdrop(payer.address, 2n * LAMPORTS_PER_SOL);
  const elf = loadParaloomProgram();
  const program = await generateKeyPairSigner();
  const r = await new ProgramDeployer(rpc, { payer, window: 4, logger }).deploy({ program, elf });
  expect(dropped).toBe(1);
  // The lost write was sent again (with 10 ms slots a cached blockhash may also expire before a send,
  // which costs a resend too): the pipeline only returns once every write it sent is confirmed.
  expect(r.transactions).toBeGreaterThanOrEqual(r.chunks + 2 + 1);
  expect((await inspectProgram(rpc, program.address, elf)).matchesReference).toBe(true);
  // Between two status polls, never more sends than the window (the create-buffer and deploy sends
  // come through the single-transaction sender, which polls between its own sends).
  let run = 0;
  let longest = 0;
  for (const e of events) {
    run = e === 'send' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  expect(longest).toBeLessThanOrEqual(4);
  expect(longest).toBe(4);
}, 60_000);
