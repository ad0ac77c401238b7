import type { Registry } from 'prom-client';
import { bytesToHex, type Lifecycle, type Logger } from '../../common/index.js';
import type { LedgerExtension } from '../../ledger/index.js';
import type { NetworkNode } from '../../network/index.js';
import type { Field } from '../../privacy/index.js';
import type { ComputeStore } from '../../storage/index.js';
import {
  executorsPerAttempt,
  executorX25519,
  executorX25519Secret,
  rankedCount,
} from '../distribution/assignment.js';
import { ComputeChain, fieldFromHex } from '../distribution/chain.js';
import { everAssigned } from '../distribution/chain-state.js';
import { JobPool, ResultPool } from '../distribution/pools.js';
import { jobStatusView } from '../distribution/status.js';
import { ComputeError } from '../errors.js';
import { jobIdBytes, jobIdHex } from '../job/job-id.js';
import { MAX_JOB_BYTES } from '../limits.js';
import { loadOwnershipVerifier } from '../ownership/verifier.js';
import { decodeFinalRecord, decodeSignedResult, encodeSignedResult } from '../record.js';
import type { SignedResult } from '../result.js';
import { Sandbox } from '../sandbox/sandbox.js';
import { ExecutionQueue } from './execution-queue.js';
import { type ComputeMetrics, computeMetrics } from './metrics.js';

/** COMPUTE message kinds on the 'compute' gossip topic (docs/protocol.md §Compute jobs). */
export const COMPUTE_KIND_JOB = 1;
export const COMPUTE_KIND_RESULT = 2;
/** Own results not yet in a block are published again this often (gossip may have lost them). */
export const REPUBLISH_MS = 4_000;

export interface ComputeServiceOptions {
  readonly store: ComputeStore;
  /** Recent commitment-tree roots as of the last applied block (ownership proofs name one). */
  readonly recentRoots: () => Promise<ReadonlySet<Field>>;
  /** Ed25519 keys of the validator set deciding `height`, as agreed through blocks. */
  readonly validatorsAt: (height: bigint) => readonly Uint8Array[] | undefined;
  readonly network: Pick<NetworkNode, 'publish' | 'onGossip'>;
  /** This validator's Ed25519 key: its public key and 32-byte seed. */
  readonly identity: { readonly publicKey: Uint8Array; readonly seed: Uint8Array };
  readonly registry: Registry;
  readonly wallClockMs?: number;
  /** PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT: sign results over a corrupted output (tests only). */
  readonly faultWrongOutput?: boolean;
  readonly logger: Logger;
}

/**
 * Private compute on a validator: the compute chain (ledger extensions kinds 2 and 3, opened before
 * the ledger starts), the job and result pools fed by the ingress and the 'compute' topic, and the
 * execution queue, which runs the jobs blocks assign to this validator in the sandbox and gossips
 * its signed results. Refusals are ComputeErrors with stable codes.
 */
