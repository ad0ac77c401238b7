import { existsSync, readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../common/index.js';
import { deriveWalletKeys, SEED_BYTES, type WalletKeys } from '../privacy/index.js';
import { WalletError } from './errors.js';
import { assertPrivate, writeSecretFile } from './secure-file.js';

export const WALLET_FILE_FORMAT = 'paraloom-wallet/2';

interface WalletFileJson {
  format: string;
  /** The 64-byte seed every key derives from (key scheme v2). */
  seed: string;
}

/** Creates a wallet key file (mode 0600) holding a fresh seed; never overwrites one. */
export function createWalletFile(path: string): WalletKeys {
  if (existsSync(path)) throw new WalletError('WALLET_FILE_EXISTS', `${path} already exists`, { path });
  const seed = crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  const json: WalletFileJson = { format: WALLET_FILE_FORMAT, seed: bytesToHex(seed) };
  writeSecretFile(path, `${JSON.stringify(json, null, 2)}\n`);
  return deriveWalletKeys(seed);
}

export function readWalletFile(path: string): WalletKeys {
  assertPrivate(path);
  let json: WalletFileJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as WalletFileJson;
  } catch (e) {
    throw new WalletError('WALLET_FILE_INVALID', `${path} is not a wallet file`, { path }, { cause: e });
  }
  if (json.format !== WALLET_FILE_FORMAT || typeof json.seed !== 'string') {
    throw new WalletError('WALLET_FILE_INVALID', `${path}: unknown wallet format`, {
      path,
      format: json.format,
    });
  }
  try {
    return deriveWalletKeys(hexToBytes(json.seed));
  } catch (e) {
    throw new WalletError(
      'WALLET_FILE_INVALID',
      `${path}: the seed is not ${SEED_BYTES} bytes of hex`,
      { path },
      {
        cause: e,
      },
    );
  }
}
