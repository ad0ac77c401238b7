import type { Instruction } from '@solana/kit';
import type { ProgramAddresses } from '../pda.js';
import type { TestKey, TxResult } from './litesvm-harness.js';

/**
 * What test scenarios need from a chain: LiteSVM directly (ProgramHarness) or a JSON-RPC endpoint
 * (RpcDriver), so one scenario runs against either.
 */
export interface ChainDriver {
  readonly addresses: ProgramAddresses;
  send(instructions: Instruction[], feePayer: TestKey): Promise<TxResult>;
  fundedKey(sol?: bigint): Promise<TestKey>;
  slot(): bigint | Promise<bigint>;
}
