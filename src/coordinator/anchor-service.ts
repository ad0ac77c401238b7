import {
  type AnchorSubmitter,
  type BridgeState,
  type ChainView,
  type Ed25519Entry,
  encodeAnchorFields,
} from '../bridge/index.js';
import { bytesEqual, bytesToHex, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { NetworkNode } from '../network/index.js';
import { type RosterEntry, type ValidatorSigner, verifyAnchor } from '../validator/index.js';
import { DIRECT_KINDS, decodeAnchorSignature, encodeSignRequest } from './anchor-messages.js';
import { type AnchorPlan, nextAnchorHeight, planAnchor } from './anchor-plan.js';
import { CoordinatorError } from './errors.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';

export interface AnchorPolicy {
  /** Anchor once this many final blocks are unanchored. */
  readonly everyBlocks: number;
  /** ... or once this long has passed since the last anchor and a block is unanchored. */
  readonly everyMs: number;
  /** A final withdrawal waiting for approval is anchored after at most this long. */
  readonly withdrawalDelayMs: number;
}

export interface AnchorServiceOptions {
  /** The node's chain view: the last anchored height, and a fresh read before an anchor is planned. */
  readonly chain: Pick<ChainView, 'state' | 'refresh'>;
  readonly network: Pick<NetworkNode, 'request'>;
  readonly submitter: Pick<AnchorSubmitter, 'submit'>;
  readonly signer: ValidatorSigner;
  readonly blocks: FinalBlocks;
  readonly index: WithdrawalIndex;
  /** Active validators with their stakes and peer ids (read from the chain's registry). */
  readonly roster: () => Promise<readonly RosterEntry[]>;
  readonly policy: AnchorPolicy;
  readonly metrics: CoordinatorMetrics;
  readonly tickMs?: number;
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
  /** Whether this node may act as coordinator now (the election's lease); default always. */
  readonly active?: () => boolean;
  /** After every anchor that landed (ours or one already on chain). */
  readonly onAnchored?: (plan: AnchorPlan) => void;
}

/**
 * The coordinator's anchoring duty. On each tick it takes the chain's last anchored height L from
 * the chain view and this node's final tip T; when the view's L says an anchor is due, it reads the
 * chain again (the view may be a round old) and, when the policy says so it plans (L, H] with H = min(T, L + 512), shortened so that no anchor approves more
 * than 2^MAX_APPROVAL_DEPTH withdrawals (nextAnchorHeight), asks
 * every active validator for its signature over the same fields (each recomputes them), and sends
 * anchor_root once the signers' stake (the submitter's included) exceeds 2/3 of active stake, the
 * program's rule. Heights strictly increase on chain, so a resend or a second coordinator can at
 * worst be told "already anchored" or "superseded" (AnchorSubmitter reads the state first).
 */
export class AnchorService implements Lifecycle {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastAnchorAt = Date.now();
  private stopped = true;
  lastAnchoredHeight = 0n;

  constructor(private readonly o: AnchorServiceOptions) {
    this.log = o.logger ?? createLogger('coordinator.anchor');
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => {
          this.o.metrics.anchors.inc({ outcome: 'failed' });
          this.log.warn({ err }, 'anchor round failed');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.o.tickMs ?? 250);
        });
    };
    this.timer = setTimeout(tick, this.o.tickMs ?? 250);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One anchoring decision; exported for tests through the component. */
  async tick(): Promise<void> {
    if (this.o.active && !this.o.active()) return;
    const tip = this.o.blocks.tipHeight();
    if (!(await this.due(this.lastHeightIn(this.o.chain.state), tip))) return;
    // Due by the view's last read: read again, so the plan starts at the chain's height now.
    const last = this.lastHeightIn((await this.o.chain.refresh()).state);
    if (!(await this.due(last, tip))) return;
    await this.anchor(last, await nextAnchorHeight(this.o.index, last, tip));
  }

  private lastHeightIn(state: BridgeState | undefined): bigint {
    if (!state) throw new CoordinatorError('INVALID_STATE', 'bridge state not found on chain');
    this.lastAnchoredHeight = state.lastHeight;
    this.o.metrics.anchoredHeight.set(Number(state.lastHeight));
    return state.lastHeight;
  }

  private async due(last: bigint, tip: bigint): Promise<boolean> {
    this.o.metrics.anchorLag.set(Number(tip > last ? tip - last : 0n));
    if (tip <= last) return false;
    const sinceMs = Date.now() - this.lastAnchorAt;
    return (
      tip - last >= BigInt(this.o.policy.everyBlocks) ||
      sinceMs >= this.o.policy.everyMs ||
      (sinceMs >= this.o.policy.withdrawalDelayMs && (await this.o.index.any(last, tip)))
    );
  }

  private async anchor(fromHeight: bigint, height: bigint): Promise<void> {
    const started = performance.now();
    const plan = await planAnchor(this.o.blocks, this.o.index, fromHeight, height);
    const quorum = await this.collect(plan);
    // Too few signatures this round (validators down or behind): counted, logged, tried next tick.
    if (!quorum) return;
    // The lease may have run out while signatures were collected, or the process may have been
    // paused since: the gate is asked again right before the transaction goes out.
    if (this.o.active && !this.o.active()) return;
    const outcome = await this.o.submitter.submit(plan.fields, quorum, { mayProceed: this.o.active });
    this.o.metrics.anchors.inc({ outcome: outcome.status.replace('-', '_') });
    this.o.metrics.anchorSeconds.observe((performance.now() - started) / 1000);
    if (outcome.status === 'superseded' || outcome.status === 'withheld') return;
    this.lastAnchorAt = Date.now();
    this.lastAnchoredHeight = height;
    this.o.metrics.anchoredHeight.set(Number(height));
    // 'anchored' means this node's transaction landed; a height someone else anchored is logged apart.
    this.log.info(
      {
        height: `${height}`,
        fromHeight: `${fromHeight}`,
        withdrawals: plan.withdrawals.length,
        status: outcome.status,
        signature: outcome.status === 'anchored' ? outcome.signature : undefined,
        slot: outcome.status === 'anchored' ? `${outcome.slot}` : undefined,
      },
      outcome.status === 'anchored' ? 'anchored' : 'anchor already on chain',
    );
    // The view reads again at once, so its consumers (the relayer first) see the new anchor now.
    this.o.chain
      .refresh()
      .catch((err: unknown) => this.log.debug({ err }, 'chain view refresh after anchor failed'));
    this.o.onAnchored?.(plan);
  }

  /**
   * Signatures of other validators until, with this node's own stake as submitter, the signed stake
   * exceeds 2/3 of the active stake. Every validator is asked at once; the largest stakes are used
   * first so the transaction carries as few Ed25519 signatures as possible. Undefined (counted and
   * logged) when the answers do not reach that stake.
   */
  private async collect(plan: AnchorPlan): Promise<Ed25519Entry[] | undefined> {
    const roster = await this.o.roster();
    const total = roster.reduce((s, e) => s + e.stake, 0n);
    const threshold = (total * 2n) / 3n;
    const me = roster.find((e) => bytesEqual(e.publicKey, this.o.signer.publicKey));
    if (!me) throw new CoordinatorError('INVALID_STATE', 'this node is not an active validator');
    const want = encodeAnchorFields(plan.fields);
    const others = roster.filter((e) => e !== me && e.endpoints);
    const answers = await Promise.all(
      others.map(async (e) => {
        try {
          const res = await this.o.network.request(
            e.endpoints!.peerId,
            'direct',
            {
              type: 'DIRECT',
              kind: DIRECT_KINDS.anchorSignRequest,
              body: encodeSignRequest({ fromHeight: plan.fromHeight, height: plan.fields.height }),
            },
            { timeoutMs: this.o.requestTimeoutMs ?? 3_000 },
          );
          if (res.type !== 'DIRECT' || res.kind !== DIRECT_KINDS.anchorSignature) return undefined;
          const sig = decodeAnchorSignature(res.body);
          const valid =
            bytesEqual(sig.publicKey, e.publicKey) &&
            bytesEqual(encodeAnchorFields(sig.fields), want) &&
            verifyAnchor(this.o.signer.domain, sig);
          this.o.metrics.anchorSignatures.inc({ outcome: valid ? 'valid' : 'invalid' });
          if (!valid) {
            this.log.warn({ validator: e.address }, 'anchor signature does not match our fields');
            return undefined;
          }
          return { entry: e, sig };
        } catch (err) {
          this.o.metrics.anchorSignatures.inc({ outcome: 'error' });
          this.log.debug({ err, validator: e.address }, 'no anchor signature');
          return undefined;
        }
      }),
    );
    const valid = answers
      .filter((a) => a !== undefined)
      .sort((a, b) => (a.entry.stake > b.entry.stake ? -1 : a.entry.stake < b.entry.stake ? 1 : 0));
    const chosen: Ed25519Entry[] = [];
    let signed = me.stake;
    const digest = this.o.signer.signAnchor(plan.fields).digest;
    for (const a of valid) {
      if (signed > threshold) break;
      chosen.push({ publicKey: a.sig.publicKey, signature: a.sig.signature, message: digest });
      signed += a.entry.stake;
    }
    if (signed <= threshold) {
      this.o.metrics.anchors.inc({ outcome: 'no_quorum' });
      this.log.warn(
        {
          height: `${plan.fields.height}`,
          signedStake: `${signed}`,
          threshold: `${threshold}`,
          answered: valid.map((a) => bytesToHex(a.entry.publicKey).slice(0, 8)),
        },
        'not enough validators signed the anchor',
      );
      return undefined;
    }
    return chosen;
  }
}
