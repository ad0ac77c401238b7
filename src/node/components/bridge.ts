import { address } from '@solana/kit';
import { NodeChain } from '../../bridge/index.js';
import { ServiceComponent } from '../service-component.js';
import type { Wiring } from './wiring.js';

export type BridgeComponent = ServiceComponent<NodeChain>;

/**
 * Solana (src/bridge NodeChain): the RPC client on `[solana]`, the program-version handshake before
 * anything else uses the chain, and the node's one ChainView, stopped after every component that
 * reads it. A failed handshake fails start(), so the node stops with the BridgeError's message.
 * Readiness `chain` answers from the view.
 */
export function bridgeComponent(o: Wiring & {}): BridgeComponent {
  const s = o.config.solana;
  return new ServiceComponent({
    name: 'bridge',
    dependsOn: ['storage'],
    readiness: o.readiness,
    readyAs: 'chain',
    ready: (chain) => chain.readiness(),
    make: () =>
      new NodeChain({
        rpcUrl: s.rpcUrl,
        rpcTimeoutMs: s.rpcTimeoutMs,
        programId: address(s.programId),
        expectedProgramVersion: s.expectedProgramVersion,
        commitment: s.commitment,
        cluster: s.cluster,
        refreshMs: s.chainViewRefreshMs,
        registry: o.registry,
        logger: o.logger,
      }),
  });
}
