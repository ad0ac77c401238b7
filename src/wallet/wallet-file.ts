import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../common/index.js';
import {
  type AnyWalletKey,
  canSpend,
  decodeViewingKey,
  defaultAddress,
  encodeAddress,
  type WalletKeys,
} from '../privacy/index.js';
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

/**
 * What the file seals: a spending wallet's mnemonic entropy, or a watch-only wallet's viewing key
 * (`plmfvk1…` / `plmivk1…`), which is sealed too: it shows every payment of the wallet it views.
 */
type SealedPayload = { mnemonic_entropy: string } | { viewing_key: string };

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
  const entropy = mnemonicEntropy(p.mnemonic);
  const keys = walletKeysFromSeed(seedFromMnemonic(p.mnemonic));
  writeSealed(path, encodeAddress(keys.address), { mnemonic_entropy: bytesToHex(entropy) }, p);
  return keys;
}

/**
 * Creates a watch-only wallet's key file for a viewing key (VIEWING_KEY_INVALID if it does not
 * decode), sealed like a spending wallet's. Returns the key.
 */
export function createViewOnlyWalletFile(
  path: string,
  p: { viewingKey: string; passphrase: string; scrypt?: ScryptParams },
): AnyWalletKey {
  const key = decodeViewingKey(p.viewingKey.trim());
  writeSealed(path, encodeAddress(defaultAddress(key)), { viewing_key: p.viewingKey.trim() }, p);
  return key;
}

function writeSealed(
  path: string,
  address: string,
  payload: SealedPayload,
  p: { passphrase: string; scrypt?: ScryptParams },
): void {
  checkPassphrase(p.passphrase);
  const secret = seal(
    new TextEncoder().encode(JSON.stringify(payload)),
    p.passphrase,
    headerOf(WALLET_FILE_FORMAT, address),
    p.scrypt ?? DEFAULT_SCRYPT,
  );
  const json: WalletFileJson = { format: WALLET_FILE_FORMAT, address, secret };
  writeSecretFile(path, `${JSON.stringify(json, null, 2)}\n`, { exclusive: true });
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

/** Unlocks a spending wallet's key file: VIEW_ONLY for a watch-only wallet's (see readAnyWalletFile). */
export function readWalletFile(path: string, passphrase: string): WalletKeys {
  const { key } = unlockWalletFile(path, passphrase);
  if (!canSpend(key)) {
    throw new WalletError('VIEW_ONLY', `${path} holds a viewing key only`, {
      capability: 'nk' in key ? 'full-view' : 'incoming-view',
    });
  }
  return key;
}

/** Unlocks the key file, spending or watch-only: PASSPHRASE_WRONG or WALLET_FILE_CORRUPT, never a partial result. */
export function readAnyWalletFile(path: string, passphrase: string): AnyWalletKey {
  return unlockWalletFile(path, passphrase).key;
}

/**
 * As readAnyWalletFile, also giving back the mnemonic of a spending wallet (to show again on the
 * owner's request).
 */
export function unlockWalletFile(
  path: string,
  passphrase: string,
): { key: AnyWalletKey; mnemonic: string | undefined } {
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
  let key: AnyWalletKey;
  let mnemonic: string | undefined;
  try {
    const payload = JSON.parse(new TextDecoder().decode(opened.plaintext)) as Partial<
      Record<'mnemonic_entropy' | 'viewing_key', unknown>
    >;
    if (typeof payload.viewing_key === 'string') {
      key = decodeViewingKey(payload.viewing_key);
    } else {
      mnemonic = mnemonicFromEntropy(hexToBytes(String(payload.mnemonic_entropy)));
      key = walletKeysFromSeed(seedFromMnemonic(mnemonic));
    }
  } catch (e) {
    throw new WalletError(
      'WALLET_FILE_CORRUPT',
      `${path}: the sealed key material is not a wallet's`,
      { path, reason: 'payload' },
      { cause: e },
    );
  }
  if (encodeAddress(defaultAddress(key)) !== json.address) {
    throw new WalletError('WALLET_FILE_CORRUPT', `${path}: the stated address is not this key's`, {
      path,
      reason: 'address',
    });
  }
  return { key, mnemonic };
}
