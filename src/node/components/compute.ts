import { Counter, Gauge } from 'prom-client';
import { bytesToHex, type Logger } from '../../common/index.js';
import type {
  ComputeChain,
  ComputeError,
  ExecutorKeys,
  JobPool,
  ResultPool,
  Sandbox,
  SignedResult,
} from '../../compute/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { HttpError } from '../../ingress/index.js';
import { decodeBlock, type LedgerExtension, sectionEntries } from '../../ledger/index.js';
import type { Field } from '../../privacy/index.js';
import { readKeypairFile } from '../../validator/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { ConsensusComponent } from './consensus.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';

// The compute module pulls in binaryen (megabytes); loaded when the ledger makes the extensions.
type ComputeModule = typeof import('../../compute/index.js');
const loadCompute = (): Promise<ComputeModule> => import('../../compute/index.js');

/** COMPUTE message kinds on the 'compute' gossip topic (docs/protocol.md §Compute jobs). */
export const COMPUTE_KIND_JOB = 1;
export const COMPUTE_KIND_RESULT = 2;
/** Jobs waiting for this executor's sandbox; more are refused (they are retried on other executors). */
const MAX_EXECUTION_QUEUE = 32;
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
  private keys: (ExecutorKeys & { publicKey: Uint8Array }) | undefined;
  private readonly queue: string[] = [];
  private readonly started = new Set<string>();
  private readonly mine = new Map<string, SignedResult>();
  private running = false;
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
        storedJobEntries: async (h) => {
          const stored = await storage.blocks.getByHeight(h);
          if (!stored) throw new NodeError('INVALID_STATE', 'a stored block is missing', { height: `${h}` });
          return sectionEntries(decodeBlock(stored.block).sections, compute.JOBS_SECTION_KIND);
        },
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
    this.keys = {
      signingSecret: seed,
      encryptionSecret: compute.executorX25519Secret(seed),
      publicKey: keypair.publicKey,
    };
    this.sandbox = new compute.Sandbox(o.wallClockMs ? { wallClockMs: o.wallClockMs } : {});
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
        detail: `applied ${chain.appliedHeight}, active ${chain.activeJobs().length}, pooled jobs ${this.jobs?.size ?? 0}, results ${this.results?.size ?? 0}, executing ${this.queue.length}`,
      })),
    );
    this.afterBlock();
    o.logger.info({ executor: bytesToHex(this.keys.publicKey) }, 'compute started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.cleanups.splice(0)) c();
    this.queue.length = 0;
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

  /** After each applied block: queue the jobs whose current attempt names this validator. */
  private afterBlock(): void {
    const compute = this.compute;
    const keys = this.keys;
    if (!compute || !keys || this.stopped) return;
    this.metrics.pooled.set({ pool: 'jobs' }, this.jobs?.size ?? 0);
    this.metrics.pooled.set({ pool: 'results' }, this.results?.size ?? 0);
    const me = bytesToHex(keys.publicKey);
    const active = new Set<string>();
    for (const { id, chain } of this.chain.activeJobs()) {
      const idHex = compute.jobIdHex(id);
      active.add(idHex);
      if (!compute.currentExecutors(chain).some((k) => bytesToHex(k) === me)) continue;
      if (chain.results.some((r) => bytesToHex(r.executor) === me)) {
        this.mine.delete(idHex);
        continue;
      }
      if (this.started.has(idHex)) continue;
      if (this.queue.length >= MAX_EXECUTION_QUEUE) {
        this.metrics.executions.inc({ outcome: 'queue_full' });
        this.o.logger.warn({ job: idHex }, 'compute execution queue full: job left to the retry');
        continue;
      }
      this.started.add(idHex);
      this.queue.push(idHex);
    }
    for (const idHex of [...this.mine.keys()]) if (!active.has(idHex)) this.mine.delete(idHex);
    for (const idHex of [...this.started]) if (!active.has(idHex)) this.started.delete(idHex);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let idHex = this.queue.shift(); idHex !== undefined && !this.stopped; idHex = this.queue.shift()) {
        await this.execute(idHex);
      }
    } finally {
      this.running = false;
    }
  }

  private async execute(idHex: string): Promise<void> {
    const compute = this.compute!;
    const keys = this.keys!;
    const sandbox = this.sandbox;
    if (!sandbox) return;
    try {
      const stored = await this.o.storage.storage.compute.getJob(
        compute.jobIdBytes(compute.fieldFromHex(idHex)),
      );
      if (!stored)
        throw new NodeError('INVALID_STATE', 'an admitted job has no stored record', { job: idHex });
      const job = compute.decodeJob(stored.payload);
      const started = performance.now();
      const { signed } = await compute.executeJob(job, keys, sandbox);
      const result = faultWrongOutput() ? compute.corruptedResult(signed.result, keys.signingSecret) : signed;
      this.metrics.executions.inc({ outcome: result.result.status });
      this.o.logger.info(
        {
          job: idHex,
          status: result.result.status,
          fuel: `${result.result.fuelUsed}`,
          ms: Math.round(performance.now() - started),
        },
        'compute job executed',
      );
      this.mine.set(idHex, result);
      this.chainValue?.offerResult(result);
      this.publish(COMPUTE_KIND_RESULT, compute.encodeSignedResult(result));
    } catch (err) {
      // Not a result (sandbox timeout or crash, envelope that does not open): nothing is signed;
      // the job's retry moves on without this executor.
      this.metrics.executions.inc({ outcome: 'error' });
      this.o.logger.warn({ err, job: idHex }, 'compute job execution failed');
    }
  }

  private republish(): void {
    const compute = this.compute;
    if (!compute) return;
    for (const result of this.mine.values()) {
      this.chainValue?.offerResult(result);
      this.publish(COMPUTE_KIND_RESULT, compute.encodeSignedResult(result));
    }
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
