import type { Field } from '../privacy/index.js';
import { WalletError } from './errors.js';

/** An active validator as relayer, with its on-chain fee floor per asset (GET /v1/relayers). */
export interface RelayerQuote {
  readonly address: string;
  readonly fees: readonly { readonly asset: Field; readonly floor: bigint }[];
}

export interface RelayerQuotes {
  /** The ingress validator's own relayer address, when it relays. */
  readonly self: string | undefined;
  readonly relayers: readonly RelayerQuote[];
}

export interface RelayerChoice {
  readonly relayer: string;
  readonly fee: bigint;
  /** The chosen relayer's floor for the asset (what the L2 admits at least). */
  readonly floor: bigint;
}

const floorOf = (q: RelayerQuote, asset: Field): bigint | undefined =>
  q.fees.find((f) => f.asset === asset)?.floor;

/**
 * Picks the relayer and fee of a withdrawal before it is proven: the cheapest floor for the asset
 * (ties go to the ingress's own validator, then to the first quoted), at its floor; `relayer` and
 * `fee` override either. A fee under the chosen relayer's floor, or a relayer that quotes no floor for
 * the asset, is refused here with the code the L2 would answer, so no proof is spent on it.
 */
export function chooseRelayer(
  quotes: RelayerQuotes,
  asset: Field,
  want: { readonly relayer?: string | undefined; readonly fee?: bigint | undefined } = {},
): RelayerChoice {
  if (want.fee !== undefined && want.fee < 0n) {
    throw new WalletError('AMOUNT_INVALID', 'the relayer fee cannot be negative', { target: `${want.fee}` });
  }
  let relayer: string;
  let floor: bigint;
  if (want.relayer !== undefined) {
    const quoted = quotes.relayers.find((q) => q.address === want.relayer);
    const f = quoted && floorOf(quoted, asset);
    if (f === undefined) {
      throw new WalletError(
        'RELAYER_NOT_REGISTERED',
        `${want.relayer} is not an active validator relaying this asset`,
        { relayer: want.relayer },
      );
    }
    relayer = want.relayer;
    floor = f;
  } else {
    let best: { relayer: string; floor: bigint } | undefined;
    for (const q of quotes.relayers) {
      const f = floorOf(q, asset);
      if (f === undefined) continue;
      const cheaper = best === undefined || f < best.floor;
      const tieToSelf = best !== undefined && f === best.floor && q.address === quotes.self;
      if (cheaper || tieToSelf) best = { relayer: q.address, floor: f };
    }
    if (!best) throw new WalletError('NO_RELAYER', 'no active validator quotes a relay fee for this asset');
    ({ relayer, floor } = best);
  }
  const fee = want.fee ?? floor;
  if (fee < floor) {
    throw new WalletError('FEE_BELOW_FLOOR', `fee ${fee} is under ${relayer}'s floor of ${floor}`, {
      relayer,
      fee: `${fee}`,
      floor: `${floor}`,
    });
  }
  return { relayer, fee, floor };
}
