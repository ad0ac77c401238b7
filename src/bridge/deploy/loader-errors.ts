/**
 * The loader's and the runtime's refusals as typed errors. The deployer checks authority, size and
 * funds before it sends, so these are for what changed between its check and the send (another
 * operator's SetAuthority, a balance spent meanwhile).
 */
import {
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__ACCOUNT_DATA_TOO_SMALL,
  SOLANA_ERROR__INSTRUCTION_ERROR__IMMUTABLE,
  SOLANA_ERROR__INSTRUCTION_ERROR__INCORRECT_AUTHORITY,
  SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS,
  SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT,
} from '@solana/kit';
import { BridgeError, type BridgeErrorCode } from '../errors.js';

type LoaderRefusal = 'AUTHORITY_MISMATCH' | 'PROGRAM_IMMUTABLE' | 'BUFFER_TOO_SMALL' | 'INSUFFICIENT_FUNDS';

const BY_KIT_CODE = new Map<number, LoaderRefusal>([
  [SOLANA_ERROR__INSTRUCTION_ERROR__INCORRECT_AUTHORITY, 'AUTHORITY_MISMATCH'],
  [SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE, 'AUTHORITY_MISMATCH'],
  [SOLANA_ERROR__INSTRUCTION_ERROR__IMMUTABLE, 'PROGRAM_IMMUTABLE'],
  [SOLANA_ERROR__INSTRUCTION_ERROR__ACCOUNT_DATA_TOO_SMALL, 'BUFFER_TOO_SMALL'],
  [SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS, 'INSUFFICIENT_FUNDS'],
  [SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE, 'INSUFFICIENT_FUNDS'],
  [SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT, 'INSUFFICIENT_FUNDS'],
]);

/** The runtime's names in a landed transaction's error JSON. */
const BY_RUNTIME_NAME: ReadonlyArray<[string, LoaderRefusal]> = [
  ['IncorrectAuthority', 'AUTHORITY_MISMATCH'],
  ['MissingRequiredSignature', 'AUTHORITY_MISMATCH'],
  ['Immutable', 'PROGRAM_IMMUTABLE'],
  ['AccountDataTooSmall', 'BUFFER_TOO_SMALL'],
  ['InsufficientFundsForFee', 'INSUFFICIENT_FUNDS'],
  ['InsufficientFundsForRent', 'INSUFFICIENT_FUNDS'],
  ['InsufficientFunds', 'INSUFFICIENT_FUNDS'],
];

function* causes(e: unknown): Generator<unknown> {
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    yield cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
}

/** The typed refusal inside whatever a send threw, or undefined when it is none of the loader's. */
export function loaderErrorOf(e: unknown): BridgeError<LoaderRefusal> | undefined {
  for (const c of causes(e)) {
    if (isSolanaError(c)) {
      const code = BY_KIT_CODE.get(c.context.__code);
      if (code) return refusal(code, c.message, e);
    }
    if (c instanceof BridgeError && (c.code as BridgeErrorCode) === 'TRANSACTION_FAILED') {
      const err = String((c.context as { err?: unknown }).err ?? '');
      const hit = BY_RUNTIME_NAME.find(([name]) => err.includes(`"${name}"`) || err === name);
      if (hit) return refusal(hit[1], err, e);
    }
  }
  return undefined;
}

function refusal(code: LoaderRefusal, err: string, cause: unknown): BridgeError<LoaderRefusal> {
  return new BridgeError(
    code,
    `the cluster refused the transaction: ${err}`,
    { err },
    { cause },
  ) as BridgeError<LoaderRefusal>;
}
