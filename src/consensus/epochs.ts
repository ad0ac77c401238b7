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
import { bytesToHex } from '../common/index.js';
import { ConsensusError, type ConsensusErrorContexts } from './errors.js';
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
  const out = new Uint8Array(2 + sorted.length * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  view.setUint16(0, sorted.length, true);
  sorted.forEach((v, i) => {
    const at = 2 + i * ENTRY_BYTES;
    out.set(v.publicKey, at);
    view.setBigUint64(at + 32, v.stake, true);
    view.setUint32(at + 40, v.reputation ?? 1, true);
  });
  return out;
}

export function decodeValidatorSet(bytes: Uint8Array): ValidatorInfo[] {
  const fail = (why: string, ctx: ConsensusErrorContexts['VALIDATOR_SET_INVALID'] = {}): never => {
    throw new ConsensusError('VALIDATOR_SET_INVALID', why, ctx);
  };
  if (bytes.length < 2) fail('validator set entry too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(0, true);
  if (bytes.length !== 2 + n * ENTRY_BYTES) fail('validator set entry has the wrong length', { n });
  const out: ValidatorInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = 2 + i * ENTRY_BYTES;
    out.push({
      publicKey: bytes.slice(at, at + 32),
      stake: view.getBigUint64(at + 32, true),
      reputation: view.getUint32(at + 40, true),
    });
  }
  checkSet(out);
  return out;
}

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
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    this.appliedAt = view.getBigUint64(0, true);
    const count = raw[8]!;
    let at = 9;
    const sets: ScheduledSet[] = [];
    for (let i = 0; i < count; i++) {
      const from = view.getBigUint64(at, true);
      const len = view.getUint32(at + 8, true);
      sets.push({ from, validators: decodeValidatorSet(raw.subarray(at + 12, at + 12 + len)) });
      at += 12 + len;
    }
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
    const parts = this.sets.map((s) => {
      const body = encodeValidatorSet(s.validators);
      const head = new Uint8Array(12);
      const v = new DataView(head.buffer);
      v.setBigUint64(0, s.from, true);
      v.setUint32(8, body.length, true);
      return [head, body];
    });
    const flat = parts.flat();
    const out = new Uint8Array(9 + flat.reduce((n, p) => n + p.length, 0));
    new DataView(out.buffer).setBigUint64(0, this.appliedAt, true);
    out[8] = this.sets.length;
    let at = 9;
    for (const p of flat) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
