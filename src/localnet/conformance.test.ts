import {
  address,
  airdropFactory,
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  fetchEncodedAccount,
  generateKeyPairSigner,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  type KeyPairSigner,
  lamports,
  pipe,
  type Rpc,
  type RpcSubscriptions,
  type SolanaRpcApi,
  type SolanaRpcSubscriptionsApi,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  getCreateAccountInstruction,
  getTransferSolInstruction,
  SYSTEM_PROGRAM_ADDRESS,
} from '@solana-program/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Localnet } from './index.js';

// Uses only @solana/kit's public API against the localnet, as any Solana client would.

let net: Localnet;
let rpc: Rpc<SolanaRpcApi>;
let subs: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
let payer: KeyPairSigner;

beforeAll(async () => {
  net = new Localnet({ port: 0, slotMs: 50, confirmedLag: 1, finalizedLag: 3 });
  await net.start();
  rpc = createSolanaRpc(net.rpcUrl);
  subs = createSolanaRpcSubscriptions(net.wsUrl);
  payer = await generateKeyPairSigner();
  await airdropFactory({ rpc, rpcSubscriptions: subs })({
    recipientAddress: payer.address,
    lamports: lamports(10_000_000_000n),
    commitment: 'confirmed',
  });
});
afterAll(async () => net.stop());

type Confirmable = Parameters<ReturnType<typeof sendAndConfirmTransactionFactory>>[0];
function sendAndConfirm(tx: unknown, config: { commitment: 'confirmed' | 'finalized' }): Promise<void> {
  // the transactions built here carry a blockhash lifetime; kit's types lose it through pipe()
  return sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions: subs })(tx as Confirmable, config);
}

/** A transfer with a `confirmed` blockhash: send it with preflightCommitment confirmed (or lower). */
async function signedTransfer(to: string, amount: bigint) {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) =>
      appendTransactionMessageInstructions(
        [getTransferSolInstruction({ source: payer, destination: address(to), amount })],
        m,
      ),
  );
  return signTransactionMessageWithSigners(message);
}

