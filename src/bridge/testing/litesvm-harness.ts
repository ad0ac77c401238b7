/**
 * Runs the real Paraloom program (the committed .so) inside LiteSVM, the Agave SVM, for tests and
 * benches. Not a mock: every instruction goes through the loader, the syscalls and the runtime checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  type Address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getAddressEncoder,
  getProgramDerivedAddress,
  getTransactionEncoder,
  type Instruction,
  type KeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { PARALOOM_DEV_PROGRAM_ID, UPGRADEABLE_LOADER_ID } from '../constants.js';
import { type BridgeError, bridgeErrorFromProgramCode } from '../errors.js';
import { deriveProgramAddresses, type ProgramAddresses } from '../pda.js';

/** Solana's packet data size: the largest transaction a cluster accepts. */
export const MAX_TRANSACTION_BYTES = 1232;

export const PROGRAM_SO_PATH = fileURLToPath(
  new URL('../../../programs/paraloom/paraloom.so', import.meta.url),
);

/** A kit signer whose raw seed we keep, so it can also produce Ed25519 signatures over votes and anchors. */
export interface TestKey {
  signer: KeyPairSigner;
  address: Address;
  seed: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
  publicKey: Uint8Array;
}

export async function newTestKey(seed: Uint8Array = ed25519.utils.randomSecretKey()): Promise<TestKey> {
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
  return {
    signer,
    address: signer.address,
    seed,
    publicKey: ed25519.getPublicKey(seed),
    sign: (m) => ed25519.sign(m, seed),
  };
}

export interface TxResult {
  ok: boolean;
  computeUnits: bigint;
  logs: string[];
  /** Wire size of the signed transaction in bytes. */
  size: number;
  /** Typed program error when a Paraloom instruction failed with a custom code. */
  error?: BridgeError;
  /** The runtime's own description when the failure was not a custom program error. */
  runtimeError?: string;
}

export class ProgramHarness {
  private constructor(
    readonly svm: LiteSVM,
    readonly addresses: ProgramAddresses,
    readonly payer: TestKey,
  ) {}

  /**
   * Deploys the program upgradeable (as `solana program deploy` does) with `upgradeAuthority` as its
   * upgrade authority, which is who may initialize it.
   */
  static async create(
    opts: { upgradeAuthority?: Address; programId?: Address; so?: Uint8Array } = {},
  ): Promise<ProgramHarness> {
    const svm = new LiteSVM();
    const programId = opts.programId ?? PARALOOM_DEV_PROGRAM_ID;
    svm.addProgram(programId, opts.so ?? new Uint8Array(readFileSync(PROGRAM_SO_PATH)));
    const payer = await newTestKey();
    svm.airdrop(payer.address, lamports(10_000n * 1_000_000_000n));
    const h = new ProgramHarness(svm, await deriveProgramAddresses(programId), payer);
    if (opts.upgradeAuthority) await h.setUpgradeAuthority(opts.upgradeAuthority);
    return h;
  }

  async programDataAddress(): Promise<Address> {
    const [pd] = await getProgramDerivedAddress({
      programAddress: UPGRADEABLE_LOADER_ID,
      seeds: [getAddressEncoder().encode(this.addresses.programId)],
    });
    return pd;
  }

  /** ProgramData: u32 tag 3 | u64 slot | Option<Pubkey> authority | ELF. */
  async setUpgradeAuthority(authority: Address | null): Promise<void> {
    const pd = await this.programDataAddress();
    const acc = this.svm.getAccount(pd);
    if (!acc.exists) throw new Error('program data account missing');
    const data = new Uint8Array(acc.data);
    data[12] = authority ? 1 : 0;
    data.set(authority ? getAddressEncoder().encode(authority) : new Uint8Array(32), 13);
    this.svm.setAccount({ ...acc, data });
  }

  async fundedKey(sol = 100n): Promise<TestKey> {
    const k = await newTestKey();
    this.fund(k.address, sol);
    return k;
  }

  fund(a: Address, sol: bigint): void {
    const res = this.svm.airdrop(a, lamports(sol * 1_000_000_000n));
    if (res instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${String(res.err())}`);
  }

  balance(a: Address): bigint {
    return this.svm.getBalance(a) ?? 0n;
  }

  accountData(a: Address): Uint8Array | null {
    const acc = this.svm.getAccount(a);
    return acc.exists ? new Uint8Array(acc.data) : null;
  }

  slot(): bigint {
    return this.svm.getClock().slot;
  }

  warpTo(slot: bigint): void {
    this.svm.warpToSlot(slot);
  }

  async send(instructions: Instruction[], feePayer: TestKey = this.payer): Promise<TxResult> {
    // A fresh blockhash per send: LiteSVM refuses a byte-identical transaction twice, and rejection
    // tests deliberately resend the same instruction.
    this.svm.expireBlockhash();
    const msg = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(feePayer.signer, m),
      (m) => this.svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const size = getTransactionEncoder().encode(compileTransaction(msg)).length;
    // LiteSVM does not enforce the network's packet limit; a real cluster drops larger transactions.
    if (size > MAX_TRANSACTION_BYTES) {
      return { ok: false, computeUnits: 0n, logs: [], size, runtimeError: 'transaction too large' };
    }
    const tx = await signTransactionMessageWithSigners(msg);
    const res = this.svm.sendTransaction(tx);
    if (res instanceof FailedTransactionMetadata) {
      const meta = res.meta();
      const err = res.err();
      const out: TxResult = { ok: false, computeUnits: meta.computeUnitsConsumed(), logs: meta.logs(), size };
      const custom = customCode(err);
      if (custom !== undefined) out.error = bridgeErrorFromProgramCode(custom);
      else out.runtimeError = `transaction error ${String(err)}`;
      return out;
    }
    return { ok: true, computeUnits: res.computeUnitsConsumed(), logs: res.logs(), size };
  }
}

function customCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'err' in err && typeof err.err === 'function') {
    const inner: unknown = err.err();
    if (inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'number')
      return inner.code;
  }
  return undefined;
}
