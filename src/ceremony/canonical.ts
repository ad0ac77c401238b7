import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (JavaScript string order), no whitespace, values restricted to
 * strings, safe integers and nested objects of the same. Two writers that agree on the fields
 * produce the same bytes, so hashes and signatures over entries do not depend on formatting.
 */
export type CanonicalValue = string | number | { readonly [key: string]: CanonicalValue | undefined };

export function canonicalJson(value: CanonicalValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
    return String(value);
  }
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/** Domain tags keep an entry hash from ever equalling a signature message or another protocol's hash. */
export const ENTRY_HASH_DOMAIN = 'paraloom-ceremony/1 entry\n';
export const SIGNATURE_DOMAIN = 'paraloom-ceremony/1 signature\n';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 over the domain tag and the canonical JSON of the entry without `entry_sha256`. */
export function entryHash(entry: { readonly [key: string]: CanonicalValue | undefined }): string {
  const { entry_sha256: _omit, ...body } = entry;
  return sha256Hex(ENTRY_HASH_DOMAIN + canonicalJson(body));
}

/** Bytes a contributor signs: the entry without `entry_sha256` and `signature` (the public key is in). */
export function signingMessage(entry: { readonly [key: string]: CanonicalValue | undefined }): Uint8Array {
  const { entry_sha256: _a, signature: _b, ...body } = entry;
  return new TextEncoder().encode(SIGNATURE_DOMAIN + canonicalJson(body));
}
