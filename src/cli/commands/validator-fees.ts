/**
 * `paraloom validator set-relay-fee`: this validator's relay fee floor on chain. The floor is what
 * settling one withdrawal really costs on the configured cluster (two nullifier records' rent and one
 * signature) plus a margin, unless `--floor` names it outright.
 */
import { relayCost } from '../../bridge/index.js';
import { fieldFromDecimal, fieldToDecimal } from '../../privacy/index.js';
import { ValidatorError } from '../../validator/index.js';
import { chainFor, type RoleOptions } from './validator-role.js';

export interface SetRelayFeeOptions extends RoleOptions {
  /** Asset id as a decimal field element; default 0 (SOL). */
  readonly asset?: string;
  /** Lamports over the real cost; default `coordinator.relay_fee_margin_lamports`. */
  readonly margin?: string;
  /** The floor itself, in lamports (no cost computed). */
  readonly floor?: string;
}

function lamports(text: string, what: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) {
    throw new ValidatorError('ARGUMENT_INVALID', `${what} must be a whole number of lamports (u64)`, {
      value: text,
    });
  }
  return BigInt(text);
}

export async function setRelayFeeAction(opts: SetRelayFeeOptions): Promise<void> {
  if (opts.margin !== undefined && opts.floor !== undefined) {
    throw new ValidatorError('ARGUMENT_INVALID', 'give --margin or --floor, not both');
  }
  const asset = fieldFromDecimal(opts.asset ?? '0');
  const { config, rpc, chain } = await chainFor(opts.config);
  const account = await chain.account(chain.address);
  if (!account) {
    throw new ValidatorError('NOT_REGISTERED', `${chain.address} has no validator account on this program`, {
      validator: chain.address,
    });
  }
  const cost = opts.floor === undefined ? await relayCost(rpc) : undefined;
  const margin =
    opts.margin !== undefined ? lamports(opts.margin, '--margin') : config.coordinator.relayFeeMarginLamports;
  const floor = opts.floor !== undefined ? lamports(opts.floor, '--floor') : cost!.total + margin;
  const sent = await chain.setRelayFee(asset, floor);
  const breakdown = cost
    ? {
        nullifierRecordRentLamports: cost.nullifierRecordRent.toString(),
        nullifierRecords: cost.nullifierRecords,
        signatureFeeLamports: cost.signatureFee.toString(),
        costLamports: cost.total.toString(),
        marginLamports: margin.toString(),
      }
    : {};
  const value = {
    action: 'set-relay-fee',
    address: chain.address,
    asset: fieldToDecimal(asset),
    floorLamports: floor.toString(),
    ...breakdown,
    signature: sent.signature,
  };
  if (opts.json) {
    console.log(JSON.stringify(value));
    return;
  }
  if (cost) {
    console.log(`nullifier record rent  ${cost.nullifierRecordRent} x 2 = ${2n * cost.nullifierRecordRent}`);
    console.log(`signature fee          ${cost.signatureFee}`);
    console.log(`cost per withdrawal    ${cost.total}`);
    console.log(`margin                 ${margin}`);
  }
  console.log(`floor                  ${floor} lamports (asset ${value.asset})`);
  console.log(`set for ${chain.address} (${sent.signature})`);
}
