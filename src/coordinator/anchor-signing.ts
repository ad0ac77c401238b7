import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { DirectRouter } from '../network/index.js';
import type { ValidatorSigner } from '../validator/index.js';
import { DIRECT_KINDS, decodeSignRequest, encodeAnchorSignature } from './anchor-messages.js';
import { planAnchor } from './anchor-plan.js';
import type { FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';

export interface AnchorSigningOptions {
  readonly router: DirectRouter;
  readonly signer: ValidatorSigner;
  readonly blocks: FinalBlocks;
  readonly index: WithdrawalIndex;
  readonly logger?: Logger;
  readonly onSigned?: (height: bigint) => void;
}

/**
 * Every validator's side of anchoring: asked to approve (fromHeight, height], it recomputes the
 * anchor from its own final blocks and signs that. It never signs fields it was sent, so a
 * coordinator can only obtain signatures over what the cohort finalized; the range only decides
 * which final withdrawals the approval covers, and each can be paid once (its nullifier PDA).
 */
export class AnchorSigningService implements Lifecycle {
  private readonly log: Logger;
  private unregister: (() => void) | undefined;

  constructor(private readonly o: AnchorSigningOptions) {
    this.log = o.logger ?? createLogger('coordinator.anchor-signing');
  }

  async start(): Promise<void> {
    if (this.unregister) return;
    this.unregister = this.o.router.on(DIRECT_KINDS.anchorSignRequest, async (body, from) => {
      const req = decodeSignRequest(body);
      try {
        const plan = await planAnchor(this.o.blocks, this.o.index, req.fromHeight, req.height);
        const signed = this.o.signer.signAnchor(plan.fields);
        this.o.onSigned?.(req.height);
        return { kind: DIRECT_KINDS.anchorSignature, body: encodeAnchorSignature(signed) };
      } catch (err) {
        this.log.info(
          { err, peer: from, fromHeight: `${req.fromHeight}`, height: `${req.height}` },
          'anchor signature refused',
        );
        throw err;
      }
    });
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
  }
}
