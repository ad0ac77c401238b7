/**
 * Persisted equivocation evidence. One record per (validator, slot) under
 * `consensus/evidence/<id hex>` = state u8 (0 pending, 1 submitted) | evidence bytes, and an index of
 * ids under `consensus/evidence-index`. `claim` marks a record submitted (synced) BEFORE the caller
 * sends it, so a crash between the two loses at most one submission and never repeats one (the
 * program's slash record PDA would refuse a repeat anyway).
 */
import { bytesToHex, concatBytes, hexToBytes } from '../common/index.js';
import { decodeEvidence, type Equivocation, encodeEvidence, evidenceId } from './evidence.js';
import type { KeyValue } from './kv.js';

const INDEX = 'consensus/evidence-index';
const ID_BYTES = 32 + 13;
/** Oldest entries beyond this leave the index (their records stay, so they are still never re-sent). */
export const MAX_EVIDENCE_INDEX = 4096;

const PENDING = 0;
const SUBMITTED = 1;

export class EvidenceStore {
  private ids: string[] = [];
  private loaded = false;
  /** Ids being claimed right now: two concurrent claims must not both read "pending". */
  private readonly claiming = new Set<string>();

  constructor(private readonly kv: KeyValue) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    const raw = await this.kv.get(INDEX);
    this.ids = [];
    if (raw)
      for (let o = 0; o + ID_BYTES <= raw.length; o += ID_BYTES)
        this.ids.push(bytesToHex(raw.subarray(o, o + ID_BYTES)));
    this.loaded = true;
  }

  /** Stores new evidence; false when this (validator, slot) is already recorded. */
  async record(e: Equivocation): Promise<boolean> {
    await this.load();
    const id = bytesToHex(evidenceId(e));
    if (await this.kv.get(name(id))) return false;
    await this.kv.put(name(id), concatBytes(Uint8Array.of(PENDING), encodeEvidence(e)), { sync: true });
    this.ids.push(id);
    if (this.ids.length > MAX_EVIDENCE_INDEX) this.ids.splice(0, this.ids.length - MAX_EVIDENCE_INDEX);
    await this.kv.put(INDEX, concatBytes(...this.ids.map(hexToBytes)), { sync: true });
    return true;
  }

  async get(id: Uint8Array): Promise<{ evidence: Equivocation; submitted: boolean } | undefined> {
    const raw = await this.kv.get(name(bytesToHex(id)));
    if (!raw) return undefined;
    return { evidence: decodeEvidence(raw.subarray(1)), submitted: raw[0] === SUBMITTED };
  }

  /** Evidence recorded and not yet claimed for submission, oldest first. */
  async pending(): Promise<Equivocation[]> {
    await this.load();
    const out: Equivocation[] = [];
    for (const id of this.ids) {
      const r = await this.get(hexToBytes(id));
      if (r && !r.submitted) out.push(r.evidence);
    }
    return out;
  }

  /**
   * Every indexed record, newest first, at most `limit`. Reads the index from the store each time,
   * so a reader beside the engine (the dashboard) sees what the engine's own instance recorded.
   */
  async list(limit = MAX_EVIDENCE_INDEX): Promise<Array<{ evidence: Equivocation; submitted: boolean }>> {
    const raw = await this.kv.get(INDEX);
    const out: Array<{ evidence: Equivocation; submitted: boolean }> = [];
    if (!raw) return out;
    for (let i = Math.floor(raw.length / ID_BYTES) - 1; i >= 0 && out.length < limit; i--) {
      const r = await this.get(raw.subarray(i * ID_BYTES, (i + 1) * ID_BYTES));
      if (r) out.push(r);
    }
    return out;
  }

  /** Marks the evidence submitted; true only for the first caller (submit only when true). */
  async claim(e: Equivocation): Promise<boolean> {
    const id = bytesToHex(evidenceId(e));
    if (this.claiming.has(id)) return false;
    this.claiming.add(id);
    try {
      const raw = await this.kv.get(name(id));
      if (!raw || raw[0] === SUBMITTED) return false;
      const next = raw.slice();
      next[0] = SUBMITTED;
      await this.kv.put(name(id), next, { sync: true });
      return true;
    } finally {
      this.claiming.delete(id);
    }
  }
}

function name(idHex: string): string {
  return `consensus/evidence/${idHex}`;
}
