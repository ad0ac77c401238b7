/** A deployed program's two loader accounts read back, and the authority checks every change needs. */
import type { Address } from '@solana/kit';
import { BridgeError } from '../errors.js';
import type { BridgeRpc } from '../rpc/client.js';
import { decodeLoaderState, LOADER_V3_ID } from './loader.js';

export interface DeployedProgram {
  readonly programId: Address;
  readonly programData: Address;
  /** null: immutable. */
  readonly authority: Address | null;
  readonly slot: bigint;
  /** The ELF and its zero padding: max_data_len bytes. */
  readonly bytes: Uint8Array;
}

/** The Program account and its ProgramData at `confirmed`; NOT_A_PROGRAM when either is missing. */
export async function readProgram(rpc: BridgeRpc, programId: Address): Promise<DeployedProgram> {
  const program = await rpc.accountData(programId, 'confirmed');
  const state = program && program.owner === LOADER_V3_ID ? decodeLoaderState(program.data) : undefined;
  if (state?.kind !== 'program') {
    throw new BridgeError('NOT_A_PROGRAM', `${programId} is not an upgradeable-loader program`, {
      address: programId,
      ...(program ? { owner: program.owner } : {}),
    });
  }
  const pd = await rpc.accountData(state.programData, 'confirmed');
  const data = pd && pd.owner === LOADER_V3_ID ? decodeLoaderState(pd.data) : undefined;
  if (data?.kind !== 'programData') {
    throw new BridgeError('NOT_A_PROGRAM', `${programId}: no ProgramData at ${state.programData}`, {
      address: programId,
    });
  }
  return {
    programId,
    programData: state.programData,
    authority: data.authority,
    slot: data.slot,
    bytes: data.bytes,
  };
}

/** PROGRAM_IMMUTABLE when nobody may change the program, AUTHORITY_MISMATCH when `signer` may not. */
export function requireUpgradeAuthority(p: DeployedProgram, signer: Address, action: string): void {
  if (p.authority === null) {
    throw new BridgeError(
      'PROGRAM_IMMUTABLE',
      `program ${p.programId} has no upgrade authority: cannot ${action}`,
      {
        programId: p.programId,
      },
    );
  }
  if (p.authority !== signer) {
    throw new BridgeError(
      'AUTHORITY_MISMATCH',
      `program ${p.programId} has upgrade authority ${p.authority}; ${signer} cannot ${action}`,
      { account: p.programData, authority: p.authority, signer },
    );
  }
}
