/** Byte helpers shared by every codec. Hex is lower-case, without a 0x prefix unless stated. */

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new TypeError(`not a hex string of whole bytes: ${clean.slice(0, 16)}...`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Unsigned big-endian bytes of `value`, left-padded to `length`. */
export function bigintToBytesBE(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative value');
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
  return out;
}

export function bigintToBytesLE(value: bigint, length: number): Uint8Array {
  return bigintToBytesBE(value, length).reverse();
}

export function bytesToBigintBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bytesToBigintLE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

export function u64ToBytesLE(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError('not a u64');
  return bigintToBytesLE(value, 8);
}

export function i64ToBytesLE(value: bigint): Uint8Array {
  if (value < -(1n << 63n) || value >= 1n << 63n) throw new RangeError('not an i64');
  return bigintToBytesLE(BigInt.asUintN(64, value), 8);
}
