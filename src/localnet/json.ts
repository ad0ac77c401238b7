// JSON with u64 values: bigints are written as bare integer literals, as Solana's RPC does, and
// @solana/kit's bigint-aware parser reads them back without loss.
const MARK = '\u0000bigint:';

export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${MARK}${v}` : v)).replace(
    /"\\u0000bigint:(-?\d+)"/g,
    '$1',
  );
}
