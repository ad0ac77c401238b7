import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { x25519SharedSecret } from './x25519-native.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const orThrow = (f: () => Uint8Array) => {
  try {
    return hex(f());
  } catch {
    return 'refused';
  }
};

describe('native X25519', () => {
  it('is the same function as @noble/curves x25519, refusals included', () => {
    for (let i = 0; i < 200; i++) {
      const secret = x25519.utils.randomSecretKey();
      // Random u-coordinates: points of the curve and of its twist, non-canonical ones too.
      const u = crypto.getRandomValues(new Uint8Array(32));
      expect(orThrow(() => x25519SharedSecret(secret, u))).toBe(
        orThrow(() => x25519.getSharedSecret(secret, u)),
      );
    }
    const secret = x25519.utils.randomSecretKey();
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ];
    for (const l of lowOrder)
      expect(orThrow(() => x25519SharedSecret(secret, Buffer.from(l, 'hex')))).toBe('refused');
    // RFC 7748 section 5.2, first test vector.
    const k = Buffer.from('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'hex');
    const uVec = Buffer.from('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'hex');
    expect(hex(x25519SharedSecret(k, uVec))).toBe(
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    );
    expect(() => x25519SharedSecret(k, uVec.subarray(1))).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_INVALID' }),
    );
  });
});
