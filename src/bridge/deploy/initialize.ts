/**
 * After a deploy: initialize (parameters), the verifying key in chunks, its seal. Idempotent: each
 * step is read back from the chain first and skipped when done, so a run cut short is run again.
 */
import type { Address, TransactionSigner } from '@solana/kit';
import { createLogger, type Logger } from '../../common/index.js';
import { decodeVerifyingKeyAccount } from '../accounts.js';
import { BridgeError } from '../errors.js';
import { devVerifyingKeyBody, LOCALNET_INITIALIZE_PARAMS } from '../genesis.js';
import {
  finalizeVerifyingKeyInstruction,
  type InitializeParams,
  initializeInstruction,
  writeVerifyingKeyInstructions,
} from '../instructions.js';
import { deriveProgramAddresses } from '../pda.js';
import type { BridgeRpc } from '../rpc/client.js';
import { TransactionSender } from '../submit/sender.js';
import { loaderErrorOf } from './loader-errors.js';
import { readProgram, requireUpgradeAuthority } from './program-account.js';

/** Bytes of the verifying key per write_verifying_key transaction (the program's default chunk). */
const VK_CHUNK = 768;

export interface InitializeReport {
  readonly programId: Address;
  readonly admin: Address;
  /** Which steps this run did; all false: the bridge was already initialized and sealed. */
  readonly initialized: boolean;
  readonly keyChunksWritten: number;
  readonly finalized: boolean;
  readonly transactions: number;
}

export async function initializeBridge(
  rpc: BridgeRpc,
  o: {
    programId: Address;
    /** Must be the program's upgrade authority: the program lets only its deployer initialize. */
    admin: TransactionSigner;
    params?: InitializeParams;
    /** The verifying key in the program's layout; the committed dev key by default. */
    verifyingKey?: Uint8Array;
    logger?: Logger;
  },
): Promise<InitializeReport> {
  const log = o.logger ?? createLogger('bridge.deploy');
  const programId = o.programId;
  const deployed = await readProgram(rpc, programId);
  requireUpgradeAuthority(deployed, o.admin.address, 'initialize it (only the upgrade authority may)');
  const programData = deployed.programData;
  const sender = new TransactionSender(rpc, {
    feePayer: o.admin,
    commitment: 'confirmed',
    pollMs: 100,
    logger: log,
  });
  let transactions = 0;
  const send = async (ixs: Parameters<TransactionSender['send']>[0], kind: string) => {
    try {
      transactions += (await sender.send(ixs, kind)).attempts;
    } catch (e) {
      throw loaderErrorOf(e) ?? e;
    }
  };
  const p = await deriveProgramAddresses(programId);
  let initialized = false;
  if (!(await rpc.accountData(p.bridgeState, 'confirmed'))) {
    await send(
      [initializeInstruction(p, o.admin, programData, o.params ?? LOCALNET_INITIALIZE_PARAMS)],
      'initialize',
    );
    initialized = true;
  }
  const body = o.verifyingKey ?? (await devVerifyingKeyBody());
  const vkAccount = await rpc.accountData(p.verifyingKey, 'confirmed');
  const vk = vkAccount ? decodeVerifyingKeyAccount(vkAccount.data) : undefined;
  if (!vk || vk.body.length !== body.length) {
    throw new BridgeError(
      'VK_MISMATCH',
      `the verifying key account at ${p.verifyingKey} has no room for this key`,
      {
        programId,
        address: p.verifyingKey,
      },
    );
  }
  const sameBytes = (from: number, to: number) =>
    vk.body.subarray(from, to).every((b, i) => b === body[from + i]);
  if (vk.finalized) {
    if (!sameBytes(0, body.length))
      throw new BridgeError('VK_MISMATCH', `the sealed verifying key of ${programId} is not this key`, {
        programId,
        address: p.verifyingKey,
      });
    return {
      programId,
      admin: o.admin.address,
      initialized,
      keyChunksWritten: 0,
      finalized: false,
      transactions,
    };
  }
  const writes = writeVerifyingKeyInstructions(p, o.admin, body, VK_CHUNK);
  let keyChunksWritten = 0;
  for (const [i, ix] of writes.entries()) {
    if (sameBytes(i * VK_CHUNK, Math.min(body.length, (i + 1) * VK_CHUNK))) continue;
    await send([ix], `write_verifying_key ${i}`);
    keyChunksWritten++;
  }
  await send([finalizeVerifyingKeyInstruction(p, o.admin)], 'finalize_verifying_key');
  log.info({ programId, initialized, keyChunksWritten }, 'bridge initialized');
  return { programId, admin: o.admin.address, initialized, keyChunksWritten, finalized: true, transactions };
}
