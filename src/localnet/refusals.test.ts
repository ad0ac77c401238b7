import { ed25519 } from '@noble/curves/ed25519.js';
import {
  address,
  appendTransactionMessageInstructions,
  type Blockhash,
  createSolanaRpc,
  createTransactionMessage,
  generateKeyPairSigner,
  getAddressEncoder,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getSignatureFromTransaction,
  getTransactionEncoder,
  type Instruction,
  isSolanaError,
  type KeyPairSigner,
  lamports,
  pipe,
  type Rpc,
  SOLANA_ERROR__JSON_RPC__INVALID_PARAMS,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT,
  type SolanaRpcApi,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  Connection,
  type ParsedInstruction,
  PublicKey,
  SendTransactionError,
  VersionedTransaction,
} from '@solana/web3.js';
import { getCreateAccountInstruction, getTransferSolInstruction } from '@solana-program/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Localnet } from './index.js';

// Each refusal a real cluster makes, sent through @solana/kit and @solana/web3.js 1.x, as a
// Solana app would; the answers must be the ones an Agave RPC gives. Slots move only by tick().

const TX_TYPE = 'solana_transaction::versioned::VersionedTransaction';
const COMPUTE_BUDGET = address('ComputeBudget111111111111111111111111111111');
const ED25519_PROGRAM = address('Ed25519SigVerify111111111111111111111111111');
const RENT_EXEMPT_EMPTY = 890_880n;
const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
const ASSOCIATED_TOKEN_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');

let net: Localnet;
let rpc: Rpc<SolanaRpcApi>;
let web3: Connection;
let payer: KeyPairSigner;

beforeAll(async () => {
  net = new Localnet({ port: 0, slotMs: 3_600_000, confirmedLag: 1, finalizedLag: 3 });
  await net.start();
  rpc = createSolanaRpc(net.rpcUrl);
  web3 = new Connection(net.rpcUrl, { commitment: 'confirmed', wsEndpoint: net.wsUrl });
  payer = await funded(100_000_000_000n);
});
afterAll(async () => {
  // web3.js reconnects its websocket forever once the localnet is gone; in a vitest fork that later
  // files share (isolate: false) it would go on trying. Stop it for good before the localnet stops.
  const ws = (web3 as unknown as { _rpcWebSocket?: { setAutoReconnect(on: boolean): void; close(): void } })
    ._rpcWebSocket;
  ws?.setAutoReconnect(false);
  ws?.close();
  await net.stop();
});

async function funded(amount: bigint): Promise<KeyPairSigner> {
  const signer = await generateKeyPairSigner();
  await rpc.requestAirdrop(signer.address, lamports(amount)).send();
  return signer;
}

async function balance(who: string): Promise<bigint> {
  return (await rpc.getBalance(address(who), { commitment: 'processed' }).send()).value;
}

function ticks(n: number): void {
  for (let i = 0; i < n; i++) net.tick();
}

interface Built {
  readonly wire: Uint8Array;
  readonly base64: string;
  readonly signature: string;
  readonly messageBase64: string;
}

async function build(
  instructions: Instruction[],
  options: {
    feePayer?: KeyPairSigner;
    blockhash?: { blockhash: Blockhash; lastValidBlockHeight: bigint };
  } = {},
): Promise<Built> {
  const lifetime =
    // the RPC's default commitment (finalized), so the default preflight bank knows the blockhash
    options.blockhash ?? (await rpc.getLatestBlockhash().send()).value;
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(options.feePayer ?? payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const tx = await signTransactionMessageWithSigners(message);
  return {
    wire: new Uint8Array(getTransactionEncoder().encode(tx)),
    base64: getBase64EncodedWireTransaction(tx),
    signature: getSignatureFromTransaction(tx),
    messageBase64: getBase64Decoder().decode(tx.messageBytes),
  };
}

async function transfer(to: string, amount: bigint, source = payer): Promise<Instruction> {
  return getTransferSolInstruction({ source, destination: address(to), amount });
}

function computeUnitLimit(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = 2;
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET, data };
}

