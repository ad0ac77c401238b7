import { bigintToBytesBE, bigintToBytesLE, bytesToBigintBE, bytesToBigintLE } from '../common/index.js';
import { PrivacyError } from './errors.js';

/** Order of the BN254 scalar field (the circuit's native field, Poseidon's field). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const FIELD_BYTES = 32;

declare const fieldBrand: unique symbol;
/**
 * A canonical BN254 scalar: 0 <= value < p. Only the constructors below produce one, so a value
 * typed `Field` has already passed the canonicity check (the `n` vs `n + p` double-spend class).
 */
export type Field = bigint & { readonly [fieldBrand]: true };

export const FIELD_ZERO = 0n as Field;

export function isCanonical(value: bigint): boolean {
  return value >= 0n && value < FIELD_MODULUS;
}

/** Accepts only canonical values; anything else is a typed error, never a silent reduction. */
export function toField(value: bigint): Field {
  if (!isCanonical(value)) {
    throw new PrivacyError('FIELD_NOT_CANONICAL', 'value is not a canonical BN254 scalar', {
      value: value.toString(),
    });
  }
  return value as Field;
}

/** Explicit reduction, for values that are defined modulo p (hash outputs, signed amounts). */
export function fieldMod(value: bigint): Field {
  const r = value % FIELD_MODULUS;
  return (r < 0n ? r + FIELD_MODULUS : r) as Field;
}

function checkLength(bytes: Uint8Array): void {
  if (bytes.length !== FIELD_BYTES) {
    throw new PrivacyError('FIELD_BAD_LENGTH', `field element must be ${FIELD_BYTES} bytes`, {
      length: bytes.length,
    });
  }
}

export function fieldFromBytesLE(bytes: Uint8Array): Field {
  checkLength(bytes);
  return toField(bytesToBigintLE(bytes));
}

export function fieldFromBytesBE(bytes: Uint8Array): Field {
  checkLength(bytes);
  return toField(bytesToBigintBE(bytes));
}

/** The project-wide parser: 32 bytes little-endian, rejected unless < p. */
export const fieldFromBytesCanonical = fieldFromBytesLE;

export function fieldToBytesLE(value: Field): Uint8Array {
  return bigintToBytesLE(value, FIELD_BYTES);
}

export function fieldToBytesBE(value: Field): Uint8Array {
  return bigintToBytesBE(value, FIELD_BYTES);
}

/** Decimal string (as snarkjs writes public signals) to a canonical field element. */
export function fieldFromDecimal(text: string): Field {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(text)) {
    throw new PrivacyError('FIELD_BAD_STRING', 'not a canonical decimal field element', {
      text: text.slice(0, 90),
    });
  }
  return toField(BigInt(text));
}

export function fieldToDecimal(value: Field): string {
  return value.toString(10);
}

/** Uniform random scalar by rejection sampling from the OS CSPRNG. */
export function randomField(): Field {
  const buf = new Uint8Array(32);
  for (;;) {
    crypto.getRandomValues(buf);
    buf[31]! &= 0x3f; // p < 2^254: keep 254 bits so rejection is rare (~1 in 4)
    const v = bytesToBigintLE(buf);
    if (v < FIELD_MODULUS) return v as Field;
  }
}
