import type { Address, Commitment } from '@solana/kit';
import { type BridgeState, decodeBridgeState } from './accounts.js';
import { PROGRAM_VERSION } from './constants.js';
import { BridgeError } from './errors.js';
import { findBridgeStatePda } from './pda.js';
import type { BridgeRpc } from './rpc/client.js';

/**
 * The program-version handshake: reads BridgeState.program_version and refuses to run against any
 * other version than the one this code was written for, because every account layout, instruction and
 * signed message here assumes it. Also checks the state account is owned by the program (a look-alike
 * account at the address would otherwise pass).
 */
export async function checkProgramVersion(
  rpc: BridgeRpc,
  programId: Address,
  opts: { expected?: number; commitment?: Commitment } = {},
): Promise<BridgeState> {
  const expected = opts.expected ?? PROGRAM_VERSION;
  const [stateAddress] = await findBridgeStatePda(programId);
  const account = await rpc.accountData(stateAddress, opts.commitment ?? 'finalized');
  if (!account || account.owner !== programId) {
    throw new BridgeError(
      'BRIDGE_NOT_INITIALIZED',
      `no Paraloom bridge state at ${stateAddress} for program ${programId}: is the program deployed and initialized on this cluster?`,
      { programId, stateAddress },
    );
  }
  const state = decodeBridgeState(account.data);
  if (state.programVersion !== expected) {
    throw new BridgeError(
      'PROGRAM_VERSION_MISMATCH',
      `Paraloom program ${programId} reports program_version ${state.programVersion}, but this node speaks version ${expected}; refusing to start. Upgrade the node (or point it at a deployment of version ${expected}).`,
      { programId, onChain: state.programVersion, expected },
    );
  }
  return state;
}
