import { type Address, getAddressDecoder, type TransactionSigner } from '@solana/kit';
import {
  BridgeError,
  type BridgeRpc,
  buildEd25519Instruction,
  CLUSTER_IDS,
  type ClusterName,
  deriveProgramAddresses,
  encodeVoteMessage,
  findSlashRecordPda,
  slashInstruction,
  type TransactionSender,
  type VoteFields,
  voteSlotKey,
} from '../bridge/index.js';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { Equivocation, EvidenceStore, Vote } from '../consensus/index.js';
import type { CoordinatorMetrics } from './metrics.js';

export interface SlasherOptions {
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  readonly cluster: ClusterName;
  readonly sender: TransactionSender;
  readonly reporter: TransactionSigner;
  readonly store: EvidenceStore;
  /** Wait this long before submitting (0 on the coordinator; others give it time to do it). */
  readonly delayMs: () => number;
  readonly metrics: CoordinatorMetrics;
  readonly logger?: Logger;
}

const addressDecoder = getAddressDecoder();

const fieldsOf = (v: Vote): VoteFields => ({
  height: v.height,
  round: v.round,
  voteType: v.type,
  blockHash: v.blockHash,
});

/**
 * Takes equivocation evidence to the program's `slash` instruction: both signed votes as Ed25519
 * program signatures over the 94-byte vote messages, then slash naming them. The evidence store's
 * claim is made (synced) before sending, so a node submits each piece at most once, and the
 * program's slash record PDA refuses a second slash for the same vote slot from anyone.
 */
export class Slasher implements Lifecycle {
  private readonly log: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly o: SlasherOptions) {
    this.log = o.logger ?? createLogger('coordinator.slasher');
  }

  /** Submits evidence recorded before a restart and not claimed yet. */
  async start(): Promise<void> {
    for (const ev of await this.o.store.pending()) this.report(ev);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.inflight]);
  }

  report(ev: Equivocation): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      const p = this.submit(ev).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, this.o.delayMs());
    this.timers.add(t);
  }

  private async submit(ev: Equivocation): Promise<void> {
    const validator = addressDecoder.decode(ev.a.validator);
    const slot = voteSlotKey(fieldsOf(ev.a));
    const context = { validator, height: `${ev.a.height}`, round: ev.a.round, type: ev.a.type };
    try {
      const [record] = await findSlashRecordPda(this.o.programId, validator, slot);
      if (await this.o.rpc.accountData(record, 'confirmed')) {
        await this.o.store.claim(ev);
        this.o.metrics.slashes.inc({ outcome: 'already_slashed' });
        this.log.info(context, 'equivocation already slashed');
        return;
      }
      if (!(await this.o.store.claim(ev))) return;
      const cluster = CLUSTER_IDS[this.o.cluster];
      const messages = [ev.a, ev.b].map((v) => encodeVoteMessage(this.o.programId, cluster, fieldsOf(v)));
      const p = await deriveProgramAddresses(this.o.programId);
      const sent = await this.o.sender.send(
        [
          buildEd25519Instruction([
            { publicKey: ev.a.validator, signature: ev.a.signature, message: messages[0]! },
            { publicKey: ev.b.validator, signature: ev.b.signature, message: messages[1]! },
          ]),
          await slashInstruction(p, this.o.reporter, {
            validator,
            voteSlot: slot,
            signatureA: 0,
            signatureB: 1,
          }),
        ],
        'slash',
      );
      this.o.metrics.slashes.inc({ outcome: 'slashed' });
      this.log.warn({ ...context, signature: sent.signature }, 'equivocating validator slashed');
    } catch (err) {
      const already = err instanceof BridgeError && err.code === 'EVIDENCE_USED';
      this.o.metrics.slashes.inc({ outcome: already ? 'already_slashed' : 'failed' });
      this.log.error(
        { err, ...context },
        already ? 'equivocation already slashed' : 'slash submission failed',
      );
    }
  }
}
