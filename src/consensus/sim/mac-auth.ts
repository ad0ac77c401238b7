/**
 * The simulator's stand-in for Ed25519: signature = sha512(secret | vote fields). Cheap enough for
 * hundreds of thousands of votes per run, and still unforgeable inside the simulation (a byzantine
 * node knows only its own secret), so forged and foreign votes are exercised.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, bytesToHex, concatBytes } from '../../common/index.js';
import { consensusWriter } from '../codec.js';
import type { Vote, VoteAuthenticator, VoteType } from '../types.js';

type Fields = { height: bigint; round: number; type: VoteType; blockHash: Uint8Array };

function fieldBytes(domain: number, v: Fields): Uint8Array {
  return consensusWriter('vote fields')
    .u8(domain)
    .u64(v.height)
    .u32(v.round)
    .u8(v.type === 'prevote' ? 1 : 2)
    .fixed(v.blockHash, 32, 'hash')
    .finish();
}

/** Every secret of the simulated cohort, by public key; `domain` plays the cluster tag. */
export class MacKeyring {
  private readonly secrets = new Map<string, Uint8Array>();

  constructor(readonly domain = 1) {}

  add(publicKey: Uint8Array, secret: Uint8Array): void {
    this.secrets.set(bytesToHex(publicKey), secret);
  }

  sign(secret: Uint8Array, v: Fields): Uint8Array {
    return sha512(concatBytes(secret, fieldBytes(this.domain, v)));
  }

  verify(v: Vote): boolean {
    const secret = this.secrets.get(bytesToHex(v.validator));
    return secret !== undefined && v.signature.length === 64 && bytesEqual(this.sign(secret, v), v.signature);
  }

  authenticator(publicKey: Uint8Array, secret: Uint8Array): VoteAuthenticator {
    return {
      publicKey,
      sign: (v) => this.sign(secret, v),
      verify: (v) => this.verify(v),
    };
  }
}
