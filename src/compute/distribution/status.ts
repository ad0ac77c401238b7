import { bytesToHex } from '../../common/index.js';
import type { FinalRecord } from '../record.js';
import { currentExecutors, type JobChain } from './chain-state.js';

/** The JSON a client sees for a job on chain (`GET /v1/compute/jobs/<id>`, docs/operations.md). */
export function jobStatusView(
  idHex: string,
  chain: JobChain,
  record: FinalRecord | undefined,
  faults: ReadonlyMap<string, bigint>,
): Record<string, unknown> {
  const hex = bytesToHex;
  return {
    id: idHex,
    state: chain.status,
    admittedHeight: chain.admittedHeight.toString(),
    attempt: chain.attempt,
    attemptHeight: chain.attemptHeight.toString(),
    k: chain.k,
    executors: currentExecutors(chain).map(hex),
    backups: chain.ranked.slice(chain.used).map(hex),
    faults: Object.fromEntries([...faults].map(([k, v]) => [k, v.toString()])),
    results: chain.results.map((r) => ({
      executor: hex(r.executor),
      commitment: hex(r.commitment),
      status: r.result.status,
      fuelUsed: r.result.fuelUsed.toString(),
    })),
    final: record
      ? {
          status: record.result.result.status,
          abortCode: record.result.result.abortCode,
          fuelUsed: record.result.result.fuelUsed.toString(),
          commitment: hex(record.result.commitment),
          ciphertext: hex(record.result.result.outputCiphertext),
          agreeing: record.agreeing.map(hex),
          disagreeing: record.disagreeing.map(hex),
        }
      : null,
  };
}
