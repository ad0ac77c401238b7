import { bech32m } from '@scure/base';
import { PrivacyError } from './errors.js';

const MAX_LENGTH = 300;

/** bech32m (BIP-350) string of `payload` under `prefix`. */
export function encodeBech32m(prefix: string, payload: Uint8Array): string {
  return bech32m.encode(prefix, bech32m.toWords(payload), MAX_LENGTH);
}

/**
 * Payload bytes of a bech32m string with this exact prefix. A bad checksum (a typo) is
 * ADDRESS_CHECKSUM, anything else unreadable is `invalidCode`.
 */
export function decodeBech32m(
  text: string,
  prefix: string,
  invalidCode: 'ADDRESS_INVALID' | 'VIEWING_KEY_INVALID',
): Uint8Array {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(text as `${string}1${string}`, MAX_LENGTH);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/checksum/i.test(message)) {
      throw new PrivacyError('ADDRESS_CHECKSUM', `checksum mismatch (a typo?): ${message}`, {
        address: text.slice(0, 20),
      });
    }
    throw new PrivacyError(invalidCode, `not a valid ${prefix} string: ${message}`, { prefix });
  }
  if (decoded.prefix !== prefix) {
    throw new PrivacyError(invalidCode, `prefix must be ${prefix}`, { prefix: decoded.prefix });
  }
  try {
    return bech32m.fromWords(decoded.words);
  } catch (e) {
    throw new PrivacyError(invalidCode, `${prefix} string has bad padding`, { prefix }, { cause: e });
  }
}
