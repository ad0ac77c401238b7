// Minimal typings for the part of circomlibjs (which ships none) that Paraloom calls.
declare module 'circomlibjs' {
  /** A Poseidon hash over BN254's scalar field in WebAssembly; results in the field's internal form. */
  export interface WasmPoseidon {
    (inputs: readonly bigint[]): Uint8Array;
    readonly F: { toObject(element: Uint8Array): bigint };
  }
  export function buildPoseidon(): Promise<WasmPoseidon>;
}
