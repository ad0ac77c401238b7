/** What is deployed at a program id: its loader accounts, the hash of its bytes, its bridge's version. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Address } from '@solana/kit';
import { decodeBridgeState } from '../accounts.js';
import { findBridgeStatePda } from '../pda.js';
import type { BridgeRpc } from '../rpc/client.js';
import { deployedElf } from './loader.js';
import { readProgram } from './program-account.js';

export interface ProgramInfo {
  readonly programId: Address;
  readonly programData: Address;
  /** null: the program is immutable. */
  readonly authority: Address | null;
  readonly lastDeploySlot: bigint;
  /** Room for the program's bytes (max_data_len). */
  readonly maxDataLen: number;
  /** Length of the deployed ELF (without the zero padding up to max_data_len). */
  readonly elfBytes: number;
  /** sha256 of the deployed ELF, hex. */
  readonly sha256: string;
  /** Whether the deployed ELF is byte for byte the reference (the committed .so), when one is given. */
  readonly matchesReference: boolean | undefined;
  /** BridgeState.program_version; null before initialize. */
  readonly programVersion: number | null;
}

export async function inspectProgram(
  rpc: BridgeRpc,
  programId: Address,
  reference?: Uint8Array,
): Promise<ProgramInfo> {
  const data = await readProgram(rpc, programId);
  const elf = deployedElf(data.bytes);
  const digest = bytesToHex(sha256(elf));
  const [stateAddress] = await findBridgeStatePda(programId);
  const bridge = await rpc.accountData(stateAddress, 'confirmed');
  return {
    programId,
    programData: data.programData,
    authority: data.authority,
    lastDeploySlot: data.slot,
    maxDataLen: data.bytes.length,
    elfBytes: elf.length,
    sha256: digest,
    matchesReference: reference ? digest === bytesToHex(sha256(reference)) : undefined,
    programVersion:
      bridge && bridge.owner === programId ? decodeBridgeState(bridge.data).programVersion : null,
  };
}
