import type {
  CompiledTransactionMessageWithLifetime,
  LegacyCompiledTransactionMessage,
  V0CompiledTransactionMessage,
} from '@solana/kit';
import {
  DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT,
  LAMPORTS_PER_SIGNATURE,
  MAX_BUILTIN_ALLOCATION_COMPUTE_UNIT_LIMIT,
  MAX_COMPUTE_UNIT_LIMIT,
} from './limits.js';

/** The message versions a cluster at the localnet's reported version accepts (legacy and v0). */
export type CompiledMessage = (LegacyCompiledTransactionMessage | V0CompiledTransactionMessage) &
  Partial<CompiledTransactionMessageWithLifetime>;

const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111';
const SET_COMPUTE_UNIT_LIMIT = 2;
const SET_COMPUTE_UNIT_PRICE = 3;
const MICRO_LAMPORTS_PER_LAMPORT = 1_000_000n;

/** Precompiles whose signatures are charged like the transaction's own (first data byte = count). */
const PRECOMPILES = new Set([
  'Ed25519SigVerify111111111111111111111111111',
  'KeccakSecp256k11111111111111111111111111111',
  'Secp256r1SigVerify1111111111111111111111111',
]);

/**
 * Builtins that are still native programs: without a SetComputeUnitLimit, each of their
 * instructions reserves 3,000 units and every other instruction 200,000 (Agave's default limit,
 * which also sets the prioritization fee). Measured against LiteSVM's charges: the address lookup
 * table, stake and vote programs reserve 200,000 (migrated to BPF or not counted as builtins).
 */
const BUILTINS = new Set([
  ...PRECOMPILES,
  '11111111111111111111111111111111',
  COMPUTE_BUDGET_PROGRAM,
  'BPFLoader1111111111111111111111111111111111',
  'BPFLoader2111111111111111111111111111111111',
  'BPFLoaderUpgradeab1e11111111111111111111111',
  'LoaderV411111111111111111111111111111111111',
  'ZkE1Gama1Proof11111111111111111111111111111',
]);

export interface FeeDetails {
  readonly signatures: number;
  readonly computeUnitLimit: number;
  readonly computeUnitPrice: bigint;
  readonly fee: bigint;
}

/**
 * The fee a cluster charges for a message: 5,000 lamports per signature, counting the signatures
 * that Ed25519/secp256k1/secp256r1 instructions verify, plus the prioritization fee
 * ceil(price * limit / 1e6) with the compute-unit limit clamped to 1.4M.
 */
export function messageFee(message: CompiledMessage): FeeDetails {
  let signatures = message.header.numSignerAccounts;
  let requestedLimit: number | undefined;
  let price = 0n;
  let builtinInstructions = 0;
  let otherInstructions = 0;
  for (const ix of message.instructions) {
    const program = message.staticAccounts[ix.programAddressIndex] as string | undefined;
    const data = ix.data ?? new Uint8Array();
    if (program && PRECOMPILES.has(program)) signatures += data[0] ?? 0;
    if (program && BUILTINS.has(program)) builtinInstructions++;
    else otherInstructions++;
    if (program !== COMPUTE_BUDGET_PROGRAM) continue;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data[0] === SET_COMPUTE_UNIT_LIMIT && data.length === 5) requestedLimit = view.getUint32(1, true);
    if (data[0] === SET_COMPUTE_UNIT_PRICE && data.length === 9) price = view.getBigUint64(1, true);
  }
  const defaultLimit =
    builtinInstructions * MAX_BUILTIN_ALLOCATION_COMPUTE_UNIT_LIMIT +
    otherInstructions * DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT;
  const computeUnitLimit = Math.min(requestedLimit ?? defaultLimit, MAX_COMPUTE_UNIT_LIMIT);
  const prioritization =
    (price * BigInt(computeUnitLimit) + MICRO_LAMPORTS_PER_LAMPORT - 1n) / MICRO_LAMPORTS_PER_LAMPORT;
  return {
    signatures,
    computeUnitLimit,
    computeUnitPrice: price,
    fee: LAMPORTS_PER_SIGNATURE * BigInt(signatures) + prioritization,
  };
}
