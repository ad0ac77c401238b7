/** ChainDriver over Solana JSON-RPC (the localnet, in-process or as a child process). */
import {
  type Address,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionEncoder,
  type Instruction,
  lamports,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { BridgeError } from '../errors.js';
import { deriveProgramAddresses, type ProgramAddresses } from '../pda.js';
import type { BridgeRpc } from '../rpc/client.js';
import type { ChainDriver } from './chain-driver.js';
import { newTestKey, type TestKey, type TxResult } from './litesvm-harness.js';

export class RpcDriver implements ChainDriver {
  private constructor(
    readonly rpc: BridgeRpc,
    readonly addresses: ProgramAddresses,
  ) {}

  static async create(rpc: BridgeRpc, programId: Address): Promise<RpcDriver> {
    return new RpcDriver(rpc, await deriveProgramAddresses(programId));
  }

  async fundedKey(sol = 100n): Promise<TestKey> {
    const k = await newTestKey();
    await this.rpc.call('requestAirdrop', (r) => r.requestAirdrop(k.address, lamports(sol * 1_000_000_000n)));
    return k;
  }

  slot(): Promise<bigint> {
    return this.rpc.slot('processed');
  }

  /** Sends with preflight and returns once processed (the localnet executes on receipt). */
  async sendRaw(
    instructions: Instruction[],
    feePayer: TestKey,
  ): Promise<{ signature: Signature; size: number }> {
    const { value: lifetime } = await this.rpc.call('getLatestBlockhash', (r) =>
      r.getLatestBlockhash({ commitment: 'processed' }),
    );
    const tx = await signTransactionMessageWithSigners(
      pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(feePayer.signer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
      ),
    );
    await this.rpc.call('sendTransaction', (r) =>
      r.sendTransaction(getBase64EncodedWireTransaction(tx), {
        encoding: 'base64',
        preflightCommitment: 'processed',
      }),
    );
    return { signature: getSignatureFromTransaction(tx), size: getTransactionEncoder().encode(tx).length };
  }

  async send(instructions: Instruction[], feePayer: TestKey): Promise<TxResult> {
    try {
      const { size } = await this.sendRaw(instructions, feePayer);
      return { ok: true, computeUnits: 0n, logs: [], size };
    } catch (e) {
      if (!(e instanceof BridgeError)) throw e;
      const logs = 'logs' in e.context ? [...(e.context.logs ?? [])] : [];
      return 'programCode' in e.context
        ? { ok: false, computeUnits: 0n, logs, size: 0, error: e }
        : { ok: false, computeUnits: 0n, logs, size: 0, runtimeError: e.message };
    }
  }
}
