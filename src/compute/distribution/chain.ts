import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, bytesToHex, createLogger, type Logger } from '../../common/index.js';
import { type LedgerExtension, sectionEntries } from '../../ledger/index.js';
import type { Field } from '../../privacy/index.js';
import type { ComputeStore } from '../../storage/index.js';
import { admitJob, checkAssignment } from '../admission.js';
import { ComputeError } from '../errors.js';
import { decodeJob } from '../job/codec.js';
import { jobId, jobIdBytes, jobIdHex } from '../job/job-id.js';
import type { OwnershipVerifier } from '../ownership/verifier.js';
import { decodeSignedResult, encodeSignedResult } from '../record.js';
import type { SignedResult } from '../result.js';
import { type ActiveJob, planBlock, tagKey } from './block-apply.js';
import { currentExecutors, decodeJobChain, encodeJobChain, type JobChain } from './chain-state.js';
import { decodeJobEntry, encodeJobEntry, JOBS_SECTION_KIND, RESULTS_SECTION_KIND } from './entries.js';
import type { JobPool, ResultPool } from './pools.js';
import { judgeResult } from './transitions.js';

/** Jobs one block may admit: each costs every validator a Groth16 verification. */
export const MAX_JOBS_PER_BLOCK = 2;
/**
 * Bytes the compute sections (jobs, then results) may take of a block's 288 KiB of sections; the
 * rest is left to the other extensions (the validator-set update). One largest job fits.
 */
export const COMPUTE_SECTIONS_BUDGET = 272 * 1024;
/**
 * Proposer policy, not a validity rule: a job's results wait in the pool until every executor of
 * the attempt has sent one or this many blocks passed since the attempt began, so a block that
 * makes a job final usually records the minority's results too (evidence against a faulty one).
 */
export const RESULT_LINGER_BLOCKS = 8n;
const VERIFIED_CACHE = 256;
/**
 * A pooled job no block took within this many blocks is dropped (its root may have left the
 * window, or every leader since refused it); the submitter sees it vanish from status and resubmits.
 */
export const JOB_POOL_TTL_BLOCKS = 64n;

export interface ComputeChainOptions {
  readonly store: ComputeStore;
  readonly verifier: Pick<OwnershipVerifier, 'verify'>;
  /**
   * Ed25519 keys of the validator set deciding `height`, as agreed through blocks; undefined for
   * a height this node cannot judge yet. A job is assigned from the set of the block admitting it.
   */
  readonly validators: (height: bigint) => readonly Uint8Array[] | undefined;
  /** Recent commitment-tree roots as of the last applied block. */
  readonly recentRoots: () => Promise<ReadonlySet<Field>>;
  readonly jobs: JobPool;
  readonly results: ResultPool;
  readonly logger?: Logger;
  /** After a block's compute changes are durable (the executor looks for work). */
  readonly onApplied?: (height: bigint) => void;
  /** When a block's compute entries penalise executors (metrics). */
  readonly onFaults?: (faults: ReadonlyMap<string, bigint>) => void;
  /** Rebuilding the state from a snapshot's window of blocks (planBlock's `fromWindow`). */
  readonly fromWindow?: boolean;
}

/**
 * The compute layer's replicated state machine: which jobs blocks admitted, the results blocks
 * recorded, agreement, retries and executor faults, all derived from block contents. It is the
 * ledger extensions of kinds 2 (jobs) and 3 (results); the ledger serializes every call to
 * propose/check/apply, so no two of them interleave.
 */
export class ComputeChain {
  private readonly active = new Map<string, ActiveJob>();
  private applied = 0n;
  private readonly verified = new Set<string>();
  private proposedJobBytes = { height: -1n, bytes: 0 };
  private readonly log: Logger;

  private constructor(private readonly o: ComputeChainOptions) {
    this.log = o.logger ?? createLogger('compute');
  }

  static async open(o: ComputeChainOptions): Promise<ComputeChain> {
    const chain = new ComputeChain(o);
    chain.applied = await o.store.appliedHeight();
    for (const { id, chain: raw } of await o.store.activeChains()) {
      const job = decodeJobChain(raw);
      const field = fieldFromIdBytes(id);
      chain.active.set(jobIdHex(field), { id: field, chain: job });
    }
    return chain;
  }

  get appliedHeight(): bigint {
    return this.applied;
  }

