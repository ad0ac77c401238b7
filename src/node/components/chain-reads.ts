import { getAddressDecoder } from '@solana/kit';
import type { NodeConfig } from '../../config/index.js';
import { ValidatorChainReader } from '../../validator/index.js';
import type { BridgeComponent } from './bridge.js';

/**
 * The chain reads genesis discovery needs. Whether the cohort has anchored comes from the node's
 * chain view (read fresh: a node deciding how to join must not act on a stale round). Whether a
 * genesis member holds a ValidatorAccount is a one-shot read per member: the view lists only the
 * registry's active validators, and a genesis member may have unbonded since block 1.
 */
export function genesisChainReads(
  bridge: Pick<BridgeComponent, 'rpc' | 'programId' | 'chain'>,
  commitment: NodeConfig['solana']['commitment'],
): {
  isRegistered: (publicKey: Uint8Array) => Promise<boolean>;
  anchorCount: () => Promise<bigint>;
} {
  const reader = new ValidatorChainReader(bridge.rpc, bridge.programId, commitment);
  const decoder = getAddressDecoder();
  return {
    isRegistered: async (key) => (await reader.account(decoder.decode(key))) !== undefined,
    anchorCount: async () => (await bridge.chain.refresh()).state?.anchorCount ?? 0n,
  };
}
