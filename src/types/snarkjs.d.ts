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
    exportVerificationKey(zkey: FileRef, logger?: Logger): Promise<unknown>;
    /** BGM17 phase 2. Returns the circuit hash, or -1 after logging an error (too small, unprepared). */
    newZKey(r1cs: FileRef, ptau: FileRef, zkeyOut: FileRef, logger?: Logger): Promise<Uint8Array | number>;
    /** Returns the 64-byte contribution hash. */
    contribute(
      zkeyIn: FileRef,
      zkeyOut: FileRef,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<Uint8Array>;
    /** Returns the 64-byte contribution hash, or false after logging an error (bad hex, exponent). */
    beacon(
      zkeyIn: FileRef,
      zkeyOut: FileRef,
      name: string,
      beaconHex: string,
      iterationsExp: number,
      logger?: Logger,
    ): Promise<Uint8Array | false>;
    verifyFromR1cs(r1cs: FileRef, ptau: FileRef, zkey: FileRef, logger?: Logger): Promise<boolean>;
    verifyFromInit(zkeyInit: FileRef, ptau: FileRef, zkey: FileRef, logger?: Logger): Promise<boolean>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, out: FileRef, logger?: Logger): Promise<unknown>;
    contribute(
      ptauIn: FileRef,
      ptauOut: FileRef,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<unknown>;
    beacon(
      ptauIn: FileRef,
      ptauOut: FileRef,
      name: string,
      beaconHex: string,
      iterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    preparePhase2(ptauIn: FileRef, ptauOut: FileRef, logger?: Logger): Promise<void>;
  };
  export interface R1csInfo {
    nConstraints: number;
    nPubInputs: number;
    nOutputs: number;
    nPrvInputs: number;
    nVars: number;
    prime: bigint;
  }
  export const r1cs: {
    info(r1cs: FileRef, logger?: Logger): Promise<R1csInfo>;
  };
  export const curves: {
    getCurveFromName(name: string, singleThread?: boolean): Promise<{ terminate(): Promise<void> }>;
  };
}