  /** Unfinished jobs in admission order. */
  activeJobs(): ActiveJob[] {
    return [...this.active.values()];
  }

  /** A job's chain state, unfinished or not. */
  async chainOf(idHex: string): Promise<JobChain | undefined> {
    const live = this.active.get(idHex);
    if (live) return live.chain;
    const raw = await this.o.store.getChain(jobIdBytes(fieldFromHex(idHex)));
    return raw ? decodeJobChain(raw) : undefined;
  }

  /**
   * Ingress and gossip admission into the job pool: admitJob against the current validator set,
   * recent roots and tags used on chain or in the pool. Throws ComputeError with the refusal.
   */
  async admit(bytes: Uint8Array): Promise<{ jobId: Field; added: boolean }> {
    // The next block's set: a set change before the job's block makes the proposer drop it.
    const validators = this.requireValidators(this.applied + 1n);
    const job = decodeJob(bytes);
    const id = jobId(job);
    const idHex = jobIdHex(id);
    if (this.o.jobs.has(idHex)) return { jobId: id, added: false };
    if (this.active.has(idHex) || (await this.o.store.getJob(jobIdBytes(id)))) {
      throw new ComputeError('JOB_KNOWN', 'a block already admitted this job');
    }
    if (await this.o.store.hasTag(tagKey(job))) {
      throw new ComputeError('OWNERSHIP_TAG_REUSED', 'this note already backs a job in this scope');
    }
    const roots = await this.o.recentRoots();
    const admitted = admitJob(bytes, {
      verifier: this.cachingVerifier(bytes),
      isKnownRoot: (r) => roots.has(r),
      isTagUsed: (scope, tag) => this.o.jobs.usesTag(scope, tag),
      validators,
    });
    const entry = encodeJobEntry({ ranked: admitted.executors ?? [], jobBytes: bytes });
    return {
      jobId: id,
      added: this.o.jobs.add(idHex, { jobId: id, job: admitted.job, entry, pooledAt: this.applied }),
    };
  }

  /** A result heard on gossip (or made here): pooled if it could enter the next block. */
  offerResult(result: SignedResult): boolean {
    const live = this.active.get(jobIdHex(result.result.jobId));
    if (!live) return false;
    if (judgeResult(live.id, live.chain, [], result) !== undefined) return false;
    return this.o.results.add(result);
  }

  jobsExtension(): LedgerExtension {
    return {
      kind: JOBS_SECTION_KIND,
      name: 'compute-jobs',
      propose: (h) => this.proposeJobs(h),
      // Every judgement here is a function of the chain (agreed sets, tree roots, tags, proofs),
      // so proposals and certified blocks being caught up are checked alike.
      check: (h, entries) => this.checkJobs(h, entries),
      // The block is applied once, as a whole, by the results extension (kind 3 follows kind 2).
      apply: async () => {},
      appliedHeight: async () => this.applied,
    };
  }

  resultsExtension(): LedgerExtension {
    return {
      kind: RESULTS_SECTION_KIND,
      name: 'compute-results',
      propose: (h) => this.proposeResults(h),
      check: (_h, entries) => this.checkResults(entries),
      apply: (h, entries, sections) =>
        this.applyBlock(h, sectionEntries(sections, JOBS_SECTION_KIND), entries),
      appliedHeight: async () => this.applied,
    };
  }

  // --- jobs (kind 2) ---

  private async proposeJobs(height: bigint): Promise<Uint8Array[]> {
    this.proposedJobBytes = { height, bytes: 0 };
    const validators = this.o.validators(height);
    if (!validators || this.o.jobs.size === 0) return [];
    const roots = await this.o.recentRoots();
    const picked: Uint8Array[] = [];
    const block = new BlockJobs();
    let bytes = 0;
    for (const [idHex, pending] of this.o.jobs.all()) {
      if (picked.length >= MAX_JOBS_PER_BLOCK) break;
      const problem = await this.jobEntryProblem(pending.entry, validators, roots, block);
      if (problem !== undefined) {
        this.o.jobs.remove(idHex);
        this.log.info({ job: idHex, problem }, 'pooled compute job dropped: it would not pass check');
        continue;
      }
      if (bytes + pending.entry.length + 4 > COMPUTE_SECTIONS_BUDGET) continue;
      bytes += pending.entry.length + 4;
      picked.push(pending.entry);
    }
    this.proposedJobBytes = { height, bytes };
    return picked;
  }

