/**
 * `paraloom validator register | unregister | withdraw-unbonded | status | list`: the validator's
 * account on the program, driven from the node's config (cluster, RPC, program id, key file, stake,
 * network identity and addresses). Every command runs the program-version handshake first.
 */
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { type Address, address } from '@solana/kit';
import { BridgeRpc, checkProgramVersion, type ValidatorAccount } from '../../bridge/index.js';
import { createLogger } from '../../common/index.js';
import { loadConfig, type NodeConfig } from '../../config/index.js';
import { loadOrCreateIdentity } from '../../network/index.js';
import {
  decodeEndpoints,
  dialable,
  type Endpoints,
  isActive,
  readKeypairFile,
  ValidatorChain,
  ValidatorChainReader,
  ValidatorError,
} from '../../validator/index.js';

export interface RoleOptions {
  readonly config?: string;
  readonly json?: boolean;
}

async function connect(
  configPath: string | undefined,
): Promise<{ config: NodeConfig; rpc: BridgeRpc; programId: Address }> {
  const config = await loadConfig(configPath);
  const logger = createLogger('validator', config.node.logLevel === 'info' ? 'warn' : config.node.logLevel);
  const rpc = new BridgeRpc({ rpcUrl: config.solana.rpcUrl, timeoutMs: config.solana.rpcTimeoutMs, logger });
  const programId = address(config.solana.programId);
  await checkProgramVersion(rpc, programId, {
    expected: config.solana.expectedProgramVersion,
    commitment: config.solana.commitment,
  });
  return { config, rpc, programId };
}

export async function chainFor(configPath: string | undefined) {
  const { config, rpc } = await connect(configPath);
  const keypair = await readKeypairFile(config.validator.keyFile);
  const chain = await ValidatorChain.create(rpc, config.solana.programId, keypair, {
    commitment: config.solana.commitment,
  });
  return { config, rpc, chain };
}

/** This node's peer id (from its network identity, created if absent) and dialable addresses. */
async function nodeEndpoints(config: NodeConfig): Promise<Endpoints> {
  const { key } = await loadOrCreateIdentity(config.network.identityFile);
  const peerId = peerIdFromPrivateKey(key).toString();
  const candidates = config.network.announce.length > 0 ? config.network.announce : config.network.listen;
  return { peerId, multiaddrs: candidates.filter(dialable) };
}

function describe(a: ValidatorAccount | undefined): Record<string, unknown> {
  if (!a) return { registered: false };
  const e = decodeEndpoints(a.peerId, a.multiaddrs);
  return {
    registered: true,
    address: a.key,
    active: isActive(a),
    stakeLamports: a.stake.toString(),
    registeredSlot: a.registeredSlot.toString(),
    unbondingUntil: a.unbondingUntil.toString(),
    pendingRewards: a.pendingRewards.toString(),
    reputation: a.reputation,
    slashCount: a.slashCount,
    peerId: e?.peerId ?? null,
    multiaddrs: e?.multiaddrs ?? [],
  };
}

function print(opts: RoleOptions, value: Record<string, unknown>, text: string): void {
  console.log(opts.json ? JSON.stringify(value) : text);
}

export async function registerAction(opts: RoleOptions & { airdrop?: boolean }): Promise<void> {
  const { config, rpc, chain } = await chainFor(opts.config);
  const endpoints = await nodeEndpoints(config);
  if (endpoints.multiaddrs.length === 0) {
    console.error(
      'warning: no dialable address in network.announce / network.listen (port 0 or 0.0.0.0); peers will reach this node only through bootstrap and the DHT',
    );
  }
  if (opts.airdrop) {
    if (config.solana.cluster === 'mainnet-beta')
      throw new Error('--airdrop is for localnet, devnet and testnet');
    await rpc.airdrop(chain.address, config.validator.stakeLamports + 1_000_000_000n);
  }
  const existing = await chain.account(chain.address);
  let action: string;
  if (!existing) {
    const sent = await chain.register(config.validator.stakeLamports, endpoints);
    action = `registered ${chain.address} with stake ${config.validator.stakeLamports} lamports (${sent.signature})`;
  } else {
    const current = decodeEndpoints(existing.peerId, existing.multiaddrs);
    const same =
      current?.peerId === endpoints.peerId && current.multiaddrs.join(',') === endpoints.multiaddrs.join(',');
    if (same) {
      action = `${chain.address} is already registered with these endpoints`;
    } else {
      // Registration is per key: a moved node updates its endpoints instead of registering again.
      const sent = await chain.updateEndpoints(endpoints);
      action = `updated the endpoints of ${chain.address} (${sent.signature})`;
    }
  }
  const account = await chain.account(chain.address);
  print(
    opts,
    { action, ...describe(account) },
    `${action}\npeer id ${endpoints.peerId}\naddresses ${endpoints.multiaddrs.join(' ') || '(none)'}`,
  );
}

