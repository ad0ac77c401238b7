/**
 * `wallet deposit --airdrop`: a fresh payer funded by the localnet's faucet, so a machine without
 * Solana's tools can shield SOL. Only on our localnet: anywhere else the faucet is someone else's
 * (or absent), so the command refuses before it asks anything of the RPC but its genesis hash.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base58 } from '@scure/base';
import type { KeyPairSigner } from '@solana/kit';
import { WalletError } from '../../wallet/index.js';

/** The genesis hash `paraloom localnet` reports (src/localnet/chain.ts; a unit test holds them equal). */
export const LOCALNET_GENESIS_HASH = base58.encode(
  sha256(new TextEncoder().encode('paraloom-localnet-genesis')),
);

/** Lamports the fresh payer gets beyond the deposit: the transaction fee with a wide margin. */
export const AIRDROP_FEE_MARGIN = 10_000_000n;

async function genesisHash(rpcUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getGenesisHash', params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === 'string' ? body.result : undefined;
  } catch (e) {
    throw new WalletError(
      'AIRDROP_REFUSED',
      `cannot ask ${rpcUrl} for its genesis hash`,
      { rpcUrl },
      { cause: e },
    );
  }
}

/** Refuses (AIRDROP_REFUSED) unless the config, when given, names localnet and the RPC is our localnet. */
export async function assertLocalnet(rpcUrl: string, cluster: string | undefined): Promise<void> {
  if (cluster !== undefined && cluster !== 'localnet') {
    throw new WalletError('AIRDROP_REFUSED', `--airdrop is for the localnet; the config names ${cluster}`, {
      rpcUrl,
      cluster,
    });
  }
  const hash = await genesisHash(rpcUrl);
  if (hash !== LOCALNET_GENESIS_HASH) {
    throw new WalletError(
      'AIRDROP_REFUSED',
      `--airdrop is for the localnet; ${rpcUrl} is another chain (genesis ${hash ?? 'unknown'}); pay with --payer <keypair> (see paraloom keygen)`,
      { rpcUrl, ...(hash ? { genesisHash: hash } : {}) },
    );
  }
}

/** A fresh payer holding `lamports`, confirmed (the bridge's airdrop waits for the balance). */
export async function fundFreshPayer(rpcUrl: string, lamports: bigint): Promise<KeyPairSigner> {
  const [{ generateKeyPairSigner }, { BridgeRpc }, { createLogger }] = await Promise.all([
    import('@solana/kit'),
    import('../../bridge/index.js'),
    import('../../common/index.js'),
  ]);
  const payer = await generateKeyPairSigner();
  await new BridgeRpc({ rpcUrl, logger: createLogger('wallet', 'warn') }).airdrop(payer.address, lamports);
  return payer;
}