function computeUnitPrice(microLamports: bigint): Instruction {
  const data = new Uint8Array(9);
  data[0] = 3;
  new DataView(data.buffer).setBigUint64(1, microLamports, true);
  return { programAddress: COMPUTE_BUDGET, data };
}

/** An Ed25519-program instruction verifying `count` signatures, each over `messageLength` bytes. */
function ed25519Instruction(count: number, messageLength: number): Instruction {
  const offsetsEnd = 2 + 14 * count;
  const entry = 32 + 64 + messageLength;
  const data = new Uint8Array(offsetsEnd + entry * count);
  const view = new DataView(data.buffer);
  data[0] = count;
  for (let i = 0; i < count; i++) {
    const secret = ed25519.utils.randomSecretKey();
    const message = new Uint8Array(messageLength).fill(i + 1);
    const base = offsetsEnd + entry * i;
    data.set(ed25519.getPublicKey(secret), base);
    data.set(ed25519.sign(message, secret), base + 32);
    data.set(message, base + 96);
    const at = 2 + 14 * i;
    for (const [k, v] of [base + 32, 0xffff, base, 0xffff, base + 96, messageLength, 0xffff].entries())
      view.setUint16(at + 2 * k, v, true);
  }
  return { programAddress: ED25519_PROGRAM, data };
}

/** A valid, landing transfer padded (through a signed Ed25519 message) to exactly `size` bytes. */
async function transferOfSize(size: number, to: string): Promise<Built> {
  let messageLength = 100;
  for (;;) {
    const built = await build([await transfer(to, 1n), ed25519Instruction(1, messageLength)]);
    if (built.wire.length === size) return built;
    messageLength += size - built.wire.length;
  }
}

async function sendWeb3(wire: Uint8Array, skipPreflight = false): Promise<string> {
  return web3.sendRawTransaction(wire, { skipPreflight, preflightCommitment: 'processed' });
}

async function web3Refusal(promise: Promise<unknown>): Promise<SendTransactionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendTransactionError);
  return error as SendTransactionError;
}

async function kitRefusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the localnet accepted what a cluster refuses'),
    (e: unknown) => e,
  );
}

