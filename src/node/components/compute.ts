import { Counter, Gauge } from 'prom-client';
import { bytesToHex, type Logger } from '../../common/index.js';
import type {
  ComputeChain,
  ComputeError,
  JobPool,
  ResultPool,
  Sandbox,
  SignedResult,
} from '../../compute/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { HttpError } from '../../ingress/index.js';
import type { LedgerExtension } from '../../ledger/index.js';
import type { Field } from '../../privacy/index.js';
import { readKeypairFile } from '../../validator/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import { ComputeExecutor } from './compute-executor.js';
import type { ConsensusComponent } from './consensus.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';

// The compute module pulls in binaryen (megabytes); loaded when the ledger makes the extensions.
type ComputeModule = typeof import('../../compute/index.js');
const loadCompute = (): Promise<ComputeModule> => import('../../compute/index.js');

/** COMPUTE message kinds on the 'compute' gossip topic (docs/protocol.md §Compute jobs). */
export const COMPUTE_KIND_JOB = 1;
export const COMPUTE_KIND_RESULT = 2;
/** Own results not yet in a block are published again this often (gossip may have lost them). */
const REPUBLISH_MS = 4_000;

export interface ComputeComponentOptions {
  readonly keyFile: string;
  readonly storage: StorageComponent;
  readonly network: NetworkComponent;
  readonly consensus: ConsensusComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly wallClockMs?: number;
}

/**
 * Private compute on this validator: the compute chain (ledger extensions kinds 2 and 3, made when
 * the ledger starts), the job and result pools fed by the ingress and the 'compute' topic, and the
 * executor, which runs the jobs blocks assign to this validator in the sandbox, one at a time, and
 * gossips its signed results.
 */
export class ComputeComponent implements Component {
  readonly name = 'compute';
  readonly dependsOn = ['storage', 'network', 'ledger', 'consensus'];
  private compute: ComputeModule | undefined;
  private chainPromise: Promise<ComputeChain> | undefined;
  private chainValue: ComputeChain | undefined;
  private jobs: JobPool | undefined;
  private results: ResultPool | undefined;
  private sandbox: Sandbox | undefined;
  private executor: ComputeExecutor | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private cleanups: (() => void)[] = [];
  private readonly metrics;

  constructor(private readonly o: ComputeComponentOptions) {
    const registers = [o.registry];
    this.metrics = {
      faults: new Gauge({
        name: 'paraloom_compute_executor_faults',
        help: 'Agreed compute faults of an executor (disagreeing, equivocating or silent), from blocks',
        labelNames: ['executor'],
        registers,
      }),
      admissions: new Counter({
        name: 'paraloom_compute_admissions_total',
        help: 'Compute jobs offered to this node (ingress or gossip), by outcome',
        labelNames: ['origin', 'outcome'],
        registers,
      }),
      executions: new Counter({
        name: 'paraloom_compute_executions_total',
        help: 'Jobs this validator ran as an executor, by outcome',
        labelNames: ['outcome'],
        registers,
      }),
      gossipErrors: new Counter({
        name: 'paraloom_compute_gossip_errors_total',
        help: 'Compute messages that could not be published or were refused on receipt',
        labelNames: ['kind'],
        registers,
      }),
      pooled: new Gauge({
        name: 'paraloom_compute_pool_size',
        help: 'Compute jobs and results waiting for a block',
        labelNames: ['pool'],
        registers,
      }),
    };
  }

  get chain(): ComputeChain {
    if (!this.chainValue) throw new NodeError('INVALID_STATE', 'compute is not started');
    return this.chainValue;
  }

  /** Ledger extension factory, kind 2 (jobs). */
  async jobsExtension(): Promise<LedgerExtension> {
    return (await this.openChain()).jobsExtension();
  }

  /** Ledger extension factory, kind 3 (results). */
  async resultsExtension(): Promise<LedgerExtension> {
    return (await this.openChain()).resultsExtension();
  }

