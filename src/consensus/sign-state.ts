/**
 * What a validator must not forget across a restart, persisted (synced) BEFORE the message it
 * protects leaves the node:
 * - the last (height, round) it published a signed message in: after a restart the engine resumes
 *   that height one round later, so it never signs two different votes for one slot (slashable);
 *   metadata `consensus/last-signed` = height u64 | round u32;
 * - its lock and valid value (Algorithm 1), so a restart never releases a lock; metadata
 *   `consensus/lock` = version u8 (= 1) | height u64 | locked round u32 | valid round u32
 *   (0xFFFFFFFF = none) | locked bytes bytes32 | valid bytes bytes32 | locked hash [32] | valid hash [32].
 */
import { consensusReader, consensusWriter } from './codec.js';
import type { LockState } from './effects.js';
import type { KeyValue } from './kv.js';

const KEY = 'consensus/last-signed';
const LOCK_KEY = 'consensus/lock';
const NONE = 0xffff_ffff;
const ZERO = new Uint8Array(32);

export interface SignPosition {
  readonly height: bigint;
  readonly round: number;
}

export class SignState {
  private last: SignPosition | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly kv: KeyValue | undefined) {}

  async load(): Promise<SignPosition | undefined> {
    const raw = await this.kv?.get(KEY);
    if (!raw) return undefined;
    const r = consensusReader(raw, 'last-signed');
    this.last = { height: r.u64(), round: r.u32() };
    r.end();
    return this.last;
  }

  async loadLock(): Promise<LockState | undefined> {
    const raw = await this.kv?.get(LOCK_KEY);
    if (!raw) return undefined;
    const r = consensusReader(raw, 'lock');
    if (r.u8() !== 1) return undefined;
    const height = r.u64();
    const lockedRound = r.u32();
    const validRound = r.u32();
    const lockedBytes = r.bytes(r.u32());
    const validBytes = r.bytes(r.u32());
    const lockedValue = r.bytes(32);
    const validValue = r.bytes(32);
    r.end();
    const has = (round: number) => round !== NONE;
    return {
      height,
      lockedRound: has(lockedRound) ? lockedRound : -1,
      lockedValue: has(lockedRound) ? lockedValue : undefined,
      lockedBytes: has(lockedRound) ? lockedBytes : undefined,
      validRound: has(validRound) ? validRound : -1,
      validValue: has(validRound) ? validValue : undefined,
      validBytes: has(validRound) ? validBytes : undefined,
    };
  }

  /** Persists the lock in send order: a precommit gated after this call leaves only once it is durable. */
  persistLock(l: LockState): Promise<void> {
    const locked = l.lockedValue !== undefined && l.lockedBytes !== undefined;
    const valid = l.validValue !== undefined && l.validBytes !== undefined;
    const lb = locked ? l.lockedBytes! : new Uint8Array(0);
    const vb = valid ? l.validBytes! : new Uint8Array(0);
    const bytes = consensusWriter('lock')
      .u8(1)
      .u64(l.height)
      .u32(locked ? l.lockedRound : NONE)
      .u32(valid ? l.validRound : NONE)
      .u32(lb.length)
      .raw(lb)
      .u32(vb.length)
      .raw(vb)
      .fixed(locked ? l.lockedValue! : ZERO, 32, 'locked hash')
      .fixed(valid ? l.validValue! : ZERO, 32, 'valid hash')
      .finish();
    const kv = this.kv;
    this.chain = this.chain.then(async () => {
      await kv?.put(LOCK_KEY, bytes, { sync: true });
    });
    return this.chain;
  }

  /**
   * Runs `send` once the position is durable. Sends stay in call order; positions that are not
   * newer than the last one persisted cost no write.
   */
  gate(pos: SignPosition, send: () => void): Promise<void> {
    this.chain = this.chain.then(async () => {
      const l = this.last;
      if (this.kv && (!l || pos.height > l.height || (pos.height === l.height && pos.round > l.round))) {
        await this.kv.put(KEY, consensusWriter('last-signed').u64(pos.height).u32(pos.round).finish(), {
          sync: true,
        });
        this.last = pos;
      }
      send();
    });
    return this.chain;
  }
}
