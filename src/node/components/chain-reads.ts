import { getAddressDecoder } from '@solana/kit';
import { decodeBridgeState, findBridgeStatePda } from '../../bridge/index.js';
import type { NodeConfig } from '../../config/index.js';
import { ValidatorChainReader } from '../../validator/index.js';
import type { BridgeComponent } from './bridge.js';

/**
 * The chain reads genesis discovery needs, over this node's RPC client. Kept apart so one shared
 * chain view (src/bridge) can take their place without touching the consensus wiring.
 */
export function genesisChainReads(
  bridge: Pick<BridgeComponent, 'rpc' | 'programId'>,
  commitment: NodeConfig['solana']['commitment'],
): {
  isRegistered: (publicKey: Uint8Array) => Promise<boolean>;
  anchorCount: () => Promise<bigint>;
} {
  const reader = new ValidatorChainReader(bridge.rpc, bridge.programId, commitment);
  const decoder = getAddressDecoder();
  return {
    isRegistered: async (key) => (await reader.account(decoder.decode(key))) !== undefined,
    anchorCount: async () => {
      const [pda] = await findBridgeStatePda(bridge.programId);
      const account = await bridge.rpc.accountData(pda, commitment);
      return account ? decodeBridgeState(account.data).anchorCount : 0n;
    },
  };
}