export class ComputeService implements Lifecycle {
  readonly maxJobBytes = MAX_JOB_BYTES;
  private readonly metrics: ComputeMetrics;
  private readonly jobs = new JobPool();
  private readonly results = new ResultPool();
  private opening: Promise<ComputeChain> | undefined;
  private chainValue: ComputeChain | undefined;
  private sandbox: Sandbox | undefined;
  private queue: ExecutionQueue | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: ComputeServiceOptions) {
    this.metrics = computeMetrics(o.registry);
  }

  get chain(): ComputeChain {
    if (!this.chainValue) throw new ComputeError('NOT_STARTED', 'the compute chain is not open');
    return this.chainValue;
  }

  /** Opens the compute chain (once): the ledger needs its extensions before consensus runs. */
  openChain(): Promise<ComputeChain> {
    this.opening ??= (async () => {
      const chain = await ComputeChain.open({
        store: this.o.store,
        verifier: await loadOwnershipVerifier(),
        validators: this.o.validatorsAt,
        recentRoots: this.o.recentRoots,
        jobs: this.jobs,
        results: this.results,
        logger: this.o.logger,
        onApplied: () => this.afterBlock(),
        onFaults: (totals) => this.recordFaults(totals),
      });
      this.chainValue = chain;
      return chain;
    })();
    return this.opening;
  }

  async jobsExtension(): Promise<LedgerExtension> {
    return (await this.openChain()).jobsExtension();
  }

  async resultsExtension(): Promise<LedgerExtension> {
    return (await this.openChain()).resultsExtension();
  }

  async start(): Promise<void> {
    if (this.queue) return;
    const chain = await this.openChain();
    const { identity } = this.o;
    const sandbox = new Sandbox(this.o.wallClockMs ? { wallClockMs: this.o.wallClockMs } : {});
    this.sandbox = sandbox;
    this.queue = new ExecutionQueue({
      keys: {
        signingSecret: identity.seed,
        encryptionSecret: executorX25519Secret(identity.seed),
        publicKey: identity.publicKey,
      },
      sandbox,
      store: this.o.store,
      emit: (result) => this.emit(result),
      executions: this.metrics.executions,
      logger: this.o.logger,
      faultWrongOutput: this.o.faultWrongOutput ?? false,
    });
    this.recordFaults(await this.o.store.allFaults());
    this.unsubscribe = this.o.network.onGossip('compute', (msg) => {
      if (msg.type !== 'COMPUTE') return;
      if (msg.kind === COMPUTE_KIND_JOB) {
        this.admit(msg.body, 'gossip').catch((err: unknown) => {
          this.o.logger.debug({ err }, 'gossiped compute job not admitted');
        });
      } else if (msg.kind === COMPUTE_KIND_RESULT) {
        try {
          chain.offerResult(decodeSignedResult(msg.body));
        } catch (err) {
          this.metrics.gossipErrors.inc({ kind: 'result' });
          this.o.logger.debug({ err }, 'gossiped compute result does not decode');
        }
      }
    });
    this.timer = setInterval(() => this.republish(), REPUBLISH_MS);
    this.afterBlock();
    this.o.logger.info({ executor: bytesToHex(identity.publicKey) }, 'compute started');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue?.stop();
    await this.sandbox?.stop();
    this.sandbox = undefined;
  }

  /** Whether an error is a compute refusal (stable ComputeErrorCode), for the ingress' answers. */
  isComputeError(err: unknown): err is ComputeError {
    return err instanceof ComputeError;
  }

  /** One line for readiness. */
  describe(): string {
    const chain = this.chainValue;
    return `applied ${chain?.appliedHeight ?? 0n}, active ${chain?.activeJobs().length ?? 0}, pooled jobs ${this.jobs.size}, results ${this.results.size}, executing ${this.queue?.queued ?? 0}`;
  }

  /** Ingress and gossip: admit into the pool; a job new to this node from its ingress is gossiped on. */
  async admit(bytes: Uint8Array, origin: 'ingress' | 'gossip'): Promise<{ id: string; added: boolean }> {
    try {
      const { jobId, added } = await this.chain.admit(bytes);
      this.metrics.admissions.inc({ origin, outcome: added ? 'admitted' : 'known' });
      this.metrics.pooled.set({ pool: 'jobs' }, this.jobs.size);
      if (added && origin === 'ingress') this.publish(COMPUTE_KIND_JOB, bytes);
      return { id: jobIdHex(jobId), added };
    } catch (err) {
      this.metrics.admissions.inc({ origin, outcome: err instanceof ComputeError ? err.code : 'INTERNAL' });
      throw err;
    }
  }

  /** A job from this node's ingress. */
  async submitJob(bytes: Uint8Array): Promise<{ id: string; status: string }> {
    const r = await this.admit(bytes, 'ingress');
    return { id: r.id, status: r.added ? 'pending' : 'known' };
  }

  /** A job's state as pooled or recorded in blocks; undefined when this node knows no such job. */
  async jobStatus(idHex: string): Promise<Record<string, unknown> | undefined> {
    const id = fieldFromHex(idHex);
    const chain = await this.chain.chainOf(idHex);
    if (!chain) return this.jobs.has(idHex) ? { id: idHex, state: 'pending' } : undefined;
    const store = this.o.store;
    const faults = new Map<string, bigint>();
    for (const k of everAssigned(chain)) faults.set(bytesToHex(k), await store.faults(k));
    const rawFinal = await store.getResult(jobIdBytes(id));
    return jobStatusView(idHex, chain, rawFinal ? decodeFinalRecord(rawFinal) : undefined, faults);
  }

  /** The executor set a job admitted in the next block is assigned from. */
  async executors(): Promise<Record<string, unknown>> {
    const height = this.chain.appliedHeight + 1n;
    const set = this.o.validatorsAt(height);
    if (!set) throw new ComputeError('VALIDATORS_UNKNOWN', 'the validator set is not known yet');
    return {
      height: height.toString(),
      k: executorsPerAttempt(set.length),
      ranked: rankedCount(set.length),
      validators: set.map((key) => ({ ed25519: bytesToHex(key), x25519: bytesToHex(executorX25519(key)) })),
    };
  }

  private recordFaults(totals: ReadonlyMap<string, bigint>): void {
    for (const [executor, count] of totals) this.metrics.faults.set({ executor }, Number(count));
  }

  /** After each applied block: pool sizes, and the execution queue looks for work. */
  private afterBlock(): void {
    this.metrics.pooled.set({ pool: 'jobs' }, this.jobs.size);
    this.metrics.pooled.set({ pool: 'results' }, this.results.size);
    if (this.chainValue) this.queue?.afterBlock(this.chainValue.activeJobs());
  }

  /** Own results no block recorded yet go out again: gossip may have lost them. */
  private republish(): void {
    for (const result of this.queue?.pending() ?? []) this.emit(result);
  }

  private emit(result: SignedResult): void {
    this.chainValue?.offerResult(result);
    this.publish(COMPUTE_KIND_RESULT, encodeSignedResult(result));
  }

  private publish(kind: number, body: Uint8Array): void {
    this.o.network.publish('compute', { type: 'COMPUTE', kind, body }).catch((err: unknown) => {
      this.metrics.gossipErrors.inc({ kind: kind === COMPUTE_KIND_JOB ? 'job' : 'result' });
      this.o.logger.warn({ err }, 'could not gossip a compute message');
    });
  }
}
