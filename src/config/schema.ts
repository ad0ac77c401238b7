/**
 * The config file's format: one zod schema, the single source of every key's type, default and
 * one-line description. `config init`, the environment overrides and the docs test all walk it,
 * so a key added here shows up everywhere at once.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { isAddress } from '@solana/kit';
import { z } from 'zod';
import { PROGRAM_VERSION } from '../bridge/index.js';
import { DEFAULT_SPEND_ROOT_WINDOW_MS } from '../ledger/index.js';
import { NETWORK_DEFAULTS } from '../network/index.js';
import { CLUSTER_NAMES } from './clusters.js';

const U64_MAX = (1n << 64n) - 1n;

const positiveInt = (def: number, what: string) => z.number().int().min(1).default(def).describe(what);
const port = (def: number, what: string) => z.number().int().min(0).max(65_535).default(def).describe(what);

function isMultiaddr(s: string): boolean {
  try {
    multiaddr(s);
    return true;
  } catch {
    return false;
  }
}

const multiaddrString = z.string().refine(isMultiaddr, 'not a valid multiaddr');
const peerMultiaddr = multiaddrString.refine(
  (s) =>
    isMultiaddr(s) &&
    multiaddr(s)
      .getComponents()
      .some((c) => c.name === 'p2p'),
  'must end in /p2p/<peer id>',
);

/** Empty means "what the cluster implies" (see clusters.ts). */
const urlOrEmpty = (protocols: readonly string[]) =>
  z.string().refine(
    (s) => {
      if (s === '') return true;
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `must be empty or a ${protocols.map((p) => p.slice(0, -1)).join('/')} URL`,
  );

/** Host to bind: an IP literal or a name; a URL or host:port is refused early. */
const host = (def: string, what: string) =>
  z
    .string()
    .min(1)
    .refine(
      // One colon is host:port; IPv6 literals have at least two.
      (s) => /^[A-Za-z0-9.:-]+$/.test(s) && (s.match(/:/g)?.length ?? 0) !== 1,
      'must be an IP address or host name, without scheme or port',
    )
    .default(def)
    .describe(what);

const lamports = z
  .union([z.number().int().min(0), z.bigint().min(0n)])
  .transform((v) => BigInt(v))
  .refine((v) => v <= U64_MAX, 'must fit in a u64');

const node = z
  .strictObject({
    data_dir: z
      .string()
      .min(1)
      .default('paraloom-data')
      .describe('Data directory (RocksDB in <data_dir>/db, default key files); relative to the config file'),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level: fatal, error, warn, info, debug, trace or silent'),
    stop_timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(10_000)
      .describe('Deadline for a clean stop after SIGINT/SIGTERM; past it the node exits with status 1'),
    verifier_threads: z
      .number()
      .int()
      .min(0)
      .max(64)
      .default(0)
      .describe(
        'Worker threads verifying proofs; 0: min(2, cores). Several nodes on one machine want 1 each, so consensus keeps a core',
      ),
  })
  .prefault({});

const network = z
  .strictObject({
    listen: z
      .array(multiaddrString)
      .min(1)
      .default([...NETWORK_DEFAULTS.listen])
      .describe('libp2p listen multiaddrs'),
    announce: z
      .array(multiaddrString)
      .default([])
      .describe('Addresses to announce instead of the listen addresses (behind NAT)'),
    bootstrap: z
      .array(peerMultiaddr)
      .default([])
      .describe('Bootstrap peers, multiaddrs ending in /p2p/<peer id>; pinned and redialled forever'),
    identity_file: z
      .string()
      .default('')
      .describe('libp2p identity key (created 0600); empty: <data_dir>/network-identity.key'),
    target_peers: positiveInt(NETWORK_DEFAULTS.targetPeers, 'Dial discovered peers while below this many'),
    max_connections: positiveInt(NETWORK_DEFAULTS.maxConnections, 'Hard connection limit'),
    gossip_mesh_degree: z
      .number()
      .int()
      .min(0)
      .max(32)
      .default(NETWORK_DEFAULTS.gossipMeshDegree)
      .describe(
        'Gossipsub mesh degree D; 0 = no relaying (flood publish, IHAVE repair), for a fully connected cohort',
      ),
    ping_interval_ms: positiveInt(NETWORK_DEFAULTS.pingIntervalMs, 'Ping every connected peer this often'),
    slow_ping_ms: z
      .number()
      .min(0)
      .default(NETWORK_DEFAULTS.slowPingMs)
      .describe('A ping round trip at or above this marks the peer slow'),
    ping_timeout_ms: positiveInt(NETWORK_DEFAULTS.pingTimeoutMs, 'A ping not answered within this fails'),
    max_ping_failures: positiveInt(
      NETWORK_DEFAULTS.maxPingFailures,
      'Failed pings in a row that close the connection',
    ),
    reconnect_base_ms: positiveInt(
      NETWORK_DEFAULTS.reconnectBaseMs,
      'First reconnect delay (doubles per attempt)',
    ),
    reconnect_max_ms: positiveInt(NETWORK_DEFAULTS.reconnectMaxMs, 'Largest reconnect delay'),
    reconnect_max_attempts: positiveInt(
      NETWORK_DEFAULTS.reconnectMaxAttempts,
      'Reconnect attempts to a lost peer that is not pinned',
    ),
    request_timeout_ms: positiveInt(
      NETWORK_DEFAULTS.requestTimeoutMs,
      'Deadline of one request-response exchange',
    ),
    discovery_interval_ms: positiveInt(
      NETWORK_DEFAULTS.discoveryIntervalMs,
      'Interval of the DHT self-lookup',
    ),
    allow_private_addresses: z
      .boolean()
      .default(NETWORK_DEFAULTS.allowPrivateAddresses)
      .describe('Keep private/loopback addresses in DHT answers (false on the public internet)'),
  })
  .prefault({});

const solana = z
  .strictObject({
    cluster: z
      .enum(CLUSTER_NAMES)
      .default('localnet')
      .describe(
        'Solana cluster: localnet, devnet, testnet or mainnet-beta (sets the defaults below and the cluster tag)',
      ),
    rpc_url: urlOrEmpty(['http:', 'https:']).default('').describe('JSON-RPC URL; empty: the cluster default'),
    ws_url: urlOrEmpty(['ws:', 'wss:']).default('').describe('WebSocket URL; empty: the cluster default'),
    program_id: z
      .string()
      .refine((s) => s === '' || isAddress(s), 'must be empty or a base58 Solana address')
      .default('')
      .describe('Paraloom program id; empty: the localnet dev program (required on other clusters)'),
    commitment: z
      .enum(['processed', 'confirmed', 'finalized'])
      .default('confirmed')
      .describe('Commitment for reads and transaction confirmation (deposits are always read finalized)'),
    rpc_timeout_ms: positiveInt(10_000, 'Deadline of one Solana RPC call'),
    chain_view_refresh_ms: positiveInt(
      1_000,
      'Pause between two reads of the chain view (bridge state, validator registry, slot) every component of the node shares',
    ),
    expected_program_version: z
      .number()
      .int()
      .min(0)
      .default(PROGRAM_VERSION)
      .describe(
        `Program version the node requires at startup (the handshake); this build speaks ${PROGRAM_VERSION} only`,
      ),
  })
  .prefault({});

const validator = z
  .strictObject({
    key_file: z
      .string()
      .default('')
      .describe('Validator keypair, Solana JSON format, mode 0600; empty: <data_dir>/validator-keypair.json'),
    stake_lamports: lamports
      .default(1_000_000_000n)
      .describe('Stake to lock at registration, in lamports (1 SOL = 1000000000)'),
    coordinator_candidate: z
      .boolean()
      .default(false)
      .describe('Stand for election as the coordinator (anchors roots, relays withdrawals)'),
    coordinator_priority: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(0)
      .describe('Election priority among candidates; higher is preferred'),
    heartbeat_interval_ms: positiveInt(5_000, 'Send a signed heartbeat on the network this often'),
    registry_refresh_ms: positiveInt(
      30_000,
      'Ignored (kept so older config files still load): the validator registry is read with the chain view, every solana.chain_view_refresh_ms',
    ),
  })
  .prefault({});

const health = z
  .strictObject({
    host: host(
      '127.0.0.1',
      'Bind address of /health, /ready and /metrics (loopback unless exposed on purpose)',
    ),
    port: port(9300, 'Port of /health, /ready and /metrics (0: any free port)'),
    min_peers: z.number().int().min(0).default(1).describe('/ready needs at least this many connected peers'),
    check_timeout_ms: positiveInt(2_000, 'A readiness check that takes longer counts as failed'),
  })
  .prefault({});

const ingress = z
  .strictObject({
    host: host('127.0.0.1', 'Bind address of the transaction ingress (wallets submit here)'),
    port: port(9500, 'Port of the transaction ingress (0: any free port)'),
  })
  .prefault({});

const consensus = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Take part in L2 consensus (needs a registered validator key)'),
    min_validators: positiveInt(
      1,
      'Wait until the on-chain registry lists at least this many active validators before the first height',
    ),
    wait_validators_ms: positiveInt(
      120_000,
      'Give up starting when the registry has too few validators this long',
    ),
    block_interval_ms: z
      .number()
      .int()
      .min(0)
      .max(5_000)
      .default(0)
      .describe(
        'Least time between a commit and the next proposal while there is work to include (0: propose as soon as verified work exists; blocks still grow under load, since what arrives during a height goes into the next)',
      ),
    idle_block_ms: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(600)
      .describe(
        'With nothing to include, the leader waits this long after a commit before an empty block (round 0 propose timeouts grow by it: a crashed leader costs this much more)',
      ),
    epoch_blocks: z
      .number()
      .int()
      .min(4)
      .max(1_000_000)
      .default(100)
      .describe(
        'Blocks per validator-set epoch: every multiple carries the registry set, deciding two heights later (the whole cohort must agree on it)',
      ),
  })
  .prefault({});