  private async checkJobs(height: bigint, entries: readonly Uint8Array[]): Promise<string | undefined> {
    if (entries.length === 0) return undefined;
    if (entries.length > MAX_JOBS_PER_BLOCK) return `more than ${MAX_JOBS_PER_BLOCK} jobs in one block`;
    const validators = this.o.validators(height);
    if (!validators) return 'the validator set is not known yet';
    const roots = await this.o.recentRoots();
    const block = new BlockJobs();
    for (const [i, entry] of entries.entries()) {
      const problem = await this.jobEntryProblem(entry, validators, roots, block);
      if (problem !== undefined) return `job ${i}: ${problem}`;
    }
    return undefined;
  }

  /** The same judgement for proposing and checking: undefined when the entry may enter the block. */
  private async jobEntryProblem(
    entry: Uint8Array,
    validators: readonly Uint8Array[],
    roots: ReadonlySet<Field>,
    block: BlockJobs,
  ): Promise<string | undefined> {
    try {
      const { ranked, jobBytes } = decodeJobEntry(entry);
      const job = decodeJob(jobBytes);
      const id = jobIdHex(jobId(job));
      if (block.ids.has(id) || this.active.has(id) || (await this.o.store.getJob(jobIdBytes(jobId(job))))) {
        return 'JOB_KNOWN: job already admitted';
      }
      const expected = checkAssignment(job, validators);
      if (expected.length !== ranked.length || expected.some((k, i) => !bytesEqual(k, ranked[i]!))) {
        return 'ASSIGNMENT_MISMATCH: entry names other executors than the ranking';
      }
      const tag = bytesToHex(tagKey(job));
      if (block.tags.has(tag) || (await this.o.store.hasTag(tagKey(job)))) {
        return 'OWNERSHIP_TAG_REUSED: this note already backs a job in this scope';
      }
      admitJob(jobBytes, {
        verifier: this.cachingVerifier(jobBytes),
        isKnownRoot: (r) => roots.has(r),
        validators,
      });
      block.ids.add(id);
      block.tags.add(tag);
      return undefined;
    } catch (e) {
      if (e instanceof ComputeError) return `${e.code}: ${e.message}`;
      throw e;
    }
  }

  /** Proof verification with a cache keyed by the whole job's bytes (proof included). */
  private cachingVerifier(jobBytes: Uint8Array): Pick<OwnershipVerifier, 'verify'> {
    const key = bytesToHex(sha256(jobBytes));
    return {
      verify: (proof, statement) => {
        if (this.verified.has(key)) return true;
        const ok = this.o.verifier.verify(proof, statement);
        if (ok) {
          if (this.verified.size >= VERIFIED_CACHE)
            this.verified.delete(this.verified.values().next().value!);
          this.verified.add(key);
        }
        return ok;
      },
    };
  }

  // --- results (kind 3) ---

  private async proposeResults(height: bigint): Promise<Uint8Array[]> {
    const used = this.proposedJobBytes.height === height ? this.proposedJobBytes.bytes : 0;
    let budget = COMPUTE_SECTIONS_BUDGET - used;
    const picked: Uint8Array[] = [];
    for (const idHex of this.o.results.jobs()) {
      const live = this.active.get(idHex);
      if (!live) {
        // Finished on chain: its remaining results can never enter a block.
        if (await this.o.store.getChain(jobIdBytes(fieldFromHex(idHex)))) this.o.results.dropJob(idHex);
        continue;
      }
      const pooled = this.o.results.forJob(idHex);
      const recorded = new Set(live.chain.results.map((r) => bytesToHex(r.executor)));
      const waitingFor = currentExecutors(live.chain).filter((k) => !recorded.has(bytesToHex(k)));
      const pooledBy = new Set(pooled.map((r) => bytesToHex(r.executor)));
      const everyone = waitingFor.every((k) => pooledBy.has(bytesToHex(k)));
      if (!everyone && height - live.chain.attemptHeight < RESULT_LINGER_BLOCKS) continue;
      const pending: SignedResult[] = [];
      for (const r of pooled) {
        const code = judgeResult(live.id, live.chain, pending, r);
        if (code !== undefined) {
          this.o.results.dropResult(idHex, bytesToHex(r.executor));
          continue;
        }
        const bytes = encodeSignedResult(r);
        if (bytes.length + 4 > budget || picked.length >= 1024) break;
        budget -= bytes.length + 4;
        pending.push(r);
        picked.push(bytes);
      }
    }
    return picked;
  }

