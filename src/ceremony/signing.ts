import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, bytesToHex, hexToBytes } from '../common/index.js';
import { CeremonyError } from './errors.js';

/** A contributor's Ed25519 identity; only the 32-byte seed is secret. */
export interface SigningKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (seed.length !== 32) throw new CeremonyError('SIGNING_KEY_INVALID', 'an Ed25519 seed is 32 bytes');
  return { seed, publicKey: ed25519.getPublicKey(seed) };
}

export function generateSigningKey(): SigningKey {
  return signingKeyFromSeed(new Uint8Array(randomBytes(32)));
}

/**
 * Reads a key file in the Solana CLI keypair format (JSON array of 64 bytes: seed then public key),
 * so contributors can sign with an identity they already publish, or a bare 64-hex-digit seed.
 */
export async function readSigningKey(file: string): Promise<SigningKey> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (e) {
    throw new CeremonyError('SIGNING_KEY_INVALID', `cannot read key file ${file}`, { file }, { cause: e });
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return signingKeyFromSeed(hexToBytes(text));
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch {
    arr = undefined;
  }
  if (
    !Array.isArray(arr) ||
    arr.length !== 64 ||
    !arr.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) < 256)
  ) {
    throw new CeremonyError('SIGNING_KEY_INVALID', `${file} is neither a Solana keypair nor a hex seed`, {
      file,
    });
  }
  const bytes = Uint8Array.from(arr as number[]);
  const key = signingKeyFromSeed(bytes.slice(0, 32));
  if (!bytesEqual(key.publicKey, bytes.slice(32))) {
    throw new CeremonyError('SIGNING_KEY_INVALID', `${file}: public half does not match the seed`, { file });
  }
  return key;
}

/** Writes the Solana CLI keypair format, readable only by the owner. */
export async function writeSigningKey(file: string, key: SigningKey): Promise<void> {
  const bytes = [...key.seed, ...key.publicKey];
  await writeFile(file, `${JSON.stringify(bytes)}\n`, { mode: 0o600, flag: 'wx' });
}

export function sign(message: Uint8Array, key: SigningKey): string {
  return bytesToHex(ed25519.sign(message, key.seed));
}

/** Strict RFC 8032 verification (no ZIP-215 leniency): one valid signature per message and key. */
export function verifySignature(message: Uint8Array, signatureHex: string, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(hexToBytes(signatureHex), message, hexToBytes(publicKeyHex), { zip215: false });
  } catch {
    return false;
  }
}
