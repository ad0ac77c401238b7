import { ComputeError } from '../errors.js';
import { instrumentModule } from './meter.js';
import { parseAndValidate } from './validate.js';

export interface ModuleLimits {
  readonly fuelLimit: bigint;
  readonly memoryPages: number;
}

/** Validates a job module and returns its metered binary; nothing of the module runs here. */
export function prepareModule(wasm: Uint8Array, limits: ModuleLimits): Uint8Array {
  const module = parseAndValidate(wasm, { memoryPages: limits.memoryPages });
  try {
    return instrumentModule(module, limits.fuelLimit);
  } catch (e) {
    if (e instanceof ComputeError) throw e;
    // binaryen failing on a module that passed validation is the module's problem, not the node's.
    throw new ComputeError('WASM_INVALID', 'module could not be instrumented', {}, { cause: e });
  } finally {
    module.dispose();
  }
}
