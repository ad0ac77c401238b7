/**
 * Validator-set epochs. The set that decides a height is agreed through the blocks themselves:
 * block 1 carries the genesis set (the active validators every founding validator read from the
 * chain), and every block at a multiple of the epoch length carries the set read from the chain at
 * that point, which decides from two heights later. Two, not one: when block h is applied the
 * replicas are already deciding h + 1 (they move on as soon as h is decided), so h + 2 is the first
 * height every validator can switch at without racing its own commit. Restarts and catching-up
 * validators take the sets from stored blocks, never from a fresh chain read, so they agree with
 * the cohort whatever changed on chain since.
 */
import { ByteReader, ByteWriter, bytesToHex, type CodecErrorFactory } from '../common/index.js';
import { consensusReader, consensusWriter } from './codec.js';
import { ConsensusError } from './errors.js';
import type { KeyValue } from './kv.js';
import { compareBytes, type ValidatorInfo } from './validator-set.js';

export const MAX_SET_SIZE = 64;
const ENTRY_BYTES = 32 + 8 + 4;
/** Heights between the block that carries a set and the first height it decides. */
export const ACTIVATION_DELAY = 2n;

/** Does the block at `height` carry a validator set? (height 1, and every multiple of the epoch) */
export function carriesValidatorSet(height: bigint, epochBlocks: number): boolean {
  return height === 1n || (height > 1n && height % BigInt(epochBlocks) === 0n);
}

/** First height the set carried by block `height` decides. */
export function activationHeight(carriedAt: bigint): bigint {
  return carriedAt === 1n ? 1n : carriedAt + ACTIVATION_DELAY;
}

/**
 * `n u16 | n x (Ed25519 key [32] | stake u64 | reputation u32)`, keys strictly increasing, all
 * little-endian; reputation >= 1 (a leader weight factor), stake > 0.
 */
export function encodeValidatorSet(validators: readonly ValidatorInfo[]): Uint8Array {
  const sorted = [...validators].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  checkSet(sorted);
  const w = new ByteWriter(setInvalid, 2 + sorted.length * ENTRY_BYTES, 'validator set');
  writeValidatorSet(w, sorted);
  return w.finish();
}

function writeValidatorSet(w: ByteWriter, sorted: readonly ValidatorInfo[]): void {
  w.u16(sorted.length, 'count');
  for (const v of sorted) {
    w.fixed(v.publicKey, 32, 'key')
      .u64(v.stake, 'stake')
      .u32(v.reputation ?? 1, 'reputation');
  }
}

export function decodeValidatorSet(bytes: Uint8Array): ValidatorInfo[] {
  const r = new ByteReader(bytes, setInvalid, 'validator set');
  const out = readValidatorSet(r);
  r.end();
  return out;
}

function readValidatorSet(r: ByteReader): ValidatorInfo[] {
  const n = r.count(r.u16('count'), MAX_SET_SIZE, ENTRY_BYTES, 'validators');
  const out: ValidatorInfo[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ publicKey: r.bytes(32, 'key'), stake: r.u64('stake'), reputation: r.u32('reputation') });
  }
  checkSet(out);
  return out;
}

/** Every failure of a validator set's bytes, either way, is VALIDATOR_SET_INVALID. */
const setInvalid: CodecErrorFactory = (_kind, message, context) =>
  new ConsensusError('VALIDATOR_SET_INVALID', message, { ...context });

