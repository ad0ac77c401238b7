import { computeExtDataHash, type ExtData, publicAmountFromExt } from './ext-data.js';
import type { Field } from './field.js';

/** The statement of a `transact` proof, as validators and the program see it. */
export interface TransactStatement {
  readonly root: Field;
  readonly asset: Field;
  readonly nullifiers: readonly [Field, Field];
  readonly outputCommitments: readonly [Field, Field];
  readonly extData: ExtData;
}

export const TRANSACT_PUBLIC_INPUT_NAMES = [
  'root',
  'public_amount',
  'ext_data_hash',
  'asset',
  'nullifier0',
  'nullifier1',
  'out0',
  'out1',
] as const;

/**
 * Public inputs in circuit order. `public_amount` and `ext_data_hash` are always derived here from
 * the ext data, never accepted from whoever submitted the transaction.
 */
export function transactPublicInputs(statement: TransactStatement): Field[] {
  return [
    statement.root,
    publicAmountFromExt(statement.extData.extAmount),
    computeExtDataHash(statement.extData),
    statement.asset,
    statement.nullifiers[0],
    statement.nullifiers[1],
    statement.outputCommitments[0],
    statement.outputCommitments[1],
  ];
}