describe('localnet refuses what a cluster refuses, with the RPC answers', () => {
  it('refuses a transaction over 1,232 bytes with -32602 and lands one of exactly 1,232', async () => {
    const recipient = (await funded(1_000_000_000n)).address;
    const overByOne = await transferOfSize(1233, recipient);
    const decodedTooLarge = `decoded ${TX_TYPE} too large: 1233 bytes (max: 1232 bytes)`;
    for (const call of [
      rpc.sendTransaction(overByOne.base64 as never, { encoding: 'base64' }).send(),
      rpc.simulateTransaction(overByOne.base64 as never, { encoding: 'base64' }).send(),
    ]) {
      const e = await kitRefusal(call);
      expect(isSolanaError(e, SOLANA_ERROR__JSON_RPC__INVALID_PARAMS)).toBe(true);
      expect((e as { context: { __serverMessage: string } }).context.__serverMessage).toBe(decodedTooLarge);
    }
    const web3Error = await web3Refusal(sendWeb3(overByOne.wire));
    expect(web3Error.transactionError.message).toBe(decodedTooLarge);

    const far = await transferOfSize(1300, recipient);
    const encodedLength = far.base64.length;
    const web3Far = await web3Refusal(sendWeb3(far.wire, true));
    expect(web3Far.transactionError.message).toBe(
      `base64 encoded ${TX_TYPE} too large: ${encodedLength} bytes (max: encoded/raw 1644/1232)`,
    );
    const base58 = await fetch(net.rpcUrl, {
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sendTransaction',
        params: [new PublicKey(far.wire.subarray(0, 32)).toBase58().repeat(60)],
      }),
    });
    expect(((await base58.json()) as { error: { code: number; message: string } }).error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(
        new RegExp(`^base58 encoded ${TX_TYPE} too large: \\d+ bytes \\(max: encoded/raw 1683/1232\\)$`),
      ),
    });
    expect(await balance(recipient)).toBe(1_000_000_000n);

    const exact = await transferOfSize(1232, recipient);
    const signature = await rpc.sendTransaction(exact.base64 as never, { encoding: 'base64' }).send();
    expect(signature).toBe(exact.signature);
    expect(await balance(recipient)).toBe(1_000_000_001n);
  });

  it('ages blockhashes as Agave: preflight at 144 blocks, landing and isBlockhashValid at 150', async () => {
    const recipient = (await funded(1_000_000_000n)).address;
    ticks(4);
    const latest = (await rpc.getLatestBlockhash({ commitment: 'processed' }).send()).value;
    const height = await rpc.getBlockHeight({ commitment: 'processed' }).send();
    expect(latest.lastValidBlockHeight).toBe(height + 150n);
    const web3Latest = await web3.getLatestBlockhash('processed');
    expect(web3Latest).toEqual({
      blockhash: latest.blockhash,
      lastValidBlockHeight: Number(latest.lastValidBlockHeight),
    });
    // the finalized bank is older: its blockhash, and a transaction landing until its height + 150
    const finalized = (await rpc.getLatestBlockhash({ commitment: 'finalized' }).send()).value;
    const finalizedHeight = await rpc.getBlockHeight({ commitment: 'finalized' }).send();
    expect(finalized.lastValidBlockHeight).toBe(finalizedHeight + 150n);
    expect(finalized.blockhash).not.toBe(latest.blockhash);
    // a processed blockhash is unknown to the finalized bank the default preflight uses
    expect((await rpc.isBlockhashValid(latest.blockhash, { commitment: 'finalized' }).send()).value).toBe(
      false,
    );
    const early = await build([await transfer(recipient, 3n)], { blockhash: latest });
    const unknown = await kitRefusal(
      rpc.sendTransaction(early.base64 as never, { encoding: 'base64' }).send(),
    );
    expect(
      isSolanaError((unknown as Error).cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND),
    ).toBe(true);
    await rpc
      .sendTransaction(early.base64 as never, { encoding: 'base64', preflightCommitment: 'processed' })
      .send();
    expect(await balance(recipient)).toBe(1_000_000_003n);

    const first = await build([await transfer(recipient, 7n)], { blockhash: latest });
    const second = await build([await transfer(recipient, 11n)], { blockhash: latest });

    ticks(145);
    expect((await rpc.isBlockhashValid(latest.blockhash, { commitment: 'processed' }).send()).value).toBe(
      true,
    );
    const e = await kitRefusal(
      rpc
        .sendTransaction(first.base64 as never, { encoding: 'base64', preflightCommitment: 'processed' })
        .send(),
    );
    expect(isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)).toBe(
      true,
    );
    expect(isSolanaError((e as Error).cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)).toBe(
      true,
    );
    const web3Error = await web3Refusal(sendWeb3(first.wire));
    expect(web3Error.transactionError.message).toBe('Transaction simulation failed: Blockhash not found');
    const simulated = await web3.simulateTransaction(VersionedTransaction.deserialize(first.wire), {
      commitment: 'processed',
    });
    expect(simulated.value.err).toBe('BlockhashNotFound');
    // a leader still lands it: its blockhash is within 150 blocks
    expect(await sendWeb3(first.wire, true)).toBe(first.signature);
    expect(await balance(recipient)).toBe(1_000_000_010n);

    ticks(150 - 145);
    expect(await rpc.getBlockHeight({ commitment: 'processed' }).send()).toBe(latest.lastValidBlockHeight);
    expect((await rpc.isBlockhashValid(latest.blockhash, { commitment: 'processed' }).send()).value).toBe(
      true,
    );
    net.tick();
    expect((await rpc.isBlockhashValid(latest.blockhash, { commitment: 'processed' }).send()).value).toBe(
      false,
    );
    expect((await web3.isBlockhashValid(latest.blockhash, { commitment: 'processed' })).value).toBe(false);
    // skipPreflight answers the signature, as a real RPC does, and the transaction never lands
    expect(
      await rpc.sendTransaction(second.base64 as never, { encoding: 'base64', skipPreflight: true }).send(),
    ).toBe(second.signature);
    ticks(4);
    expect((await rpc.getSignatureStatuses([second.signature as never]).send()).value[0]).toBeNull();
    expect(await balance(recipient)).toBe(1_000_000_010n);

    const kitSim = await rpc
      .simulateTransaction(second.base64 as never, { encoding: 'base64', commitment: 'processed' })
      .send();
    expect(kitSim.value.err).toBe('BlockhashNotFound');
    const replaced = await rpc
      .simulateTransaction(second.base64 as never, {
        encoding: 'base64',
        commitment: 'processed',
        replaceRecentBlockhash: true,
      })
      .send();
    expect(replaced.value.err).toBeNull();
    const now = (await rpc.getLatestBlockhash({ commitment: 'processed' }).send()).value;
    expect(replaced.value.replacementBlockhash).toEqual(now);
    const conflict = await kitRefusal(
      rpc
        // kit's types forbid this combination; a raw client may still send it
        .simulateTransaction(
          second.base64 as never,
          {
            encoding: 'base64',
            replaceRecentBlockhash: true,
            sigVerify: true,
          } as never,
        )
        .send(),
    );
    expect((conflict as { context: { __serverMessage: string } }).context.__serverMessage).toBe(
      'sigVerify may not be used with replaceRecentBlockhash',
    );
  });

  it('fails a transaction leaving an account below rent exemption with InsufficientFundsForRent', async () => {
    const fresh = (await generateKeyPairSigner()).address;
    const tooLittle = await build([await transfer(fresh, 1_000n)]);
    const e = await kitRefusal(rpc.sendTransaction(tooLittle.base64 as never, { encoding: 'base64' }).send());
    expect(
      isSolanaError((e as Error).cause, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT),
    ).toBe(true);
    expect((e as Error & { cause: { context: { accountIndex: number } } }).cause.context.accountIndex).toBe(
      1,
    );
    const web3Error = await web3Refusal(sendWeb3(tooLittle.wire));
    expect(web3Error.transactionError.message).toBe(
      'Transaction simulation failed: Transaction results in an account (1) with insufficient funds for rent',
    );
    // without preflight it lands, fails, and pays its fee; the account is not created
    const before = await balance(payer.address);
    await sendWeb3(tooLittle.wire, true);
    ticks(2);
    const landed = await web3.getTransaction(tooLittle.signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    expect(landed?.meta?.err).toEqual({ InsufficientFundsForRent: { account_index: 1 } });
    expect(landed?.meta?.fee).toBe(5000);
    expect(await balance(payer.address)).toBe(before - 5000n);
    expect(await balance(fresh)).toBe(0n);

    // an airdrop is sent without preflight, as Agave's faucet path: it lands failed, with a signature
    const dust = await rpc.requestAirdrop(address(fresh), lamports(1_000n)).send();
    const dustStatus = (await rpc.getSignatureStatuses([dust]).send()).value[0];
    expect(dustStatus?.err).toEqual({ InsufficientFundsForRent: { account_index: 1n } });
    expect(await balance(fresh)).toBe(0n);

    // the fee payer itself may not be left below the minimum either
    const small = await funded(RENT_EXEMPT_EMPTY + 100_000n);
    const drain = await build([await transfer(fresh, 100_000n, small)], { feePayer: small });
    const sim = await rpc.simulateTransaction(drain.base64 as never, { encoding: 'base64' }).send();
    expect(sim.value.err).toEqual({ InsufficientFundsForRent: { account_index: 0n } });
    // closing an account to zero is allowed
    const closing = await build([await transfer(payer.address, RENT_EXEMPT_EMPTY + 100_000n, small)]);
    await rpc.sendTransaction(closing.base64 as never, { encoding: 'base64' }).send();
    expect(await balance(small.address)).toBe(0n);
  });

  it('refuses a fee payer that cannot pay with InsufficientFundsForFee and charges nothing', async () => {
    const poor = await funded(1_000_000_000n);
    // 1e12 micro-lamports per unit at 2 x 3,000 default units (two builtin instructions): 6 SOL
    const costly = await build(
      [computeUnitPrice(1_000_000_000_000n), await transfer(payer.address, 1n, poor)],
      {
        feePayer: poor,
      },
    );
    const e = await kitRefusal(rpc.sendTransaction(costly.base64 as never, { encoding: 'base64' }).send());
    expect(
      isSolanaError((e as Error).cause, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE),
    ).toBe(true);
    const web3Error = await web3Refusal(sendWeb3(costly.wire));
    expect(web3Error.transactionError.message).toBe(
      'Transaction simulation failed: Insufficient funds for fee',
    );
    expect(await sendWeb3(costly.wire, true)).toBe(costly.signature);
    ticks(2);
    expect(await web3.getSignatureStatus(costly.signature)).toMatchObject({ value: null });
    expect(await balance(poor.address)).toBe(1_000_000_000n);
  });

  it('refuses a duplicate in preflight and drops a skipPreflight resend, answering its signature', async () => {
    const recipient = (await funded(1_000_000_000n)).address;
    const once = await build([await transfer(recipient, 1_000n)]);
    await rpc.sendTransaction(once.base64 as never, { encoding: 'base64' }).send();
    net.tick();
    const e = await kitRefusal(rpc.sendTransaction(once.base64 as never, { encoding: 'base64' }).send());
    expect(isSolanaError((e as Error).cause, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED)).toBe(true);
    const web3Error = await web3Refusal(sendWeb3(once.wire));
    expect(web3Error.transactionError.message).toBe(
      'Transaction simulation failed: This transaction has already been processed',
    );
    expect(await sendWeb3(once.wire, true)).toBe(once.signature);
    expect(
      await rpc.sendTransaction(once.base64 as never, { encoding: 'base64', skipPreflight: true }).send(),
    ).toBe(once.signature);
    expect(await balance(recipient)).toBe(1_000_001_000n);
    const history = await rpc.getSignaturesForAddress(address(recipient), { commitment: 'confirmed' }).send();
    expect(history.filter((h) => h.signature === once.signature)).toHaveLength(1);
  });

  it('charges signature fees (precompile signatures included) and priority fees; getFeeForMessage agrees', async () => {
    const recipient = (await funded(1_000_000_000n)).address;
    const cases: Array<[string, Instruction[], bigint]> = [
      ['one signature', [], 5_000n],
      // two Ed25519 signatures verified by the precompile count as signatures
      ['ed25519 x2', [ed25519Instruction(2, 8)], 15_000n],
      // default limit: 3,000 per builtin instruction (compute budget, system)
      ['price without limit', [computeUnitPrice(1_000_000n)], 5_000n + 6_000n],
      ['price 3 at 300,001 units', [computeUnitLimit(300_001), computeUnitPrice(3n)], 5_001n],
      // a limit above 1.4M is clamped to 1.4M
      ['limit 2,000,000', [computeUnitLimit(2_000_000), computeUnitPrice(1_000_000n)], 5_000n + 1_400_000n],
    ];
    for (const [label, extra, fee] of cases) {
      const built = await build([...extra, await transfer(recipient, 1n)]);
      expect((await rpc.getFeeForMessage(built.messageBase64 as never).send()).value, label).toBe(fee);
      const message = VersionedTransaction.deserialize(built.wire).message;
      expect((await web3.getFeeForMessage(message, 'processed')).value, label).toBe(Number(fee));
      const before = await balance(payer.address);
      await rpc.sendTransaction(built.base64 as never, { encoding: 'base64' }).send();
      expect(before - (await balance(payer.address)), label).toBe(fee + 1n);
      ticks(2);
      const fetched = await rpc
        .getTransaction(built.signature as never, {
          commitment: 'confirmed',
          encoding: 'json',
          maxSupportedTransactionVersion: 0,
        })
        .send();
      expect(fetched?.meta?.fee, label).toBe(fee);
    }
    // the address lookup table program is a BPF program now: 200,000 default units, as LiteSVM charges
    const lookupTable: Instruction = {
      programAddress: address('AddressLookupTab1e1111111111111111111111111'),
      data: new Uint8Array([255, 255, 255, 255]),
    };
    const failing = await build([computeUnitPrice(1_000_000n), lookupTable, await transfer(recipient, 1n)]);
    const failingFee = 5_000n + 3_000n + 200_000n + 3_000n;
    expect((await rpc.getFeeForMessage(failing.messageBase64 as never).send()).value).toBe(failingFee);
    const beforeFailing = await balance(payer.address);
    await sendWeb3(failing.wire, true);
    expect(beforeFailing - (await balance(payer.address))).toBe(failingFee);

    const expired = await build([await transfer(recipient, 1n)]);
    ticks(301);
    expect((await rpc.getFeeForMessage(expired.messageBase64 as never).send()).value).toBeNull();
  });

  it('answers getTransaction and getParsedTransaction in the shapes web3.js 1.x and kit read', async () => {
    const recipient = (await funded(1_000_000_000n)).address;
    const { blockhash, lastValidBlockHeight } = await web3.getLatestBlockhash('processed');
    const built = await build([await transfer(recipient, 42n)], {
      blockhash: { blockhash: blockhash as Blockhash, lastValidBlockHeight: BigInt(lastValidBlockHeight) },
    });
    const signature = await sendWeb3(built.wire);
    const ticker = setInterval(() => net.tick(), 20);
    try {
      const confirmation = await web3.confirmTransaction(
        { signature, blockhash, lastValidBlockHeight },
        'confirmed',
      );
      expect(confirmation.value.err).toBeNull();
    } finally {
      clearInterval(ticker);
    }
    const tx = await web3.getTransaction(signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    expect(tx?.version).toBe(0);
    expect(tx?.transaction.message.header).toEqual({
      numRequiredSignatures: 1,
      numReadonlySignedAccounts: 0,
      numReadonlyUnsignedAccounts: 1,
    });
    expect(tx?.transaction.message.staticAccountKeys.map((k) => k.toBase58())).toEqual([
      payer.address,
      recipient,
      '11111111111111111111111111111111',
    ]);
    expect(tx?.meta?.computeUnitsConsumed).toBe(150);

    const parsed = await web3.getParsedTransaction(signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    expect(
      parsed?.transaction.message.accountKeys.map((k) => ({ ...k, pubkey: k.pubkey.toBase58() })),
    ).toEqual([
      { pubkey: payer.address, signer: true, writable: true, source: 'transaction' },
      { pubkey: recipient, signer: false, writable: true, source: 'transaction' },
      { pubkey: '11111111111111111111111111111111', signer: false, writable: false, source: 'transaction' },
    ]);
    const instruction = parsed?.transaction.message.instructions[0] as ParsedInstruction;
    expect(instruction.program).toBe('system');
    expect(instruction.parsed).toEqual({
      type: 'transfer',
      info: { source: payer.address, destination: recipient, lamports: 42 },
    });

    const kitTx = await rpc
      .getTransaction(signature as never, {
        commitment: 'confirmed',
        encoding: 'json',
        maxSupportedTransactionVersion: 0,
      })
      .send();
    expect(kitTx?.transaction.message.header).toEqual({
      numRequiredSignatures: 1,
      numReadonlySignedAccounts: 0,
      numReadonlyUnsignedAccounts: 1,
    });
    const kitMessage = kitTx?.transaction.message as { addressTableLookups?: unknown } | undefined;
    expect(kitMessage?.addressTableLookups).toEqual([]);
  });

  it('clamps a 2M compute-unit request to 1.4M; reports inner instructions and post-simulation accounts', async () => {
    // A mint, then its associated token account: the ATA program invokes System and Token (CPI).
    const mint = await generateKeyPairSigner();
    const initializeMint2 = new Uint8Array(35);
    initializeMint2.set([20, 0]);
    initializeMint2.set(getAddressEncoder().encode(payer.address), 2);
    const mintSpace = 82n;
    const mintRent = await rpc.getMinimumBalanceForRentExemption(mintSpace).send();
    // asking for 2,000,000 compute units: the program runs with the 1,400,000 a cluster allows
    const mintTx = await build([
      computeUnitLimit(2_000_000),
      getCreateAccountInstruction({
        payer,
        newAccount: mint,
        lamports: mintRent,
        space: mintSpace,
        programAddress: TOKEN_PROGRAM,
      }),
      {
        programAddress: TOKEN_PROGRAM,
        accounts: [{ address: mint.address, role: 1 }],
        data: initializeMint2,
      },
    ]);
    await rpc.sendTransaction(mintTx.base64 as never, { encoding: 'base64' }).send();
    ticks(2);
    const mintLogs =
      (
        await rpc
          .getTransaction(mintTx.signature as never, {
            commitment: 'confirmed',
            encoding: 'json',
            maxSupportedTransactionVersion: 0,
          })
          .send()
      )?.meta?.logMessages ?? [];
    const budget = mintLogs
      .map((line) => /^Program TokenkegQ\S+ consumed \d+ of (\d+) compute units$/.exec(line)?.[1])
      .find((v) => v !== undefined);
    // 1.4M less what the instructions before it consumed
    expect(Number(budget)).toBeGreaterThan(1_390_000);
    expect(Number(budget)).toBeLessThanOrEqual(1_400_000);
    const [ata] = await getProgramDerivedAddress({
      programAddress: ASSOCIATED_TOKEN_PROGRAM,
      seeds: [
        getAddressEncoder().encode(payer.address),
        getAddressEncoder().encode(TOKEN_PROGRAM),
        getAddressEncoder().encode(mint.address),
      ],
    });
    const createAta: Instruction = {
      programAddress: ASSOCIATED_TOKEN_PROGRAM,
      accounts: [
        { address: payer.address, role: 3, signer: payer } as never,
        { address: ata, role: 1 },
        { address: payer.address, role: 0 },
        { address: mint.address, role: 0 },
        { address: SYSTEM_PROGRAM, role: 0 },
        { address: TOKEN_PROGRAM, role: 0 },
      ],
      data: new Uint8Array([0]),
    };
    const built = await build([createAta]);

    const sim = await rpc
      .simulateTransaction(built.base64 as never, {
        encoding: 'base64',
        innerInstructions: true,
        accounts: { addresses: [ata], encoding: 'base64' },
      })
      .send();
    expect(sim.value.err).toBeNull();
    expect(sim.value.accounts?.[0]?.owner).toBe(TOKEN_PROGRAM);
    expect(sim.value.accounts?.[0]?.space).toBe(165n);
    const simulatedInner = sim.value.innerInstructions?.[0];
    expect(simulatedInner?.index).toBe(0);
    // simulate answers inner instructions parsed (jsonParsed), as Agave does
    const simulatedPrograms = simulatedInner?.instructions.map(
      (ix) => (ix as { programId?: string }).programId,
    );
    expect(simulatedPrograms).toContain(SYSTEM_PROGRAM);
    expect(await balance(ata)).toBe(0n);

    await rpc.sendTransaction(built.base64 as never, { encoding: 'base64' }).send();
    ticks(2);
    const json = await rpc
      .getTransaction(built.signature as never, {
        commitment: 'confirmed',
        encoding: 'json',
        maxSupportedTransactionVersion: 0,
      })
      .send();
    const inner = json?.meta?.innerInstructions?.[0];
    expect(inner?.index).toBe(0);
    const keys = json?.transaction.message.accountKeys ?? [];
    const programs = inner?.instructions.map((ix) => keys[ix.programIdIndex]) ?? [];
    expect(programs).toContain(SYSTEM_PROGRAM);
    expect(programs).toContain(TOKEN_PROGRAM);
    expect(inner?.instructions.every((ix) => ix.stackHeight === 2)).toBe(true);

    const parsed = await web3.getParsedTransaction(built.signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    const created = parsed?.meta?.innerInstructions?.[0]?.instructions.find(
      (ix) => 'parsed' in ix && ix.parsed.type === 'createAccount',
    ) as ParsedInstruction | undefined;
    expect(created?.parsed.info).toMatchObject({ source: payer.address, newAccount: ata, space: 165 });
  });
});