const ledger = z
  .strictObject({
    spend_root_window_ms: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(DEFAULT_SPEND_ROOT_WINDOW_MS)
      .describe(
        'An L2 transfer may spend from any root the commitment tree had after a block timestamped at most this long before its own block, besides the last 64 roots (0: the last 64 only). The whole cohort must agree on it',
      ),
  })
  .prefault({});

const sync = z
  .strictObject({
    snapshot_threshold_blocks: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .default(10_000)
      .describe(
        'A node starting with an empty or far-behind data directory joins by state snapshot when peers are more than this many blocks ahead of its tip (0: always replay blocks)',
      ),
    snapshot_refresh_blocks: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(100)
      .describe(
        'A node serving snapshots builds a new one at its tip when a joiner asks and the last one is this many blocks old',
      ),
    snapshot_refund_grace_slots: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .default(216_000)
      .describe(
        'A snapshot carries the blocks of unrefunded withdrawals that expire no more than this many slots before the Solana slot the server saw finalized (older ones are taken as settled)',
      ),
  })
  .prefault({});

const coordinator = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Always act as the coordinator, without election (a single-coordinator setup); elected coordinators use validator.coordinator_candidate',
      ),
    lease_ms: z
      .number()
      .int()
      .min(200)
      .max(60_000)
      .default(1_500)
      .describe(
        'Coordinator lease: a primary without a majority renewal this long stops acting; candidates stand after it',
      ),
    anchor_every_blocks: positiveInt(20, 'Anchor once this many final blocks are unanchored'),
    anchor_every_ms: positiveInt(5_000, 'Anchor at least this often while blocks are unanchored'),
    withdrawal_anchor_ms: z
      .number()
      .int()
      .min(0)
      .default(500)
      .describe('Anchor a final withdrawal after at most this long (it cannot settle before)'),
    relay: z
      .boolean()
      .default(true)
      .describe(
        'Settle withdrawals that name this node as relayer (at the fee floor in its ValidatorAccount)',
      ),
    relay_fee_margin_lamports: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe(
        'Margin over the real cost of settling a withdrawal that `paraloom validator set-relay-fee` adds to the on-chain SOL floor when no --margin/--floor is given (lamports)',
      ),
  })
  .prefault({});

