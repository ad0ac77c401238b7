import { describe, expect, it } from 'vitest';
import type { ComputeErrorCode } from '../errors.js';
import { MAX_WASM_BYTES } from '../limits.js';
import {
  FLOAT_WAT,
  FORBIDDEN_IMPORT_WAT,
  MEAN_WAT,
  MEMORY_BOMB_WAT,
  NO_MAX_MEMORY_WAT,
  nestedBlocksModule,
  SIMD_WAT,
} from '../testing/index.js';
import { prepareModule } from './prepare.js';
import { watToWasm } from './wat.js';

function refusal(wasm: Uint8Array, memoryPages = 16): ComputeErrorCode | undefined {
  try {
    prepareModule(wasm, { fuelLimit: 1000n, memoryPages });
    return undefined;
  } catch (e) {
    return (e as { code: ComputeErrorCode }).code;
  }
}

describe('module validation (before anything runs)', () => {
  it('accepts the example job', () => {
    expect(refusal(watToWasm(MEAN_WAT))).toBeUndefined();
  });
  it('refuses a memory bomb and a memory without a maximum', () => {
    expect(refusal(watToWasm(MEMORY_BOMB_WAT))).toBe('WASM_MEMORY_LIMIT');
    expect(refusal(watToWasm(NO_MAX_MEMORY_WAT))).toBe('WASM_MEMORY_LIMIT');
    // The example declares 16 pages: a job that allows only 8 refuses it.
    expect(refusal(watToWasm(MEAN_WAT), 8)).toBe('WASM_MEMORY_LIMIT');
  });
  it('refuses imports outside the host API', () => {
    expect(refusal(watToWasm(FORBIDDEN_IMPORT_WAT))).toBe('WASM_FORBIDDEN_IMPORT');
  });
  it('refuses floats and SIMD', () => {
    expect(refusal(watToWasm(FLOAT_WAT))).toBe('WASM_FLOAT');
    expect(refusal(watToWasm(SIMD_WAT))).toBe('WASM_FORBIDDEN_FEATURE');
  });
  it('refuses oversized and malformed modules', () => {
    expect(refusal(new Uint8Array(MAX_WASM_BYTES + 1))).toBe('WASM_TOO_LARGE');
    expect(refusal(Uint8Array.of(0, 97, 115, 109, 9, 9, 9, 9))).toBe('WASM_INVALID');
  });
  it('refuses nesting deep enough to overflow binaryen, and survives it', () => {
    expect(refusal(nestedBlocksModule(1000), 1)).toBeUndefined();
    expect(refusal(nestedBlocksModule(40_000), 1)).toBe('WASM_TOO_DEEP');
    expect(refusal(watToWasm(MEAN_WAT))).toBeUndefined();
  });
  it('instruments deterministically', () => {
    const wasm = watToWasm(MEAN_WAT);
    const a = prepareModule(wasm, { fuelLimit: 1000n, memoryPages: 16 });
    const b = prepareModule(wasm, { fuelLimit: 1000n, memoryPages: 16 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
