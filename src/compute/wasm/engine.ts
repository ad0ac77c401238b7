// The engine's WebAssembly API, typed locally: the project's TypeScript lib (ES2023, no DOM)
// does not declare it, and a global declaration here could clash with another module's later.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmGlobal {
  value: unknown;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmModule = object;

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

export const engine = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