  private async checkResults(entries: readonly Uint8Array[]): Promise<string | undefined> {
    const pending = new Map<string, SignedResult[]>();
    for (const [i, entry] of entries.entries()) {
      let r: SignedResult;
      try {
        r = decodeSignedResult(entry);
      } catch (e) {
        if (e instanceof ComputeError) return `result ${i}: ${e.code}: ${e.message}`;
        throw e;
      }
      const idHex = jobIdHex(r.result.jobId);
      const live = this.active.get(idHex);
      if (!live) {
        const known = await this.o.store.getChain(jobIdBytes(r.result.jobId));
        return `result ${i}: ${known ? 'RESULT_JOB_FINISHED: the job is finished' : 'JOB_UNKNOWN: no block admitted this job'}`;
      }
      const before = pending.get(idHex) ?? [];
      const code = judgeResult(live.id, live.chain, before, r);
      if (code !== undefined) return `result ${i}: ${code}`;
      pending.set(idHex, [...before, r]);
    }
    return undefined;
  }

  // --- apply (kind 3's apply runs the whole block: jobs, results, timeouts) ---

  private async applyBlock(
    height: bigint,
    jobEntries: readonly Uint8Array[],
    resultEntries: readonly Uint8Array[],
  ): Promise<void> {
    if (height <= this.applied) return;
    const { next, changed, admitted, finished, audit, faultDelta } = planBlock(
      height,
      this.active,
      jobEntries,
      resultEntries,
      this.o.fromWindow ?? false,
    );
    const faults: { executor: Uint8Array; count: bigint }[] = [];
    const totals = new Map<string, bigint>();
    for (const [hex, delta] of faultDelta) {
      const executor = Uint8Array.from(Buffer.from(hex, 'hex'));
      const count = (await this.o.store.faults(executor)) + delta;
      faults.push({ executor, count });
      totals.set(hex, count);
    }
    const admittedIds = new Set(admitted.map((a) => a.idHex));
    const chainOf = (idHex: string) => encodeJobChain(next.get(idHex)!.chain);
    await this.o.store.applyBlock(height, {
      admitted: admitted.map((a) => ({
        id: a.id,
        payload: a.payload,
        tagKey: a.tagKey,
        chain: chainOf(a.idHex),
      })),
      chains: [...changed]
        .filter((h) => !admittedIds.has(h))
        .map((h) => ({ id: jobIdBytes(next.get(h)!.id), chain: chainOf(h) })),
      finished,
      audit,
      faults,
    });

    // Durable: adopt the new state, then tidy the pools.
    this.applied = height;
    this.active.clear();
    for (const [idHex, live] of next) {
      if (live.chain.status === 'admitted') this.active.set(idHex, live);
      else this.o.results.dropJob(idHex);
    }
    for (const idHex of admittedIds) this.o.jobs.remove(idHex);
    const expired = this.o.jobs.expire(height - JOB_POOL_TTL_BLOCKS);
    if (expired.length) this.log.info({ jobs: expired }, 'pooled compute jobs expired unadmitted');
    for (const idHex of changed) {
      const live = this.active.get(idHex);
      for (const r of live?.chain.results ?? []) this.o.results.dropResult(idHex, bytesToHex(r.executor));
    }
    if (totals.size > 0) this.o.onFaults?.(totals);
    this.o.onApplied?.(height);
  }

  private requireValidators(height: bigint): readonly Uint8Array[] {
    const v = this.o.validators(height);
    if (!v) throw new ComputeError('VALIDATORS_UNKNOWN', 'this node does not know the validator set yet');
    return v;
  }
}

/** Jobs and tags an in-progress block already holds. */
class BlockJobs {
  readonly ids = new Set<string>();
  readonly tags = new Set<string>();
}

export function fieldFromHex(idHex: string): Field {
  if (!/^[0-9a-f]{64}$/.test(idHex)) throw new ComputeError('JOB_MALFORMED', 'a job id is 64 hex digits');
  return BigInt(`0x${idHex}`) as Field;
}

function fieldFromIdBytes(id: Uint8Array): Field {
  let v = 0n;
  for (let i = id.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(id[i]!);
  return v as Field;
}
