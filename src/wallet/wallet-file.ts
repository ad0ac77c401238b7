import { existsSync, readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../common/index.js';
import {
  deriveKeys,
  fieldFromBytesCanonical,
  fieldToBytesLE,
  generateSpendingKeys,
  type SpendingKeys,
} from '../privacy/index.js';
import { WalletError } from './errors.js';
import { assertPrivate, writeSecretFile } from './secure-file.js';

export const WALLET_FILE_FORMAT = 'paraloom-wallet/1';

interface WalletFileJson {
  format: string;
  spending_key: string;
}

/** Creates a wallet key file (mode 0600) holding a fresh spending key; never overwrites one. */
export function createWalletFile(path: string): SpendingKeys {
  if (existsSync(path)) throw new WalletError('WALLET_FILE_EXISTS', `${path} already exists`, { path });
  const keys = generateSpendingKeys();
  const json: WalletFileJson = {
    format: WALLET_FILE_FORMAT,
    spending_key: bytesToHex(fieldToBytesLE(keys.sk)),
  };
  writeSecretFile(path, `${JSON.stringify(json, null, 2)}\n`);
  return keys;
}

export function readWalletFile(path: string): SpendingKeys {
  assertPrivate(path);
  let json: WalletFileJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as WalletFileJson;
  } catch (e) {
    throw new WalletError('WALLET_FILE_INVALID', `${path} is not a wallet file`, { path }, { cause: e });
  }
  if (json.format !== WALLET_FILE_FORMAT || typeof json.spending_key !== 'string') {
    throw new WalletError('WALLET_FILE_INVALID', `${path}: unknown wallet format`, {
      path,
      format: json.format,
    });
  }
  try {
    return deriveKeys(fieldFromBytesCanonical(hexToBytes(json.spending_key)));
  } catch (e) {
    throw new WalletError(
      'WALLET_FILE_INVALID',
      `${path}: spending key is not a canonical field element`,
      { path },
      {
        cause: e,
      },
    );
  }
}
