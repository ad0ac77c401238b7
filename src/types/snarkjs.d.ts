// Minimal typings for the parts of snarkjs (which ships none) that Paraloom calls.
declare module 'snarkjs' {
  export interface MemFile {
    type: 'mem';
    data?: Uint8Array;
  }
  export type FileRef = string | MemFile;
  export interface SnarkjsProofJson {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export interface Logger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: FileRef, out: FileRef, options?: unknown): Promise<void>;
    exportJson(wtns: FileRef): Promise<bigint[]>;
  };
  export const groth16: {
    prove(
      zkey: FileRef,
      witness: FileRef,
      logger?: Logger,
    ): Promise<{ proof: SnarkjsProofJson; publicSignals: string[] }>;
    fullProve(
      input: Record<string, unknown>,
      wasm: FileRef,
      zkey: FileRef,
    ): Promise<{ proof: SnarkjsProofJson; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: string[], proof: SnarkjsProofJson, logger?: Logger): Promise<boolean>;
  };
  export const zKey: {
    exportVerificationKey(zkey: FileRef): Promise<unknown>;
  };
  export const curves: {
    getCurveFromName(name: string, singleThread?: boolean): Promise<{ terminate(): Promise<void> }>;
  };
}
