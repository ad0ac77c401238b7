import { computeExtDataHash, type ExtData, publicAmountFromExt } from './ext-data.js';
import { FIELD_ZERO, type Field } from './field.js';

/** The statement of a `transact` proof, as validators and the program see it. */
export interface TransactStatement {
  readonly root: Field;
  /**
   * The public input asset_public: the asset of a withdrawal (the circuit binds it to the notes'
   * private asset whenever public_amount != 0), 0 for a transfer so nobody learns which token moved.
   */
  readonly assetPublic: Field;
  readonly nullifiers: readonly [Field, Field];
  readonly outputCommitments: readonly [Field, Field];
  readonly extData: ExtData;
}

export const TRANSACT_PUBLIC_INPUT_NAMES = [
  'root',
  'public_amount',
  'ext_data_hash',
  'asset_public',
  'nullifier0',
  'nullifier1',
  'out0',
  'out1',
] as const;

/** What a transaction with this ext_amount shows as asset_public: its asset only if value moves. */
export function assetPublicFor(extAmount: bigint, asset: Field): Field {
  return extAmount === 0n ? FIELD_ZERO : asset;
}

/**
 * Public inputs in circuit order. `public_amount` and `ext_data_hash` are always derived here from
 * the ext data, never accepted from whoever submitted the transaction.
 */
export function transactPublicInputs(statement: TransactStatement): Field[] {
  return [
    statement.root,
    publicAmountFromExt(statement.extData.extAmount),
    computeExtDataHash(statement.extData),
    statement.assetPublic,
    statement.nullifiers[0],
    statement.nullifiers[1],
    statement.outputCommitments[0],
    statement.outputCommitments[1],
  ];
}
