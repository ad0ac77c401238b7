import { concatBytes } from '../common/index.js';
import { decodeBech32m, encodeBech32m } from './bech32-payload.js';
import { PrivacyError } from './errors.js';
import { fieldFromBytesLE, fieldToBytesLE } from './field.js';
import type { ShieldedAddress } from './keys.js';

export const ADDRESS_PREFIX = 'plm';
/** v2: the owner key is diversified (pk_d) and the notes are those of the v2 circuit. */
export const ADDRESS_VERSION = 2;
const ADDRESS_V1 = 1;
const PAYLOAD_BYTES = 1 + 32 + 32 + 32;

/**
 * bech32m (BIP-350), prefix `plm`: version 2 | d (32 LE) | pk_d (32 LE) | encryption key (32). The
 * sender writes d into the note envelope so the recipient recomputes pk_d = P2(ak, d) and the
 * commitment. The checksum catches any typo of up to four characters.
 */
export function encodeAddress(address: ShieldedAddress): string {
  if (address.encryptionKey.length !== 32) {
    throw new PrivacyError('ADDRESS_INVALID', 'encryption key must be 32 bytes', {
      length: address.encryptionKey.length,
    });
  }
  return encodeBech32m(
    ADDRESS_PREFIX,
    concatBytes(
      Uint8Array.of(ADDRESS_VERSION),
      fieldToBytesLE(address.diversifier),
      fieldToBytesLE(address.pkD),
      address.encryptionKey,
    ),
  );
}

export function decodeAddress(text: string): ShieldedAddress {
  const payload = decodeBech32m(text, ADDRESS_PREFIX, 'ADDRESS_INVALID');
  if (payload[0] === ADDRESS_V1) {
    throw new PrivacyError(
      'ADDRESS_OLD_VERSION',
      'this is a version 1 address, made for the old (v1) circuit: notes sent to it could not be spent; ask the recipient for a new address',
      { version: ADDRESS_V1 },
    );
  }
  if (payload[0] !== ADDRESS_VERSION || payload.length !== PAYLOAD_BYTES) {
    throw new PrivacyError('ADDRESS_INVALID', 'unsupported address version or length', {
      length: payload.length,
      version: payload[0],
    });
  }
  try {
    return {
      diversifier: fieldFromBytesLE(payload.subarray(1, 33)),
      pkD: fieldFromBytesLE(payload.subarray(33, 65)),
      encryptionKey: payload.slice(65, 97),
    };
  } catch (e) {
    throw new PrivacyError(
      'ADDRESS_INVALID',
      'address holds a non-canonical field element',
      {},
      { cause: e },
    );
  }
}