  private openChain(): Promise<ComputeChain> {
    this.chainPromise ??= (async () => {
      const compute = await loadCompute();
      this.compute = compute;
      const o = this.o;
      const storage = o.storage.storage;
      this.jobs = new compute.JobPool();
      this.results = new compute.ResultPool();
      const chain = await compute.ComputeChain.open({
        store: storage.compute,
        verifier: await compute.loadOwnershipVerifier(),
        validators: (h) => o.consensus.validatorsAt(h)?.map((v) => v.publicKey),
        recentRoots: async () => new Set((await storage.tree.loadState())?.rootHistory ?? []),
        jobs: this.jobs,
        results: this.results,
        logger: o.logger,
        onApplied: () => this.afterBlock(),
        onFaults: (totals) => {
          for (const [executor, count] of totals) this.metrics.faults.set({ executor }, Number(count));
        },
      });
      this.chainValue = chain;
      return chain;
    })();
    return this.chainPromise;
  }

  async start(): Promise<void> {
    const o = this.o;
    const chain = await this.openChain();
    const compute = this.compute!;
    const keypair = await readKeypairFile(o.keyFile);
    const seed = keypair.secretKey.slice(0, 32);
    const sandbox = new compute.Sandbox(o.wallClockMs ? { wallClockMs: o.wallClockMs } : {});
    this.sandbox = sandbox;
    this.executor = new ComputeExecutor({
      compute,
      keys: {
        signingSecret: seed,
        encryptionSecret: compute.executorX25519Secret(seed),
        publicKey: keypair.publicKey,
      },
      sandbox,
      store: o.storage.storage.compute,
      emit: (result) => this.emit(result),
      executions: this.metrics.executions,
      logger: o.logger,
      faultWrongOutput: faultWrongOutput(),
    });
    for (const [executor, count] of await o.storage.storage.compute.allFaults()) {
      this.metrics.faults.set({ executor }, Number(count));
    }
    const network = o.network.network;
    this.cleanups.push(
      network.onGossip('compute', (msg) => {
        if (msg.type !== 'COMPUTE') return;
        if (msg.kind === COMPUTE_KIND_JOB) {
          this.admit(msg.body, 'gossip').catch((err: unknown) => {
            o.logger.debug({ err }, 'gossiped compute job not admitted');
          });
        } else if (msg.kind === COMPUTE_KIND_RESULT) {
          try {
            chain.offerResult(compute.decodeSignedResult(msg.body));
          } catch (err) {
            this.metrics.gossipErrors.inc({ kind: 'result' });
            o.logger.debug({ err }, 'gossiped compute result does not decode');
          }
        }
      }),
    );
    this.timer = setInterval(() => this.republish(), REPUBLISH_MS);
    this.cleanups.push(
      o.readiness.register('compute', () => ({
        ok: !this.stopped,
        detail: `applied ${chain.appliedHeight}, active ${chain.activeJobs().length}, pooled jobs ${this.jobs?.size ?? 0}, results ${this.results?.size ?? 0}, executing ${this.executor?.queued ?? 0}`,
      })),
    );
    this.afterBlock();
    o.logger.info({ executor: bytesToHex(keypair.publicKey) }, 'compute started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.cleanups.splice(0)) c();
    this.executor?.stop();
    await this.sandbox?.close();
    this.sandbox = undefined;
  }

  /** Ingress and gossip: admit into the pool; a job new to this node is gossiped on. */
  async admit(bytes: Uint8Array, origin: 'ingress' | 'gossip'): Promise<{ id: string; added: boolean }> {
    const compute = this.compute;
    if (!compute || !this.chainValue) throw new NodeError('INVALID_STATE', 'compute is not started');
    try {
      const { jobId, added } = await this.chainValue.admit(bytes);
      this.metrics.admissions.inc({ origin, outcome: added ? 'admitted' : 'known' });
      this.metrics.pooled.set({ pool: 'jobs' }, this.jobs!.size);
      if (added && origin === 'ingress') this.publish(COMPUTE_KIND_JOB, bytes);
      return { id: compute.jobIdHex(jobId), added };
    } catch (err) {
      const code = err instanceof compute.ComputeError ? err.code : 'INTERNAL';
      this.metrics.admissions.inc({ origin, outcome: code });
      throw err;
    }
  }

  /** The ingress' view: job submission, status, the executor set. ComputeErrors become typed 4xx. */
  ingressBackend() {
    return {
      maxJobBytes: this.compute?.MAX_JOB_BYTES ?? 256 * 1024,
      submitJob: async (bytes: Uint8Array) => {
        try {
          const r = await this.admit(bytes, 'ingress');
          return { id: r.id, status: r.added ? 'pending' : 'known' };
        } catch (err) {
          throw this.httpError(err);
        }
      },
      jobStatus: (idHex: string) => this.status(idHex),
      executors: async () => {
        const compute = this.compute!;
        const height = this.chain.appliedHeight + 1n;
        const set = this.o.consensus.validatorsAt(height);
        if (!set) throw new HttpError(503, 'VALIDATORS_UNKNOWN', 'the validator set is not known yet');
        return {
          height: height.toString(),
          k: compute.executorsPerAttempt(set.length),
          ranked: compute.rankedCount(set.length),
          validators: set.map((v) => ({
            ed25519: bytesToHex(v.publicKey),
            x25519: bytesToHex(compute.executorX25519(v.publicKey)),
          })),
        };
      },
    };
  }

  private httpError(err: unknown): unknown {
    const compute = this.compute!;
    if (!(err instanceof compute.ComputeError)) return err;
    const e = err as ComputeError;
    if (e.code === 'JOB_KNOWN' || e.code === 'OWNERSHIP_TAG_REUSED')
      return new HttpError(409, e.code, e.message);
    if (e.code === 'VALIDATORS_UNKNOWN' || e.code === 'POOL_FULL')
      return new HttpError(503, e.code, e.message);
    if (e.code === 'JOB_LIMIT_EXCEEDED') return new HttpError(413, e.code, e.message);
    return new HttpError(400, e.code, e.message);
  }

  private async status(idHex: string): Promise<Record<string, unknown> | undefined> {
    const compute = this.compute!;
    let id: Field;
    try {
      id = compute.fieldFromHex(idHex);
    } catch (err) {
      throw this.httpError(err);
    }
    const chain = await this.chain.chainOf(idHex);
    if (!chain) return this.jobs?.has(idHex) ? { id: idHex, state: 'pending' } : undefined;
    const store = this.o.storage.storage.compute;
    const faults = new Map<string, bigint>();
    for (const k of compute.everAssigned(chain)) faults.set(bytesToHex(k), await store.faults(k));
    const rawFinal = await store.getResult(compute.jobIdBytes(id));
    return compute.jobStatusView(
      idHex,
      chain,
      rawFinal ? compute.decodeFinalRecord(rawFinal) : undefined,
      faults,
    );
  }

  /** After each applied block: pool sizes, and the executor looks for work. */
  private afterBlock(): void {
    this.metrics.pooled.set({ pool: 'jobs' }, this.jobs?.size ?? 0);
    this.metrics.pooled.set({ pool: 'results' }, this.results?.size ?? 0);
    if (this.chainValue) this.executor?.afterBlock(this.chainValue.activeJobs());
  }

  /** Own results no block recorded yet go out again: gossip may have lost them. */
  private republish(): void {
    const compute = this.compute;
    if (!compute) return;
    for (const result of this.executor?.pending() ?? []) this.emit(result);
  }

  private emit(result: SignedResult): void {
    this.chainValue?.offerResult(result);
    this.publish(COMPUTE_KIND_RESULT, this.compute!.encodeSignedResult(result));
  }

  private publish(kind: number, body: Uint8Array): void {
    this.o.network.network.publish('compute', { type: 'COMPUTE', kind, body }).catch((err: unknown) => {
      this.metrics.gossipErrors.inc({ kind: kind === COMPUTE_KIND_JOB ? 'job' : 'result' });
      this.o.logger.warn({ err }, 'could not gossip a compute message');
    });
  }
}

/**
 * PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT=1: this node's executor signs results over a corrupted output
 * (tests of the agreement and penalty path; docs/operations.md). Never set it on a real validator.
 */
function faultWrongOutput(): boolean {
  return process.env.PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT === '1';
}
