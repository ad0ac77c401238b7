import { ComputeError } from '../errors.js';
import { MAX_MEMORY_PAGES, MAX_NESTING, MAX_WASM_BYTES } from '../limits.js';
import { binaryen, childrenOf, type ExpressionRef, type Module } from './binaryen.js';
import { engine } from './engine.js';
import { ENTRY_EXPORTS, HOST_API, RESERVED_PREFIX } from './host-api.js';

// Validation runs before a module is instrumented or run. It allows a fixed list of expression
// kinds (integer MVP), so SIMD, atomics, bulk memory, reference types, exceptions and tail calls
// are refused by name, not by accident. Floats are refused outright: NaN payloads and signs are
// not fixed by the spec, and refusing them is simpler to audit than canonicalising every result.

const ALLOWED_IDS = new Set<number>([
  binaryen.BlockId,
  binaryen.IfId,
  binaryen.LoopId,
  binaryen.BreakId,
  binaryen.SwitchId,
  binaryen.CallId,
  binaryen.CallIndirectId,
  binaryen.LocalGetId,
  binaryen.LocalSetId,
  binaryen.GlobalGetId,
  binaryen.GlobalSetId,
  binaryen.LoadId,
  binaryen.StoreId,
  binaryen.ConstId,
  binaryen.UnaryId,
  binaryen.BinaryId,
  binaryen.SelectId,
  binaryen.DropId,
  binaryen.ReturnId,
  binaryen.MemorySizeId,
  binaryen.MemoryGrowId,
  binaryen.NopId,
  binaryen.UnreachableId,
]);

const VALUE_TYPES = new Set<number>([binaryen.none, binaryen.unreachable, binaryen.i32, binaryen.i64]);

export interface ValidationLimits {
  /** The job's memory limit in 64 KiB pages; the module's declared maximum must not exceed it. */
  readonly memoryPages: number;
}

function checkType(type: number, where: string): void {
  for (const t of binaryen.expandType(type)) {
    if (t === binaryen.f32 || t === binaryen.f64) {
      throw new ComputeError('WASM_FLOAT', `floating point is not allowed (${where})`, { where });
    }
    if (!VALUE_TYPES.has(t)) {
      throw new ComputeError('WASM_FORBIDDEN_FEATURE', `value type not allowed (${where})`, { where });
    }
  }
}

function checkExpression(root: ExpressionRef, where: string): void {
  // Explicit stack: a deeply nested body must not overflow the validator's own stack. The nesting
  // cap protects binaryen's recursive passes (instrumentation, validation, emission) the same way.
  const stack: [ExpressionRef, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [expr, depth] = stack.pop()!;
    if (depth > MAX_NESTING) {
      throw new ComputeError('WASM_TOO_DEEP', `expressions nest deeper than ${MAX_NESTING} (${where})`, {
        where,
      });
    }
    const id = binaryen.getExpressionId(expr);
    if (!ALLOWED_IDS.has(id)) {
      throw new ComputeError('WASM_FORBIDDEN_FEATURE', `instruction kind ${id} is not allowed (${where})`, {
        where,
        expressionId: id,
      });
    }
    if (
      id === binaryen.LoadId ||
      id === binaryen.StoreId ||
      id === binaryen.CallId ||
      id === binaryen.CallIndirectId
    ) {
      const info = binaryen.getExpressionInfo(expr) as { isAtomic?: boolean; isReturn?: boolean };
      if (info.isAtomic)
        throw new ComputeError('WASM_FORBIDDEN_FEATURE', `atomics are not allowed (${where})`);
      if (info.isReturn)
        throw new ComputeError('WASM_FORBIDDEN_FEATURE', `tail calls are not allowed (${where})`);
    }
    checkType(binaryen.getExpressionType(expr), where);
    for (const child of childrenOf(expr)) stack.push([child, depth + 1]);
  }
}

