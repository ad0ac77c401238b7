import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSol, parseSol } from '../src/cli/commands/wallet.js';
import { generateKeypair, writeKeypairFile } from '../src/validator/index.js';
import { run, runOk, startLocalnet, stopChild } from './helpers/paraloom-child.js';

let localnet: { child: ChildProcess; rpcUrl: string };
let dir: string;

async function rpc(method: string, params: unknown[]): Promise<Record<string, unknown>> {
  const res = await fetch(localnet.rpcUrl, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paraloom-wallet-cli-'));
  localnet = await startLocalnet(['--slot-ms', '100']);
}, 120_000);
afterAll(async () => {
  if (localnet) await stopChild(localnet.child);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SOL amounts', () => {
  it('parse and print exactly, refusing what is not an amount', () => {
    expect(parseSol('1.5')).toBe(1_500_000_000n);
    expect(parseSol('0.000000001')).toBe(1n);
    expect(parseSol('12')).toBe(12_000_000_000n);
    expect(formatSol(1_500_000_000n)).toBe('1.5');
    expect(formatSol(1n)).toBe('0.000000001');
    for (const bad of ['', '-1', '1.0000000001', 'abc', '1e3']) expect(() => parseSol(bad)).toThrow();
  });
});

describe('paraloom wallet (CLI)', () => {
  it('creates a wallet, prints its address, deposits on Solana and shows the pending deposit', async () => {
    const wallet = join(dir, 'w');
    const created = await runOk(['wallet', 'new', '--wallet', wallet, '--json']);
    const { address } = JSON.parse(created.stdout.at(-1)!) as { address: string };
    expect(address).toMatch(/^plm1/);
    expect((await stat(join(wallet, 'wallet.json'))).mode & 0o777).toBe(0o600);
    const again = run(['wallet', 'new', '--wallet', wallet]);
    expect(await again.exited).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/WALLET_FILE_EXISTS/);
    const shown = await runOk(['wallet', 'address', '--wallet', wallet]);
    expect(shown.stdout.at(-1)).toBe(address);

    const payer = join(dir, 'payer.json');
    const kp = generateKeypair();
    await writeKeypairFile(payer, kp);
    const { address: payerAddress } = await import('@solana/kit').then(async (k) => ({
      address: (await k.createKeyPairSignerFromPrivateKeyBytes(kp.secretKey.slice(0, 32))).address,
    }));
    await rpc('requestAirdrop', [payerAddress, 5_000_000_000]);
    const deposited = await runOk([
      'wallet',
      'deposit',
      '--wallet',
      wallet,
      '--amount',
      '1.25',
      '--payer',
      payer,
      '--rpc',
      localnet.rpcUrl,
      '--json',
    ]);
    const { signature } = JSON.parse(deposited.stdout.at(-1)!) as { signature: string };
    const status = (await rpc('getSignatureStatuses', [[signature]])) as {
      result: { value: Array<{ err: unknown }> };
    };
    expect(status.result.value[0]!.err).toBeNull();
    const balance = (await rpc('getBalance', [payerAddress, { commitment: 'processed' }])) as {
      result: { value: number };
    };
    expect(balance.result.value).toBeLessThan(5_000_000_000 - 1_250_000_000);

    const history = await runOk(['wallet', 'history', '--wallet', wallet, '--json']);
    expect(JSON.parse(history.stdout.at(-1)!)).toEqual({ history: [] });
    const noValidator = run(['wallet', 'balance', '--wallet', wallet, '--ingress', 'http://127.0.0.1:1']);
    expect(await noValidator.exited).toBe(1);
    expect(noValidator.stderr.join('\n')).toMatch(/INGRESS_UNAVAILABLE.*cannot reach the validator/);
  });
});
