import { describe, expect, it } from 'vitest';
import { FIELD_ZERO, toField } from '../privacy/index.js';
import { WalletError } from './errors.js';
import { chooseRelayer, type RelayerQuotes } from './relayer-choice.js';

const SOL = FIELD_ZERO;
const OTHER = toField(7n);
const quote = (address: string, sol: bigint | undefined, other?: bigint) => ({
  address,
  fees: [
    ...(sol === undefined ? [] : [{ asset: SOL, floor: sol }]),
    ...(other === undefined ? [] : [{ asset: OTHER, floor: other }]),
  ],
});

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof WalletError) return e.code;
    throw e;
  }
  return undefined;
};

describe('chooseRelayer', () => {
  const quotes: RelayerQuotes = {
    self: 'B',
    relayers: [
      quote('A', 2_000_000n),
      quote('B', 2_000_000n),
      quote('C', 1_900_000n, 5n),
      quote('D', undefined, 3n),
    ],
  };

  it('picks the cheapest floor for the asset, at its floor', () => {
    expect(chooseRelayer(quotes, SOL)).toEqual({ relayer: 'C', fee: 1_900_000n, floor: 1_900_000n });
    expect(chooseRelayer(quotes, OTHER)).toEqual({ relayer: 'D', fee: 3n, floor: 3n });
  });

  it("breaks a tie in favour of the ingress's own validator, else the first quoted", () => {
    const tied = { ...quotes, relayers: quotes.relayers.slice(0, 2) };
    expect(chooseRelayer(tied, SOL).relayer).toBe('B');
    expect(chooseRelayer({ ...tied, self: undefined }, SOL).relayer).toBe('A');
    expect(chooseRelayer({ ...tied, self: 'Z' }, SOL).relayer).toBe('A');
  });

  it('honours --relayer and --fee, refusing what the L2 would refuse before anything is proven', () => {
    expect(chooseRelayer(quotes, SOL, { relayer: 'A' })).toEqual({
      relayer: 'A',
      fee: 2_000_000n,
      floor: 2_000_000n,
    });
    expect(chooseRelayer(quotes, SOL, { fee: 3_000_000n })).toMatchObject({ relayer: 'C', fee: 3_000_000n });
    expect(codeOf(() => chooseRelayer(quotes, SOL, { fee: 1_899_999n }))).toBe('FEE_BELOW_FLOOR');
    expect(codeOf(() => chooseRelayer(quotes, SOL, { relayer: 'A', fee: 1_900_000n }))).toBe(
      'FEE_BELOW_FLOOR',
    );
    expect(codeOf(() => chooseRelayer(quotes, SOL, { relayer: 'D' }))).toBe('RELAYER_NOT_REGISTERED');
    expect(codeOf(() => chooseRelayer(quotes, SOL, { relayer: 'nobody' }))).toBe('RELAYER_NOT_REGISTERED');
    expect(codeOf(() => chooseRelayer(quotes, SOL, { fee: -1n }))).toBe('AMOUNT_INVALID');
    expect(codeOf(() => chooseRelayer({ self: undefined, relayers: [] }, SOL))).toBe('NO_RELAYER');
    expect(codeOf(() => chooseRelayer(quotes, toField(8n)))).toBe('NO_RELAYER');
  });
});
