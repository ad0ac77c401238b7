import { engine, type WasmGlobal, type WasmInstance, type WasmMemory } from '../wasm/engine.js';
import { ENTRY_EXPORTS, FUEL_GLOBAL } from '../wasm/host-api.js';
import type { RunOutcome, RunRequest } from './protocol.js';

/** Thrown by the host's `paraloom.abort` so the run ends with the job's own code. */
class JobAbort extends Error {
  constructor(readonly code: number) {
    super(`job aborted with code ${code}`);
  }
}

interface JobExports {
  readonly memory: WasmMemory;
  readonly alloc: (size: number) => number;
  readonly run: (ptr: number, len: number) => number;
  readonly fuel: WasmGlobal;
}

function exportsOf(instance: WasmInstance): JobExports {
  const e = instance.exports as Record<string, unknown>;
  return {
    memory: e[ENTRY_EXPORTS.memory] as WasmMemory,
    alloc: e[ENTRY_EXPORTS.alloc] as (size: number) => number,
    run: e[ENTRY_EXPORTS.run] as (ptr: number, len: number) => number,
    fuel: e[FUEL_GLOBAL] as WasmGlobal,
  };
}

/**
 * Runs one instrumented module on one input in a fresh instance: alloc(max(input, outputCap)),
 * copy the input there, run(ptr, len), read `len'` output bytes back from ptr. Synchronous, so
 * only the worker's wall-clock kill can interrupt it, never anything inside the job.
 */
export function runModule(request: RunRequest): RunOutcome {
  const base = { id: request.id, output: new Uint8Array(0), abortCode: 0 };
  let fuel: WasmGlobal | undefined;
  const used = () => {
    const left = fuel ? (fuel.value as bigint) : request.fuelLimit;
    return left < 0n ? request.fuelLimit : request.fuelLimit - left;
  };
  try {
    const module = new engine.Module(request.wasm);
    const imports = {
      paraloom: {
        abort: (code: number) => {
          throw new JobAbort(code);
        },
      },
    };
    const instance = new engine.Instance(module, imports);
    const job = exportsOf(instance);
    fuel = job.fuel;
    const ptr = job.alloc(Math.max(request.input.length, request.outputCap)) >>> 0;
    const memory = () => new Uint8Array(job.memory.buffer);
    const region = Math.max(request.input.length, request.outputCap);
    if (ptr + region > memory().length) {
      return {
        ...base,
        status: 'bad_output',
        fuelUsed: used(),
        detail: 'alloc returned a buffer outside memory',
      };
    }
    memory().set(request.input, ptr);
    const outLen = job.run(ptr, request.input.length);
    if (outLen < 0 || outLen > request.outputCap) {
      return { ...base, status: 'bad_output', fuelUsed: used(), detail: `output length ${outLen}` };
    }
    // The memory may have grown during run: take a fresh view.
    return { ...base, status: 'ok', output: memory().slice(ptr, ptr + outLen), fuelUsed: used() };
  } catch (e) {
    if (e instanceof JobAbort) return { ...base, status: 'abort', abortCode: e.code, fuelUsed: used() };
    const left = fuel ? (fuel.value as bigint) : 0n;
    const detail = e instanceof Error ? e.message : String(e);
    if (left < 0n) return { ...base, status: 'out_of_fuel', fuelUsed: request.fuelLimit, detail };
    return { ...base, status: 'trap', fuelUsed: used(), detail };
  }
}
