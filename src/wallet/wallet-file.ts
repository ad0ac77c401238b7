import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../common/index.js';
import { encodeAddress, type WalletKeys } from '../privacy/index.js';
import { WalletError } from './errors.js';
import {
  DEFAULT_SCRYPT,
  type ScryptParams,
  type SealedSecret,
  seal,
  sealedSecretProblem,
  unseal,
} from './key-store.js';
import { mnemonicEntropy, mnemonicFromEntropy, seedFromMnemonic, walletKeysFromSeed } from './mnemonic.js';
import { assertPrivate, writeSecretFile } from './secure-file.js';

/**
 * /3: the sealed secret is still the mnemonic's entropy, but the keys derived from it are the v2
 * scheme (deriveWalletKeys) and the clear address is a v2 address; a /2 file is refused (restore it
 * from its mnemonic).
 */
export const WALLET_FILE_FORMAT = 'paraloom-wallet/3';

/**
 * The key file: the address in clear (so `wallet address` needs no passphrase; it is authenticated
 * on every unlock), the mnemonic's entropy sealed (see key-store.ts). Nothing that can spend is in clear.
 */
interface WalletFileJson {
  format: string;
  address: string;
  secret: SealedSecret;
}

interface SealedPayload {
  mnemonic_entropy: string;
}

const headerOf = (format: string, address: string): string => `${format}\n${address}`;

function checkPassphrase(passphrase: string): void {
  if (passphrase.length === 0) {
    throw new WalletError('PASSPHRASE_INVALID', 'the wallet passphrase must not be empty', {
      reason: 'empty',
    });
  }
}

/**
 * Creates a wallet key file (mode 0600, atomically, never over an existing file) for `mnemonic`,
 * sealed under `passphrase`. Returns the keys it derives.
 */
export function createWalletFile(
  path: string,
  p: { mnemonic: string; passphrase: string; scrypt?: ScryptParams },
): WalletKeys {
  checkPassphrase(p.passphrase);
  const entropy = mnemonicEntropy(p.mnemonic);
  const keys = walletKeysFromSeed(seedFromMnemonic(p.mnemonic));
  const address = encodeAddress(keys.address);
  const payload: SealedPayload = { mnemonic_entropy: bytesToHex(entropy) };
  const secret = seal(
    new TextEncoder().encode(JSON.stringify(payload)),
    p.passphrase,
    headerOf(WALLET_FILE_FORMAT, address),
    p.scrypt ?? DEFAULT_SCRYPT,
  );
  const json: WalletFileJson = { format: WALLET_FILE_FORMAT, address, secret };
  writeSecretFile(path, `${JSON.stringify(json, null, 2)}\n`, { exclusive: true });
  return keys;
}

/** Reads and shape-checks the file; a file that is not (or no longer) a whole wallet file is CORRUPT. */
function readJson(path: string): WalletFileJson {
  assertPrivate(path);
  let json: Partial<WalletFileJson>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Partial<WalletFileJson>;
  } catch (e) {
    throw new WalletError(
      'WALLET_FILE_CORRUPT',
      `${path} does not parse: truncated or damaged`,
      { path, reason: 'not JSON' },
      { cause: e },
    );
  }
  if (!json || typeof json !== 'object' || typeof json.format !== 'string') {
    throw new WalletError('WALLET_FILE_INVALID', `${path} is not a wallet file`, { path });
  }
  if (json.format !== WALLET_FILE_FORMAT) {
    throw new WalletError(
      'WALLET_FILE_INVALID',
      `${path}: wallet format ${json.format} is not supported (this release reads ${WALLET_FILE_FORMAT}); restore the wallet from its mnemonic`,
      { path, format: json.format },
    );
  }
  const problem = typeof json.address !== 'string' ? 'address' : sealedSecretProblem(json.secret);
  if (problem !== undefined) {
    throw new WalletError('WALLET_FILE_CORRUPT', `${path} is damaged (${problem})`, {
      path,
      reason: problem,
    });
  }
  return json as WalletFileJson;
}

/** The wallet's address as the file states it, without unlocking (unauthenticated until an unlock). */
export function readWalletAddress(path: string): string {
  return readJson(path).address;
}

/** Unlocks the key file: PASSPHRASE_WRONG or WALLET_FILE_CORRUPT, never a partial result. */
export function readWalletFile(path: string, passphrase: string): WalletKeys {
  return unlockWalletFile(path, passphrase).keys;
}

/** As readWalletFile, also giving back the mnemonic (to show again on the owner's request). */
export function unlockWalletFile(path: string, passphrase: string): { keys: WalletKeys; mnemonic: string } {
  checkPassphrase(passphrase);
  const json = readJson(path);
  const opened = unseal(json.secret, passphrase, headerOf(json.format, json.address));
  if (!opened.ok) {
    if (opened.reason === 'passphrase') {
      throw new WalletError('PASSPHRASE_WRONG', `wrong passphrase for ${path}`, { path });
    }
    throw new WalletError(
      'WALLET_FILE_CORRUPT',
      `${path} is damaged: its key material does not authenticate`,
      {
        path,
        reason: 'authentication',
      },
    );
  }
  let mnemonic: string;
  try {
    const payload = JSON.parse(new TextDecoder().decode(opened.plaintext)) as Partial<SealedPayload>;
    mnemonic = mnemonicFromEntropy(hexToBytes(String(payload.mnemonic_entropy)));
  } catch (e) {
    throw new WalletError(
      'WALLET_FILE_CORRUPT',
      `${path}: the sealed key material is not a wallet's`,
      { path, reason: 'payload' },
      { cause: e },
    );
  }
  const keys = walletKeysFromSeed(seedFromMnemonic(mnemonic));
  const address = encodeAddress(keys.address);
  if (address !== json.address) {
    throw new WalletError('WALLET_FILE_CORRUPT', `${path}: the stated address is not this key's`, {
      path,
      reason: 'address',
    });
  }
  return { keys, mnemonic };
}