/** Says what is wrong before sending a transaction the program would refuse with a bare code. */
async function requireAccount(
  chain: ValidatorChain,
  want: 'active' | 'unbonding',
): Promise<ValidatorAccount> {
  const a = await chain.account(chain.address);
  if (!a) {
    throw new ValidatorError('NOT_REGISTERED', `${chain.address} has no validator account on this program`, {
      validator: chain.address,
    });
  }
  if (want === 'active' && !isActive(a)) {
    throw new ValidatorError(
      'NOT_REGISTERED',
      `${chain.address} is already unbonding (until slot ${a.unbondingUntil})`,
    );
  }
  if (want === 'unbonding' && isActive(a)) {
    throw new ValidatorError(
      'NOT_REGISTERED',
      `${chain.address} is still active: run paraloom validator unregister first`,
    );
  }
  return a;
}

export async function unregisterAction(opts: RoleOptions): Promise<void> {
  const { chain } = await chainFor(opts.config);
  await requireAccount(chain, 'active');
  const sent = await chain.unregister();
  const account = await chain.account(chain.address);
  print(
    opts,
    { action: 'unregistered', signature: sent.signature, ...describe(account) },
    `unregistered ${chain.address}; stake unbonding until slot ${account?.unbondingUntil ?? '?'} (then: paraloom validator withdraw-unbonded)`,
  );
}

export async function withdrawUnbondedAction(opts: RoleOptions): Promise<void> {
  const { chain } = await chainFor(opts.config);
  await requireAccount(chain, 'unbonding');
  const sent = await chain.withdrawUnbonded();
  print(
    opts,
    { action: 'withdrawn', signature: sent.signature },
    `withdrew the unbonded stake of ${chain.address} (${sent.signature})`,
  );
}

export async function statusAction(opts: RoleOptions): Promise<void> {
  const { config, rpc, programId } = await connect(opts.config);
  const keypair = await readKeypairFile(config.validator.keyFile);
  const reader = new ValidatorChainReader(rpc, programId, config.solana.commitment);
  const d = describe(await reader.account(keypair.address));
  const text = d.registered
    ? `${keypair.address}: ${d.active ? 'active' : `unbonding until slot ${String(d.unbondingUntil)}`}, stake ${String(d.stakeLamports)} lamports, peer ${String(d.peerId)}`
    : `${keypair.address}: not registered`;
  print(opts, { address: keypair.address, ...d }, text);
}

export async function listAction(opts: RoleOptions): Promise<void> {
  const { config, rpc, programId } = await connect(opts.config);
  const reader = new ValidatorChainReader(rpc, programId, config.solana.commitment);
  const registry = await reader.registry();
  const accounts = await reader.activeAccounts();
  const rows = accounts.map(describe);
  if (opts.json) {
    console.log(
      JSON.stringify({
        active: registry.active,
        totalActiveStakeLamports: registry.totalActiveStake.toString(),
        validators: rows,
      }),
    );
    return;
  }
  console.log(`${registry.active} active validators, total stake ${registry.totalActiveStake} lamports`);
  for (const r of rows)
    console.log(`${String(r.address)}  stake ${String(r.stakeLamports)}  peer ${String(r.peerId)}`);
}