function checkImportsAndFunctions(module: Module): void {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const fn = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (fn.name.startsWith(RESERVED_PREFIX)) {
      throw new ComputeError('WASM_INVALID', `function name ${fn.name} is reserved`);
    }
    const where = `function ${fn.name}`;
    checkType(fn.params, where);
    checkType(fn.results, where);
    if (binaryen.expandType(fn.results).length > 1) {
      throw new ComputeError('WASM_FORBIDDEN_FEATURE', `multi-value results are not allowed (${where})`);
    }
    if (fn.module) {
      const host = HOST_API.find((h) => h.module === fn.module && h.name === fn.base);
      const params = binaryen.expandType(fn.params).map((t) => (t === binaryen.i32 ? 'i32' : 'i64'));
      const results = binaryen.expandType(fn.results).map((t) => (t === binaryen.i32 ? 'i32' : 'i64'));
      if (
        !host ||
        host.params.join(',') !== params.join(',') ||
        host.results.join(',') !== results.join(',')
      ) {
        throw new ComputeError(
          'WASM_FORBIDDEN_IMPORT',
          `import ${fn.module}.${fn.base} is not in the host API`,
          {
            module: fn.module,
            name: fn.base,
          },
        );
      }
      continue;
    }
    for (const v of fn.vars) checkType(v, where);
    checkExpression(fn.body, where);
  }
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(module.getGlobalByIndex(i));
    if (g.module) {
      throw new ComputeError('WASM_FORBIDDEN_IMPORT', `global import ${g.module}.${g.base} is not allowed`);
    }
    if (g.name.startsWith(RESERVED_PREFIX))
      throw new ComputeError('WASM_INVALID', `global ${g.name} is reserved`);
    checkType(g.type, `global ${g.name}`);
    checkExpression(g.init, `global ${g.name}`);
  }
  for (let i = 0; i < module.getNumTables(); i++) {
    const t = binaryen.getTableInfo(module.getTableByIndex(i));
    if (t.module)
      throw new ComputeError('WASM_FORBIDDEN_IMPORT', `table import ${t.module}.${t.base} is not allowed`);
  }
}

function checkMemory(module: Module, limits: ValidationLimits): void {
  if (!module.hasMemory()) throw new ComputeError('WASM_ENTRY_MISSING', 'module defines no memory');
  const mem = module.getMemoryInfo();
  if (mem.module) throw new ComputeError('WASM_FORBIDDEN_IMPORT', 'memory must be defined, not imported');
  if (mem.shared) throw new ComputeError('WASM_FORBIDDEN_FEATURE', 'shared memory (threads) is not allowed');
  if (mem.is64) throw new ComputeError('WASM_FORBIDDEN_FEATURE', 'memory64 is not allowed');
  const limit = Math.min(limits.memoryPages, MAX_MEMORY_PAGES);
  // A declared maximum is required: without one, memory.grow is bounded only by the engine.
  if (mem.max === undefined || mem.max > limit || mem.initial > limit) {
    throw new ComputeError('WASM_MEMORY_LIMIT', `memory must declare a maximum of at most ${limit} pages`, {
      initial: mem.initial,
      max: mem.max ?? null,
      limit,
    });
  }
}

function checkExports(module: Module): void {
  const byName = new Map<string, { kind: number; value: string }>();
  for (let i = 0; i < module.getNumExports(); i++) {
    const e = binaryen.getExportInfo(module.getExportByIndex(i));
    if (e.name.startsWith(RESERVED_PREFIX))
      throw new ComputeError('WASM_INVALID', `export ${e.name} is reserved`);
    byName.set(e.name, { kind: e.kind, value: e.value });
  }
  const memory = byName.get(ENTRY_EXPORTS.memory);
  if (memory?.kind !== binaryen.ExternalMemory) {
    throw new ComputeError(
      'WASM_ENTRY_MISSING',
      `module must export its memory as "${ENTRY_EXPORTS.memory}"`,
    );
  }
  const expect = (name: string, params: number[], result: number) => {
    const e = byName.get(name);
    if (e?.kind !== binaryen.ExternalFunction) {
      throw new ComputeError('WASM_ENTRY_MISSING', `module must export function "${name}"`);
    }
    const fn = binaryen.getFunctionInfo(module.getFunction(e.value));
    const got = binaryen.expandType(fn.params);
    if (got.join(',') !== params.join(',') || fn.results !== result) {
      throw new ComputeError('WASM_ENTRY_MISSING', `export "${name}" has the wrong signature`);
    }
  };
  expect(ENTRY_EXPORTS.alloc, [binaryen.i32], binaryen.i32);
  expect(ENTRY_EXPORTS.run, [binaryen.i32, binaryen.i32], binaryen.i32);
}

/**
 * Parses and validates a job module. The caller owns the returned binaryen module and must
 * dispose of it. Throws ComputeError before anything of the module has run.
 */
export function parseAndValidate(wasm: Uint8Array, limits: ValidationLimits): Module {
  if (wasm.length > MAX_WASM_BYTES) {
    throw new ComputeError('WASM_TOO_LARGE', `module is ${wasm.length} bytes, the cap is ${MAX_WASM_BYTES}`, {
      size: wasm.length,
      cap: MAX_WASM_BYTES,
    });
  }
  // The engine's own validator first: binaryen's parser is not meant for hostile input.
  if (!engine.validate(wasm)) throw new ComputeError('WASM_INVALID', 'not a valid WebAssembly module');
  let module: Module;
  try {
    module = binaryen.readBinary(wasm);
  } catch (e) {
    throw new ComputeError('WASM_INVALID', 'module could not be parsed', {}, { cause: e });
  }
  try {
    checkMemory(module, limits);
    checkImportsAndFunctions(module);
    checkExports(module);
    return module;
  } catch (e) {
    module.dispose();
    throw e;
  }
}
