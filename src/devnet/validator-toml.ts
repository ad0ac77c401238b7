/** What differs between the loopback validators this project starts (devnet, tests, benches). */
export interface ValidatorTomlOptions {
  readonly rpcUrl: string;
  /** The program deployed through transactions; absent: the localnet's built-in dev program. */
  readonly programId?: string;
  readonly p2pPort: number;
  /** The address P2P, health and ingress listen on (default 127.0.0.1; a namespace's in fault tests). */
  readonly host?: string;
  /** P2P addresses to announce (and register on chain) instead of the listen address. */
  readonly announce?: readonly string[];
  readonly stopTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly minPeers?: number;
  /**
   * Peer ping and registry re-read periods. Tests keep them short (1 s, 2 s) to see peers and
   * registrations change quickly; a bench passes the node defaults (10 s, 30 s), whose cost is what
   * an operator's node pays.
   */
  readonly pingIntervalMs?: number;
  readonly registryRefreshMs?: number;
  /** Further TOML sections, appended as they are. */
  readonly sections?: string;
}

/**
 * A validator's config file on this machine: data in `data/` beside the file, P2P on the given
 * loopback port, health and ingress on ports the OS picks, the chain's registry as bootstrap list.
 */
export function validatorToml(o: ValidatorTomlOptions): string {
  const host = o.host ?? '127.0.0.1';
  return `[node]
data_dir = "data"
stop_timeout_ms = ${o.stopTimeoutMs ?? 8000}
# Several validators share this machine's cores: one proof-verifier thread each.
verifier_threads = 1

[network]
listen = ["/ip4/${host}/tcp/${o.p2pPort}"]${o.announce?.length ? `\nannounce = ${JSON.stringify(o.announce)}` : ''}
ping_interval_ms = ${o.pingIntervalMs ?? 1000}

[solana]
rpc_url = "${o.rpcUrl}"
${o.programId ? `program_id = "${o.programId}"\n` : ''}
[health]
host = "${host}"
port = 0
min_peers = ${o.minPeers ?? 1}

[ingress]
host = "${host}"
port = 0

[validator]
heartbeat_interval_ms = ${o.heartbeatIntervalMs ?? 500}
registry_refresh_ms = ${o.registryRefreshMs ?? 2000}
${o.sections ?? ''}`;
}