function checkSet(sorted: readonly ValidatorInfo[]): void {
  if (sorted.length === 0 || sorted.length > MAX_SET_SIZE) {
    throw new ConsensusError('VALIDATOR_SET_INVALID', `a validator set has 1..${MAX_SET_SIZE} members`, {
      size: sorted.length,
    });
  }
  sorted.forEach((v, i) => {
    const rep = v.reputation ?? 1;
    if (v.publicKey.length !== 32 || v.stake <= 0n || v.stake >= 1n << 64n) {
      throw new ConsensusError('VALIDATOR_SET_INVALID', 'bad validator key or stake', { index: i });
    }
    if (!Number.isInteger(rep) || rep < 1 || rep > 0xffffffff) {
      throw new ConsensusError('VALIDATOR_SET_INVALID', 'reputation must be a u32 >= 1', { index: i });
    }
    if (i > 0 && compareBytes(sorted[i - 1]!.publicKey, v.publicKey) >= 0) {
      throw new ConsensusError('VALIDATOR_SET_INVALID', 'validator keys must be strictly increasing', {
        index: i,
      });
    }
  });
}

/** Same members, stakes and reputations (order-insensitive). */
export function sameValidatorSet(a: readonly ValidatorInfo[], b: readonly ValidatorInfo[]): boolean {
  const key = (s: readonly ValidatorInfo[]) =>
    [...s]
      .map((v) => `${bytesToHex(v.publicKey)}:${v.stake}:${v.reputation ?? 1}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

const HISTORY_KEY = 'consensus_validator_sets';

export interface ScheduledSet {
  /** First height this set decides. */
  readonly from: bigint;
  readonly validators: readonly ValidatorInfo[];
}

/**
 * The sets applied from blocks, by activation height, in the node's metadata store. Small (a set
 * per epoch); only the last few matter, so the record keeps the newest 8.
 */
export class ValidatorSetHistory {
  private sets: ScheduledSet[] = [];
  private appliedAt = 0n;

  constructor(private readonly store: KeyValue) {}

  async load(): Promise<void> {
    const raw = await this.store.get(HISTORY_KEY);
    if (!raw) return;
    // appliedAt u64 | count u8 | count x (from u64 | set length u32 | set)
    const r = consensusReader(raw, 'validator set history');
    this.appliedAt = r.u64('applied height');
    const count = r.u8('count');
    const sets: ScheduledSet[] = [];
    for (let i = 0; i < count; i++) {
      const from = r.u64('from');
      const set = r.view(r.length('u32', 2 + MAX_SET_SIZE * ENTRY_BYTES, 'set'), 'set');
      sets.push({ from, validators: decodeValidatorSet(set) });
    }
    r.end();
    this.sets = sets;
  }

  /** The last block height whose set (or absence of one) was recorded. */
  get appliedHeight(): bigint {
    return this.appliedAt;
  }

  /** The set deciding `height`, if the history reaches back that far. */
  at(height: bigint): ScheduledSet | undefined {
    let found: ScheduledSet | undefined;
    for (const s of this.sets) if (s.from <= height) found = s;
    return found;
  }

  /** Sets scheduled after `height` (at most one in practice: epochs are longer than the delay). */
  after(height: bigint): ScheduledSet[] {
    return this.sets.filter((s) => s.from > height);
  }

  /** Records block `height`'s set (if it carries one); idempotent for a height already recorded. */
  async record(height: bigint, validators: readonly ValidatorInfo[] | undefined): Promise<void> {
    if (height <= this.appliedAt) return;
    if (validators) {
      const from = activationHeight(height);
      this.sets = [...this.sets.filter((s) => s.from !== from), { from, validators }]
        .sort((a, b) => (a.from < b.from ? -1 : 1))
        .slice(-8);
    }
    this.appliedAt = height;
    // Synced only when a set arrives: a lost plain height is replayed from the stored blocks.
    await this.store.put(HISTORY_KEY, this.encode(), { sync: validators !== undefined });
  }

  private encode(): Uint8Array {
    const w = consensusWriter('validator set history', 512).u64(this.appliedAt, 'applied height');
    w.u8(this.sets.length, 'count');
    for (const s of this.sets) {
      w.u64(s.from, 'from').bytesU32(encodeValidatorSet(s.validators), 0xffff_ffff, 'set');
    }
    return w.finish();
  }
}