const dashboard = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Serve the network dashboard: web pages and a read-only JSON API with live updates'),
    host: host('127.0.0.1', 'Bind address of the dashboard (loopback unless exposed on purpose)'),
    port: port(9600, 'Port of the dashboard (0: any free port)'),
  })
  .prefault({});

export const ConfigSchema = z
  .strictObject({
    node,
    network,
    solana,
    validator,
    health,
    ingress,
    consensus,
    ledger,
    sync,
    dashboard,
    coordinator,
  })
  .superRefine((c, ctx) => {
    if (c.health.port !== 0 && c.health.port === c.ingress.port && c.health.host === c.ingress.host) {
      ctx.addIssue({ code: 'custom', path: ['ingress', 'port'], message: 'same host and port as health' });
    }
    if (c.dashboard.enabled && c.dashboard.port !== 0) {
      for (const other of ['health', 'ingress'] as const) {
        if (c.dashboard.port === c[other].port && c.dashboard.host === c[other].host) {
          ctx.addIssue({
            code: 'custom',
            path: ['dashboard', 'port'],
            message: `same host and port as ${other}`,
          });
        }
      }
    }
  });

/** The file's content after validation and defaults (TOML key names). */
export type ConfigFile = z.output<typeof ConfigSchema>;
export type ConfigSection = keyof ConfigFile;

/** Every key with its default and description, in file order: what init, env and docs walk. */
export interface KeySpec {
  readonly section: ConfigSection;
  readonly key: string;
  readonly defaultValue: unknown;
  readonly description: string;
}

export function configDefaults(): ConfigFile {
  return ConfigSchema.parse({});
}

export function keySpecs(): KeySpec[] {
  const defaults = configDefaults() as unknown as Record<string, Record<string, unknown>>;
  const out: KeySpec[] = [];
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.shape)) {
    const shape = sectionSchema.unwrap().shape as Record<string, { description?: string }>;
    for (const [key, keySchema] of Object.entries(shape)) {
      out.push({
        section: section as ConfigSection,
        key,
        defaultValue: defaults[section]?.[key],
        description: keySchema.description ?? '',
      });
    }
  }
  return out;
}
