import type { Address, Commitment, Signature, TransactionSigner } from '@solana/kit';
import { bytesEqual, createLogger, type Logger } from '../../common/index.js';
import { decodeBridgeState } from '../accounts.js';
import { buildEd25519Instruction, type Ed25519Entry } from '../ed25519.js';
import { BridgeError } from '../errors.js';
import { anchorRootInstruction } from '../instructions.js';
import type { AnchorFields } from '../messages.js';
import { deriveProgramAddresses, type ProgramAddresses } from '../pda.js';
import type { BridgeRpc } from '../rpc/client.js';
import type { SendOptions, TransactionSender } from './sender.js';

export type AnchorOutcome =
  | {
      readonly status: 'anchored';
      readonly signature: Signature;
      readonly slot: bigint;
      readonly attempts: number;
    }
  /** This height is on chain with this root (our earlier attempt, or another coordinator's). */
  | { readonly status: 'already-anchored'; readonly lastHeight: bigint }
  /** The chain has moved past this height with something else: this coordinator has been fenced off. */
  | { readonly status: 'superseded'; readonly lastHeight: bigint }
  /** The caller's gate said no right before sending (SendOptions.mayProceed): nothing was sent. */
  | { readonly status: 'withheld' };

export interface AnchorSubmitterOptions {
  readonly rpc: BridgeRpc;
  readonly sender: TransactionSender;
  readonly programId: Address;
  /** Signs anchor_root (counts toward the quorum when it is an active validator). */
  readonly submitter: TransactionSigner;
  /** Level at which the "already anchored?" check reads the state (default confirmed). */
  readonly commitment?: Commitment;
  readonly logger?: Logger;
}

/**
 * Sends anchor_root with the quorum's Ed25519 signatures. Idempotent: heights strictly increase on
 * chain, so before sending and after a HeightNotIncreasing rejection the state is read and the height
 * reported as already anchored (same root in the anchored ring) or superseded, never resent.
 */
export class AnchorSubmitter {
  private readonly log: Logger;
  private addresses: ProgramAddresses | undefined;

  constructor(private readonly o: AnchorSubmitterOptions) {
    this.log = o.logger ?? createLogger('bridge.anchor');
  }

  async submit(
    fields: AnchorFields,
    quorum: readonly Ed25519Entry[],
    opts: SendOptions = {},
  ): Promise<AnchorOutcome> {
    const p = await this.programAddresses();
    const before = await this.onChain(fields);
    if (before) return this.report(before, fields);
    const instructions = [
      ...(quorum.length ? [buildEd25519Instruction(quorum)] : []),
      await anchorRootInstruction(p, this.o.submitter, fields),
    ];
    try {
      const sent = await this.o.sender.send(instructions, 'anchor', opts);
      this.o.rpc.metrics.submissions.inc({ kind: 'anchor', outcome: 'confirmed' });
      this.log.info({ height: `${fields.height}`, signature: sent.signature }, 'anchor confirmed');
      return { status: 'anchored', ...sent };
    } catch (e) {
      if (e instanceof BridgeError && e.code === 'SEND_WITHHELD') {
        this.o.rpc.metrics.submissions.inc({ kind: 'anchor', outcome: 'withheld' });
        this.log.info({ height: `${fields.height}` }, 'anchor withheld before sending');
        return { status: 'withheld' };
      }
      if (e instanceof BridgeError && e.code === 'HEIGHT_NOT_INCREASING') {
        const after = await this.onChain(fields);
        if (after) return this.report(after, fields);
      }
      this.o.rpc.metrics.submissions.inc({ kind: 'anchor', outcome: 'failed' });
      throw e;
    }
  }

  /** The chain's view of this height, or null when it is still to be anchored. */
  private async onChain(fields: AnchorFields): Promise<{ lastHeight: bigint; sameRoot: boolean } | null> {
    const p = await this.programAddresses();
    const account = await this.o.rpc.accountData(p.bridgeState, this.o.commitment ?? 'confirmed');
    if (!account)
      throw new BridgeError('BRIDGE_NOT_INITIALIZED', 'bridge state not found', { programId: p.programId });
    const state = decodeBridgeState(account.data);
    if (state.lastHeight < fields.height) return null;
    const entry = state.anchors.find((a) => a.height === fields.height);
    return { lastHeight: state.lastHeight, sameRoot: !!entry && bytesEqual(entry.root, fields.root) };
  }

  private report(seen: { lastHeight: bigint; sameRoot: boolean }, fields: AnchorFields): AnchorOutcome {
    const status = seen.sameRoot ? 'already-anchored' : 'superseded';
    this.o.rpc.metrics.submissions.inc({ kind: 'anchor', outcome: status.replace('-', '_') });
    this.log.info(
      { height: `${fields.height}`, lastHeight: `${seen.lastHeight}`, status },
      'anchor not sent',
    );
    return { status, lastHeight: seen.lastHeight };
  }

  private async programAddresses(): Promise<ProgramAddresses> {
    this.addresses ??= await deriveProgramAddresses(this.o.programId);
    return this.addresses;
  }
}
