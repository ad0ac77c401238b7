/**
 * The last (height, round) this validator published a signed message in, persisted (synced) BEFORE
 * the message leaves the node. After a restart the engine resumes that height one round later, so an
 * honest validator never signs two different votes for one slot, which `slash` would punish.
 * Metadata `consensus/last-signed` = height u64 | round u32.
 */
import { Reader, Writer } from './codec.js';
import type { KeyValue } from './kv.js';

const KEY = 'consensus/last-signed';

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
    const r = new Reader(raw, 'last-signed');
    this.last = { height: r.u64(), round: r.u32() };
    r.end();
    return this.last;
  }

  /**
   * Runs `send` once the position is durable. Sends stay in call order; positions that are not
   * newer than the last one persisted cost no write.
   */
  gate(pos: SignPosition, send: () => void): Promise<void> {
    this.chain = this.chain.then(async () => {
      const l = this.last;
      if (this.kv && (!l || pos.height > l.height || (pos.height === l.height && pos.round > l.round))) {
        await this.kv.put(KEY, new Writer().u64(pos.height).u32(pos.round).finish(), { sync: true });
        this.last = pos;
      }
      send();
    });
    return this.chain;
  }
}
