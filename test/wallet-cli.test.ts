/**
 * `paraloom wallet` and `paraloom keygen` as a user runs them, on the cohort the multi-process tests
 * share (a localnet and four validators): a new wallet's recovery phrase, the sealed key file and its
 * passphrase, deposits paid by a keypair file or by the localnet faucet (--airdrop), a private
 * transfer, and a restore from the phrase alone after the wallet directory is deleted. The
 * passphrase comes from PARALOOM_WALLET_PASSPHRASE (vitest.config.ts sets one; cases override it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSol, parseSol } from '../src/cli/commands/wallet.js';
import { PARALOOM_BIN as BIN } from '../src/devnet/index.js';
import { run, runOk, until } from './helpers/paraloom-child.js';
import { type SharedCohort, sharedCohort } from './helpers/shared-cohort.js';

let cohort: SharedCohort;
let dir: string;

async function rpc(method: string, params: unknown[]): Promise<Record<string, unknown>> {
  const res = await fetch(cohort.rpcUrl, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as Record<string, unknown>;
}

const lastJson = <T>(r: { stdout: string[] }): T => JSON.parse(r.stdout.at(-1)!) as T;

/** `paraloom <args>` with `input` on its stdin (runParaloom gives its children none). */
function runWithStdin(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The phrase with two words swapped, chosen so that the checksum catches it (most swaps do). */
function mistyped(mnemonic: string): string {
  const words = mnemonic.split(' ');
  for (let i = 1; i < words.length; i++) {
    const w = [...words];
    [w[0], w[i]] = [w[i]!, w[0]!];
    if (w[0] !== words[0] && !validateMnemonic(w.join(' '), wordlist)) return w.join(' ');
  }
  throw new Error('no swap breaks the checksum');
}

interface Balance {
  spendable: string;
  pending: string;
  depositing: string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paraloom-wallet-cli-'));
  cohort = await sharedCohort();
}, 300_000);
afterAll(async () => {
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
  it('creates a wallet with a 24-word phrase and a sealed key file; a wrong or missing passphrase changes nothing', async () => {
    const wallet = join(dir, 'sealed');
    const created = await runOk(['wallet', 'new', '--wallet', wallet, '--json']);
    const { address, mnemonic } = lastJson<{ address: string; mnemonic: string }>(created);
    expect(address).toMatch(/^plm1/);
    expect(mnemonic.split(' ')).toHaveLength(24);
    const keyFile = join(wallet, 'wallet.json');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const sealed = await readFile(keyFile, 'utf8');
    expect(sealed).not.toContain(mnemonic.split(' ').slice(0, 3).join(' '));
    expect(JSON.parse(sealed)).toMatchObject({ format: 'paraloom-wallet/3', address });

    const text = await runOk(['wallet', 'new', '--wallet', join(dir, 'shown')]);
    expect(text.stdout.join('\n')).toMatch(/WRITE THIS DOWN/);
    expect(text.stdout.join('\n')).toMatch(/24\. [a-z]+/);

    const wrong = run(['wallet', 'history', '--wallet', wallet], { PARALOOM_WALLET_PASSPHRASE: 'not it' });
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr.join('\n')).toMatch(/PASSPHRASE_WRONG/);
    const none = run(['wallet', 'history', '--wallet', wallet], { PARALOOM_WALLET_PASSPHRASE: '' });
    expect(await none.exited).toBe(1);
    expect(none.stderr.join('\n')).toMatch(/PASSPHRASE_REQUIRED/);
    expect(await readFile(keyFile, 'utf8')).toBe(sealed);
    // The address needs no passphrase; the history does, and the right one opens it.
    const shown = await runOk(['wallet', 'address', '--wallet', wallet], { PARALOOM_WALLET_PASSPHRASE: '' });
    expect(shown.stdout.at(-1)).toBe(address);
    expect(lastJson(await runOk(['wallet', 'history', '--wallet', wallet, '--json']))).toEqual({
      history: [],
    });

    const again = run(['wallet', 'new', '--wallet', wallet]);
    expect(await again.exited).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/WALLET_FILE_EXISTS/);
    const typo = await runWithStdin(
      ['wallet', 'restore', '--wallet', join(dir, 'typo'), '--ingress', cohort.validators[0]!.ingress],
      mistyped(mnemonic),
    );
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/MNEMONIC_INVALID/);
    await expect(stat(join(dir, 'typo'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('deposits from a keypair file written by paraloom keygen, and shows the pending deposit', async () => {
    const wallet = join(dir, 'w');
    await runOk(['wallet', 'new', '--wallet', wallet, '--json']);
    const payer = join(dir, 'payer.json');
    const made = lastJson<{ path: string; address: string }>(
      await runOk(['keygen', '--out', payer, '--json']),
    );
    expect(made.path).toBe(payer);
    expect((await stat(payer)).mode & 0o777).toBe(0o600);
    const overwrite = run(['keygen', '--out', payer]);
    expect(await overwrite.exited).toBe(1);
    expect(overwrite.stderr.join('\n')).toMatch(/KEY_FILE_EXISTS/);
    await rpc('requestAirdrop', [made.address, 5_000_000_000]);
    await until('the airdrop', async () => {
      const b = (await rpc('getBalance', [made.address])) as { result: { value: number } };
      return b.result.value > 0 ? true : undefined;
    });
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
      cohort.rpcUrl,
      '--json',
    ]);
    const { signature } = lastJson<{ signature: string }>(deposited);
    const status = (await rpc('getSignatureStatuses', [[signature]])) as {
      result: { value: Array<{ err: unknown }> };
    };
    expect(status.result.value[0]!.err).toBeNull();
    const balance = (await rpc('getBalance', [made.address, { commitment: 'processed' }])) as {
      result: { value: number };
    };
    expect(balance.result.value).toBeLessThan(5_000_000_000 - 1_250_000_000);

    const noValidator = run(['wallet', 'balance', '--wallet', wallet, '--ingress', 'http://127.0.0.1:1']);
    expect(await noValidator.exited).toBe(1);
    expect(noValidator.stderr.join('\n')).toMatch(/INGRESS_UNAVAILABLE.*cannot reach the validator/);
  });

  it('restores from the phrase alone after the wallet directories are deleted: same address, balance, deposits and history; discloses a payment; a full viewing key watches it and cannot spend', async () => {
    const ingress = cohort.validators[1]!.ingress;
    const alice = join(dir, 'alice');
    const bob = join(dir, 'bob');
    const birthday = await cohort.height(1);
    const a = lastJson<{ address: string; mnemonic: string }>(
      await runOk(['wallet', 'new', '--wallet', alice, '--json']),
    );
    const b = lastJson<{ address: string; mnemonic: string }>(
      await runOk(['wallet', 'new', '--wallet', bob, '--json']),
    );
    const at = (w: string) => ['--wallet', w, '--ingress', ingress, '--json'];
    const balanceOf = async (w: string) => lastJson<Balance>(await runOk(['wallet', 'balance', ...at(w)]));

    // --airdrop: a fresh payer the localnet faucet funds; refused for a config on another cluster.
    const devnetConfig = join(dir, 'devnet.toml');
    await writeFile(
      devnetConfig,
      '[solana]\ncluster = "devnet"\nprogram_id = "11111111111111111111111111111111"\n',
    );
    const refused = run([
      'wallet',
      'deposit',
      '--airdrop',
      '--amount',
      '1',
      '--config',
      devnetConfig,
      '--rpc',
      cohort.rpcUrl,
      ...at(alice),
    ]);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr.join('\n')).toMatch(/AIRDROP_REFUSED/);
    await runOk(['wallet', 'deposit', '--airdrop', '--amount', '1', '--rpc', cohort.rpcUrl, ...at(alice)]);
    await until(
      'the deposit spendable',
      async () => ((await balanceOf(alice)).spendable === '1000000000' ? true : undefined),
      120_000,
    );

    const { id: transferId } = lastJson<{ id: string }>(
      await runOk(['wallet', 'transfer', '--to', b.address, '--amount', '0.4', ...at(alice)]),
    );
    await until(
      'the transfer final',
      async () => ((await balanceOf(bob)).spendable === '400000000' ? true : undefined),
      120_000,
    );
    await until(
      'the change final',
      async () => ((await balanceOf(alice)).spendable === '600000000' ? true : undefined),
      60_000,
    );

    type History = { history: Array<{ kind: string; amount: string }> };
    const historyOf = async (w: string) =>
      lastJson<History>(await runOk(['wallet', 'history', ...at(w)])).history.map((h) => [h.kind, h.amount]);
    const aliceHistory = await historyOf(alice);
    expect(aliceHistory).toEqual([
      ['deposited', '1000000000'],
      ['sent', '400000000'],
    ]);
    const bobHistory = await historyOf(bob);
    await disclosureOf(transferId, { payer: alice, payee: bob, payeeAddress: b.address, ingress });

    // A watch-only wallet from alice's full viewing key: the same balance and history; it cannot spend.
    const viewingKey = lastJson<{ viewingKey: string }>(
      await runOk(['wallet', 'export-viewing-key', ...at(alice)]),
    ).viewingKey;
    expect(viewingKey).toMatch(/^plmfvk1/);
    const watcher = join(dir, 'alice-watch');
    const watching = lastJson<{ capability: string; spendable: string; depositsMade: number }>(
      await runOk([
        'wallet',
        'new',
        '--view-only',
        viewingKey,
        '--birthday',
        String(birthday),
        '--rpc',
        cohort.rpcUrl,
        ...at(watcher),
      ]),
    );
    expect(watching).toMatchObject({ capability: 'full-view', spendable: '600000000', depositsMade: 1 });
    expect(await historyOf(watcher)).toEqual(aliceHistory);
    const refusedSpend = run(['wallet', 'transfer', '--to', b.address, '--amount', '0.1', ...at(watcher)]);
    expect(await refusedSpend.exited).toBe(1);
    expect(refusedSpend.stderr.join('\n')).toMatch(/VIEW_ONLY/);

    await rm(alice, { recursive: true });
    await rm(bob, { recursive: true });
    const phrase = join(dir, 'alice-phrase.txt');
    await writeFile(phrase, `${a.mnemonic}\n`, { mode: 0o600 });
    const restoredAlice = lastJson<{
      address: string;
      scanFrom: number;
      spendable: string;
      depositsFound: number;
      depositsMade: number;
    }>(
      await runOk([
        'wallet',
        'restore',
        '--mnemonic-file',
        phrase,
        '--birthday',
        String(birthday),
        '--rpc',
        cohort.rpcUrl,
        ...at(alice),
      ]),
    );
    // Its one deposit is found again (spent since), so its next deposit uses number 1.
    expect(restoredAlice).toMatchObject({
      address: a.address,
      spendable: '600000000',
      depositsFound: 1,
      depositsMade: 1,
    });
    const restoredBob = await runWithStdin(
      ['wallet', 'restore', '--rpc', cohort.rpcUrl, ...at(bob)],
      b.mnemonic,
    );
    expect(restoredBob.code, restoredBob.stderr).toBe(0);
    const bobJson = JSON.parse(restoredBob.stdout.trim().split('\n').at(-1)!) as {
      address: string;
      scanFrom: number;
    };
    expect(bobJson).toMatchObject({ address: b.address, scanFrom: 0 });
    expect(await balanceOf(alice)).toEqual({ spendable: '600000000', pending: '0', depositing: '0' });
    expect(await balanceOf(bob)).toEqual({ spendable: '400000000', pending: '0', depositing: '0' });
    expect(await historyOf(alice)).toEqual(aliceHistory);
    expect(await historyOf(bob)).toEqual(bobHistory);
    // A restore never writes over a wallet.
    const twice = await runWithStdin(['wallet', 'restore', '--rpc', cohort.rpcUrl, ...at(bob)], b.mnemonic);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/WALLET_FILE_EXISTS/);
  }, 420_000);
});

