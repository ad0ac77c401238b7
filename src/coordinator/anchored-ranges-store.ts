import type { AnchorEntry } from '../bridge/index.js';
import { codecs, createCodec } from '../common/index.js';
import { malformedMessage } from './codec.js';

/**
 * The anchored ranges a node can serve, kept in its meta store so a restart does not forget those the
 * chain's 64-anchor ring no longer names: their Approval accounts live until their withdrawals
 * expire, and a relayer that forgot them could no longer build those withdrawals' approval paths
 * (they would then be refunded instead of settled). Only heights and roots are kept; the withdrawals
 * are rebuilt from final blocks and checked against the stored withdrawals root.
 */
export const ANCHORED_RANGES_KEY = 'coordinator/anchored-ranges';
const VERSION = 1;
/** 64 in the ring plus those retained until expiry; beyond this the oldest are not remembered. */
export const MAX_STORED_RANGES = 4096;

export interface StoredRange {
  readonly entry: AnchorEntry;
  readonly fromHeight: bigint;
}

const storedRange = codecs.struct<{
  height: bigint;
  fromHeight: bigint;
  root: Uint8Array;
  withdrawalsRoot: Uint8Array;
  blockHash: Uint8Array;
}>({
  height: codecs.u64,
  fromHeight: codecs.u64,
  root: codecs.fixedBytes(32),
  withdrawalsRoot: codecs.fixedBytes(32),
  blockHash: codecs.fixedBytes(32),
});

const storedRanges = createCodec<readonly StoredRange[]>({
  what: 'stored anchored ranges',
  readError: malformedMessage,
  size: (v) => 1 + 2 + v.length * (8 + 8 + 96),
  read(r) {
    if (r.u8('version') !== VERSION) r.fail('invalid', 'unknown stored ranges version', 'version');
    return codecs
      .array(storedRange, { count: 'u16', cap: MAX_STORED_RANGES })
      .read(r, 'ranges')
      .map((s) => ({
        entry: { height: s.height, root: s.root, withdrawalsRoot: s.withdrawalsRoot, blockHash: s.blockHash },
        fromHeight: s.fromHeight,
      }));
  },
  write(w, ranges) {
    w.u8(VERSION);
    codecs.array(storedRange, { count: 'u16', cap: MAX_STORED_RANGES }).write(
      w,
      ranges.map((s) => ({ ...s.entry, fromHeight: s.fromHeight })),
      'ranges',
    );
  },
});

export function encodeStoredRanges(ranges: readonly StoredRange[]): Uint8Array {
  return storedRanges.encode(ranges.slice(-MAX_STORED_RANGES));
}

export function decodeStoredRanges(bytes: Uint8Array): readonly StoredRange[] {
  return storedRanges.decode(bytes);
}
