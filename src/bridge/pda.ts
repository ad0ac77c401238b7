import {
  type Address,
  getAddressEncoder,
  getProgramDerivedAddress,
  type ProgramDerivedAddress,
} from '@solana/kit';
import { BridgeError } from './errors.js';

const enc = new TextEncoder();
const addr = getAddressEncoder();

function check32(name: string, bytes: Uint8Array): void {
  if (bytes.length !== 32)
    throw new BridgeError('ARGUMENT_INVALID', `${name} must be 32 bytes`, { length: bytes.length });
}

export const findBridgeStatePda = (programId: Address): Promise<ProgramDerivedAddress> =>
  getProgramDerivedAddress({ programAddress: programId, seeds: [enc.encode('bridge_state')] });

export const findVaultPda = (programId: Address): Promise<ProgramDerivedAddress> =>
  getProgramDerivedAddress({ programAddress: programId, seeds: [enc.encode('vault')] });

export const findValidatorRegistryPda = (programId: Address): Promise<ProgramDerivedAddress> =>
  getProgramDerivedAddress({ programAddress: programId, seeds: [enc.encode('validator_registry')] });

export const findVerifyingKeyPda = (programId: Address): Promise<ProgramDerivedAddress> =>
  getProgramDerivedAddress({ programAddress: programId, seeds: [enc.encode('verifying_key')] });

export const findValidatorPda = (programId: Address, validator: Address): Promise<ProgramDerivedAddress> =>
  getProgramDerivedAddress({
    programAddress: programId,
    seeds: [enc.encode('validator'), addr.encode(validator)],
  });

/** Seeds ["nullifier", n] with n the 32-byte big-endian nullifier. */
export function findNullifierPda(
  programId: Address,
  nullifierBE: Uint8Array,
): Promise<ProgramDerivedAddress> {
  check32('nullifier', nullifierBE);
  return getProgramDerivedAddress({
    programAddress: programId,
    seeds: [enc.encode('nullifier'), nullifierBE],
  });
}

/** Seeds ["slash", validator, height u64 LE | round u32 LE | vote_type u8]. */
export function findSlashRecordPda(
  programId: Address,
  validator: Address,
  heightRoundType: Uint8Array,
): Promise<ProgramDerivedAddress> {
  if (heightRoundType.length !== 13) {
    throw new BridgeError('ARGUMENT_INVALID', 'height|round|type must be 13 bytes', {
      length: heightRoundType.length,
    });
  }
  return getProgramDerivedAddress({
    programAddress: programId,
    seeds: [enc.encode('slash'), addr.encode(validator), heightRoundType],
  });
}

/** Seeds ["approval", height u64 LE]: the Approval an anchor at that height created. */
export function findApprovalPda(programId: Address, height: bigint): Promise<ProgramDerivedAddress> {
  if (height < 0n || height >= 1n << 64n) {
    throw new BridgeError('ARGUMENT_INVALID', 'height must be a u64', { height: `${height}` });
  }
  const le = new Uint8Array(8);
  new DataView(le.buffer).setBigUint64(0, height, true);
  return getProgramDerivedAddress({ programAddress: programId, seeds: [enc.encode('approval'), le] });
}

export interface ProgramAddresses {
  programId: Address;
  bridgeState: Address;
  vault: Address;
  validatorRegistry: Address;
  verifyingKey: Address;
}

export async function deriveProgramAddresses(programId: Address): Promise<ProgramAddresses> {
  const [[bridgeState], [vault], [validatorRegistry], [verifyingKey]] = await Promise.all([
    findBridgeStatePda(programId),
    findVaultPda(programId),
    findValidatorRegistryPda(programId),
    findVerifyingKeyPda(programId),
  ]);
  return { programId, bridgeState, vault, validatorRegistry, verifyingKey };
}
