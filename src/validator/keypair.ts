import { ed25519 } from '@noble/curves/ed25519.js';
import { type Address, getAddressDecoder } from '@solana/kit';
import { bytesEqual, concatBytes } from '../common/index.js';
import { ValidatorError } from './errors.js';

/**
 * A validator's Solana keypair. The same key signs its Solana transactions (register, stake) and its
 * consensus votes and anchor approvals, which is what lets the program verify votes on chain.
 */
export interface ValidatorKeypair {
  /** Solana layout: 32-byte seed then 32-byte public key. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The public key in base58: the validator's Solana address. */
  readonly address: Address;
}

const addressDecoder = getAddressDecoder();

export function keypairFromSeed(seed: Uint8Array): ValidatorKeypair {
  if (seed.length !== 32) {
    throw new ValidatorError('ARGUMENT_INVALID', 'an Ed25519 seed is 32 bytes', { length: seed.length });
  }
  const publicKey = ed25519.getPublicKey(seed);
  return {
    secretKey: concatBytes(seed, publicKey),
    publicKey,
    address: addressDecoder.decode(publicKey),
  };
}

/** Checks that the second half is the public key of the first: a mismatch means a corrupt or forged file. */
export function keypairFromSecretKey(secretKey: Uint8Array): ValidatorKeypair {
  if (secretKey.length !== 64) {
    throw new ValidatorError('KEY_FILE_INVALID', 'a Solana keypair is 64 bytes', {
      length: secretKey.length,
    });
  }
  const kp = keypairFromSeed(secretKey.slice(0, 32));
  if (!bytesEqual(kp.publicKey, secretKey.slice(32))) {
    throw new ValidatorError('KEY_FILE_INVALID', 'the keypair public key does not match its secret key');
  }
  return kp;
}

export function generateKeypair(): ValidatorKeypair {
  return keypairFromSeed(ed25519.utils.randomSecretKey());
}