describe('localnet conformance with @solana/kit', () => {
  it('answers cluster queries', async () => {
    expect(await rpc.getHealth().send()).toBe('ok');
    expect((await rpc.getVersion().send())['solana-core']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof (await rpc.getGenesisHash().send())).toBe('string');
    for (let i = 0; i < 4; i++) net.tick();
    expect(net.chain.slotAt('processed') - net.chain.slotAt('finalized')).toBe(3n);
    const finalized = await rpc.getSlot({ commitment: 'finalized' }).send();
    const slot = await rpc.getSlot({ commitment: 'processed' }).send();
    expect(slot - finalized).toBeGreaterThanOrEqual(3n);
    const epoch = await rpc.getEpochInfo().send();
    expect(epoch.absoluteSlot).toBe(epoch.blockHeight);
    expect(await rpc.getMinimumBalanceForRentExemption(0n).send()).toBe(890880n);
  });

  it('airdrops, transfers and confirms; balances follow', async () => {
    const recipient = await generateKeyPairSigner();
    const tx = await signedTransfer(recipient.address, 1_234_567_000n);
    await sendAndConfirm(tx, { commitment: 'confirmed' });
    expect((await rpc.getBalance(recipient.address, { commitment: 'confirmed' }).send()).value).toBe(
      1_234_567_000n,
    );
    const account = await fetchEncodedAccount(rpc, recipient.address, { commitment: 'confirmed' });
    expect(account.exists && account.programAddress).toBe(SYSTEM_PROGRAM_ADDRESS);
    const signature = getSignatureFromTransaction(tx);
    const statuses = await rpc.getSignatureStatuses([signature]).send();
    expect(statuses.value[0]?.err).toBeNull();
    const history = await rpc.getSignaturesForAddress(recipient.address, { commitment: 'confirmed' }).send();
    expect(history.map((h) => h.signature)).toEqual([signature]);
    const fetched = await rpc
      .getTransaction(signature, {
        commitment: 'confirmed',
        maxSupportedTransactionVersion: 0,
        encoding: 'json',
      })
      .send();
    expect(fetched?.meta?.err).toBeNull();
    expect(
      fetched?.meta?.logMessages?.some((l) => l.includes('11111111111111111111111111111111 success')),
    ).toBe(true);
  });

  it('keeps commitment levels apart: a new transfer is processed before it is finalized', async () => {
    const recipient = await generateKeyPairSigner();
    const tx = await signedTransfer(recipient.address, 5_000_000n);
    const signature = await rpc
      .sendTransaction(getBase64EncodedWireTransaction(tx), {
        encoding: 'base64',
        preflightCommitment: 'confirmed',
      })
      .send();
    expect((await rpc.getBalance(recipient.address, { commitment: 'processed' }).send()).value).toBe(
      5_000_000n,
    );
    expect((await rpc.getBalance(recipient.address, { commitment: 'finalized' }).send()).value).toBe(0n);
    expect(
      await rpc
        .getTransaction(signature, {
          commitment: 'finalized',
          maxSupportedTransactionVersion: 0,
          encoding: 'json',
        })
        .send(),
    ).toBeNull();
    for (let i = 0; i < 4; i++) net.tick();
    expect((await rpc.getBalance(recipient.address, { commitment: 'finalized' }).send()).value).toBe(
      5_000_000n,
    );
    const status = (await rpc.getSignatureStatuses([signature]).send()).value[0];
    expect(status?.confirmationStatus).toBe('finalized');
  });

  it('reports preflight failures with Solana error codes and changes nothing', async () => {
    const poor = await generateKeyPairSigner();
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) =>
        appendTransactionMessageInstructions(
          [getTransferSolInstruction({ source: poor, destination: payer.address, amount: 1n })],
          m,
        ),
    );
    const tx = await signTransactionMessageWithSigners(message);
    const before = (await rpc.getBalance(payer.address, { commitment: 'processed' }).send()).value;
    await expect(
      rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send(),
    ).rejects.toMatchObject({
      context: { __code: -32002 },
    });
    expect((await rpc.getBalance(payer.address, { commitment: 'processed' }).send()).value).toBe(before);
    const res = await fetch(net.rpcUrl, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'noSuchMethod' }),
    });
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32601);
    const bad = await fetch(net.rpcUrl, { method: 'POST', body: '{not json' });
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('filters program accounts by dataSize and memcmp', async () => {
    const owner = (await generateKeyPairSigner()).address;
    const made: string[] = [];
    for (const space of [16n, 40n]) {
      const account = await generateKeyPairSigner();
      const { value: blockhash } = await rpc.getLatestBlockhash().send();
      const message = pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(payer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        (m) =>
          appendTransactionMessageInstructions(
            [
              getCreateAccountInstruction({
                payer,
                newAccount: account,
                lamports: 10_000_000n,
                space,
                programAddress: owner,
              }),
            ],
            m,
          ),
      );
      await sendAndConfirm(await signTransactionMessageWithSigners(message), {
        commitment: 'confirmed',
      });
      made.push(account.address);
    }
    const all = await rpc.getProgramAccounts(owner, { commitment: 'confirmed', encoding: 'base64' }).send();
    expect(all.map((a) => a.pubkey).sort()).toEqual([...made].sort());
    const sized = await rpc
      .getProgramAccounts(owner, {
        commitment: 'confirmed',
        encoding: 'base64',
        filters: [{ dataSize: 40n }],
      })
      .send();
    expect(sized.map((a) => a.pubkey)).toEqual([made[1]]);
    const zero = getBase58Decoder().decode(new Uint8Array(4));
    const matching = await rpc
      .getProgramAccounts(owner, {
        commitment: 'confirmed',
        encoding: 'base64',
        filters: [{ memcmp: { offset: 12n, bytes: zero as never, encoding: 'base58' } }],
      })
      .send();
    expect(matching.length).toBe(2);
    const none = await rpc
      .getProgramAccounts(owner, {
        commitment: 'confirmed',
        encoding: 'base64',
        filters: [{ memcmp: { offset: 0n, bytes: '2' as never, encoding: 'base58' } }],
      })
      .send();
    expect(none.length).toBe(0);
    const many = await rpc
      .getMultipleAccounts([made[0] as never, owner], { encoding: 'base64', commitment: 'confirmed' })
      .send();
    expect(many.value[0]?.data[0]).toBe(Buffer.alloc(16).toString('base64'));
    expect(many.value[1]).toBeNull();
  });

  it('delivers slot, logs and account notifications', async () => {
    const abort = new AbortController();
    const slots = await subs.slotNotifications().subscribe({ abortSignal: abort.signal });
    const first = await slots[Symbol.asyncIterator]().next();
    expect(typeof first.value?.slot).toBe('bigint');
    const recipient = await generateKeyPairSigner();
    const logs = await subs
      .logsNotifications({ mentions: [recipient.address] }, { commitment: 'confirmed' })
      .subscribe({ abortSignal: abort.signal });
    const accounts = await subs
      .accountNotifications(recipient.address, { commitment: 'confirmed', encoding: 'base64' })
      .subscribe({ abortSignal: abort.signal });
    // kit buffers notifications only once a consumer is iterating
    const nextLog = logs[Symbol.asyncIterator]().next();
    const nextAccount = accounts[Symbol.asyncIterator]().next();
    const tx = await signedTransfer(recipient.address, 1_000_000_777n);
    await rpc
      .sendTransaction(getBase64EncodedWireTransaction(tx), {
        encoding: 'base64',
        preflightCommitment: 'confirmed',
      })
      .send();
    const log = await nextLog;
    expect(log.value?.value.signature).toBe(getSignatureFromTransaction(tx));
    const acc = await nextAccount;
    expect(acc.value?.value.lamports).toBe(1_000_000_777n);
    abort.abort();
  });
});
