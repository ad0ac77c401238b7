import { ComputeError } from '../errors.js';
import { binaryen } from './binaryen.js';

/**
 * WebAssembly text to binary with binaryen's parser, so examples and tests need no binary
 * toolchain. Development helper: a job on the wire always carries the binary.
 */
export function watToWasm(text: string): Uint8Array {
  let module: binaryen.Module;
  try {
    module = binaryen.parseText(text);
  } catch (e) {
    throw new ComputeError('WASM_INVALID', 'could not parse WebAssembly text', {}, { cause: e });
  }
  try {
    // Features as written: a module using SIMD stays one, so the validator can refuse it.
    module.setFeatures(binaryen.Features.All & ~binaryen.Features.GC);
    if (!module.validate()) throw new ComputeError('WASM_INVALID', 'WebAssembly text does not validate');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}
