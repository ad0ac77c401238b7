import type { Address, Commitment, Signature } from '@solana/kit';
import { createLogger, type Logger } from '../../common/index.js';
import { fieldToBytesBE } from '../../privacy/index.js';
import { BridgeError } from '../errors.js';
import { type WithdrawArgs, withdrawInstruction } from '../instructions.js';
import { deriveProgramAddresses, findNullifierPda, type ProgramAddresses } from '../pda.js';
import type { BridgeRpc } from '../rpc/client.js';
import type { SendOptions, TransactionSender } from './sender.js';

export type WithdrawOutcome =
  | {
      readonly status: 'withdrawn';
      readonly signature: Signature;
      readonly slot: bigint;
      readonly attempts: number;
    }
  /** A NullifierRecord exists: this withdrawal (or another spend of the note) already went through. */
  | { readonly status: 'already-spent' }
  /** The current slot is past expiration_slot; the program would refuse it forever. */
  | { readonly status: 'expired'; readonly slot: bigint; readonly expirationSlot: bigint }
  /** The caller's gate said no right before sending (SendOptions.mayProceed): nothing was sent. */
  | { readonly status: 'withheld' };

export interface WithdrawSubmitterOptions {
  readonly rpc: BridgeRpc;
  /** Its fee payer signs as `payer` (funds the nullifier PDAs' rent); normally the relayer. */
  readonly sender: TransactionSender;
  readonly programId: Address;
  readonly commitment?: Commitment;
  readonly logger?: Logger;
}

/**
 * Sends withdraw transactions. Idempotent: spent nullifiers and expired withdrawals are detected
 * before sending and recognised in the program's rejection (NullifierSpent, Expired), then reported as
 * outcomes, not retried.
 */
export class WithdrawSubmitter {
  private readonly log: Logger;
  private addresses: ProgramAddresses | undefined;

  constructor(private readonly o: WithdrawSubmitterOptions) {
    this.log = o.logger ?? createLogger('bridge.withdraw');
  }

  async submit(args: WithdrawArgs, opts: SendOptions = {}): Promise<WithdrawOutcome> {
    this.addresses ??= await deriveProgramAddresses(this.o.programId);
    const p = this.addresses;
    const early = await this.settled(args);
    if (early) return this.report(early, args);
    try {
      const sent = await this.o.sender.send(
        [await withdrawInstruction(p, this.o.sender.feePayer, args)],
        'withdraw',
        opts,
      );
      this.o.rpc.metrics.submissions.inc({ kind: 'withdraw', outcome: 'confirmed' });
      this.log.info({ signature: sent.signature }, 'withdrawal confirmed');
      return { status: 'withdrawn', ...sent };
    } catch (e) {
      if (e instanceof BridgeError && e.code === 'SEND_WITHHELD') {
        this.o.rpc.metrics.submissions.inc({ kind: 'withdraw', outcome: 'withheld' });
        return { status: 'withheld' };
      }
      // The program's word is final: its checks ran on newer state than our pre-check read.
      if (e instanceof BridgeError && e.code === 'NULLIFIER_SPENT')
        return this.report({ status: 'already-spent' }, args);
      if (e instanceof BridgeError && e.code === 'EXPIRED') {
        const slot = await this.o.rpc.slot('processed');
        return this.report({ status: 'expired', slot, expirationSlot: args.expirationSlot }, args);
      }
      this.o.rpc.metrics.submissions.inc({ kind: 'withdraw', outcome: 'failed' });
      throw e;
    }
  }

  private async settled(args: WithdrawArgs): Promise<WithdrawOutcome | null> {
    const commitment = this.o.commitment ?? 'confirmed';
    const spent = await Promise.all(
      args.nullifiers.map(async (n) => {
        const [pda] = await findNullifierPda(this.o.programId, fieldToBytesBE(n));
        // A system account pre-funded at the address by a griefer is not a spend.
        return (await this.o.rpc.accountData(pda, commitment))?.owner === this.o.programId;
      }),
    );
    if (spent.some(Boolean)) return { status: 'already-spent' };
    const slot = await this.o.rpc.slot('processed');
    if (slot > args.expirationSlot) return { status: 'expired', slot, expirationSlot: args.expirationSlot };
    return null;
  }

  private report(outcome: WithdrawOutcome, args: WithdrawArgs): WithdrawOutcome {
    this.o.rpc.metrics.submissions.inc({ kind: 'withdraw', outcome: outcome.status.replace('-', '_') });
    this.log.info(
      { status: outcome.status, expirationSlot: `${args.expirationSlot}` },
      'withdrawal not sent',
    );
    return outcome;
  }
}