/**
 * The payer discloses its final transfer `id` (0.4 SOL to the payee); the payee verifies it on another
 * validator and discloses the same note from its side; tampered copies are refused.
 */
async function disclosureOf(
  id: string,
  o: { payer: string; payee: string; payeeAddress: string; ingress: string },
): Promise<void> {
  const { payer, payee, ingress } = o;
  const b = { address: o.payeeAddress };
  const elsewhere = (cohort.validators[2] ?? cohort.validators[1]!).ingress;
  const at = (w: string) => ['--wallet', w, '--ingress', ingress, '--json'];
  // The history names what to pass: the sent transfer's id, with its payment output's leaf.
  const history = lastJson<{ history: Array<{ kind: string; txId?: string; leafIndex?: number }> }>(
    await runOk(['wallet', 'history', ...at(payer)]),
  );
  const sent = history.history.find((h) => h.kind === 'sent');
  expect(sent).toMatchObject({ txId: id, leafIndex: expect.any(Number) });

  const file = join(dir, 'payment.disclosure.json');
  const written = lastJson<{ file: string; leafIndex: number; direction: string }>(
    await runOk(['wallet', 'disclose', id, '--out', file, ...at(payer)]),
  );
  expect(written).toMatchObject({ file, leafIndex: sent!.leafIndex, direction: 'sent' });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const statement = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(Object.keys(statement).sort()).toEqual(
    [
      'amount',
      'asset',
      'blinding',
      'commitment',
      'direction',
      'format',
      'leafIndex',
      'recipient',
      'txId',
    ].sort(),
  );

  // The recipient checks it against another validator's chain.
  const verified = lastJson<Record<string, unknown>>(
    await runOk(['verify-disclosure', file, '--ingress', elsewhere, '--json']),
  );
  expect(verified).toMatchObject({
    verified: true,
    direction: 'sent',
    amount: '400000000',
    amountSol: '0.4',
    asset: '0',
    recipient: b.address,
    leafIndex: sent!.leafIndex,
    txId: id,
    rootKind: 'current',
  });
  // The recipient's own disclosure of the note it received is the same note.
  const own = await runOk([
    'wallet',
    'disclose',
    String(sent!.leafIndex),
    '--wallet',
    payee,
    '--ingress',
    ingress,
  ]);
  expect(JSON.parse(own.stdout.join('\n'))).toMatchObject({
    direction: 'received',
    commitment: statement.commitment,
    recipient: b.address,
    amount: '400000000',
  });

  const tampered = join(dir, 'tampered.disclosure.json');
  await writeFile(tampered, JSON.stringify({ ...statement, amount: '3000000000' }));
  const refused = run(['verify-disclosure', tampered, '--ingress', elsewhere, '--json']);
  expect(await refused.exited).toBe(1);
  expect(JSON.parse(refused.stdout.at(-1)!)).toMatchObject({
    verified: false,
    code: 'DISCLOSURE_MISMATCH',
    context: { check: 'opening' },
  });
  await writeFile(tampered, JSON.stringify({ ...statement, format: 'paraloom-disclosure/0' }));
  const malformed = run(['verify-disclosure', tampered, '--ingress', elsewhere]);
  expect(await malformed.exited).toBe(1);
  expect(malformed.stderr.join('\n')).toMatch(/DISCLOSURE_INVALID/);
}
