/**
 * The checks every fault scenario must pass (DESIGN section 11, issue #29):
 * - safety: no two final blocks at one height, whether in what validators stored or in what they
 *   announced final at any time (their logs, across restarts); every validator's chain a prefix of
 *   the longest; no nullifier spent twice in it; the vault on chain moved by exactly the deposits
 *   minus the withdrawals;
 * - liveness: after the last fault healed, every validator finalizes a new block within the bound;
 * - no acknowledged transaction lost: every 202 ends published in a final block (or refused with
 *   a reason), every confirmed deposit ends in the L2 tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '../../src/common/index.js';
import { decodeBlock } from '../../src/ledger/index.js';
import { NodeStorage } from '../../src/storage/index.js';
import type { DepositRecord, Submission } from './load.js';
import type { HeightSample } from './observe.js';

export interface ChainView {
  /** Per validator, the hashes of its stored final blocks, heights 1.. in order. */
  readonly hashes: readonly (readonly string[])[];
  readonly longest: number;
}

/** Reads every validator's stored chain (their processes stopped) and checks safety on it. */
export async function checkStoredChains(
  dataDirs: readonly string[],
  violations: string[],
): Promise<ChainView> {
  const hashes: string[][] = [];
  const nullifierOwners = new Map<string, number>();
  let longest = -1;
  for (const [i, dir] of dataDirs.entries()) {
    const storage = await NodeStorage.open(dir);
    const chain: string[] = [];
    try {
      const tip = storage.blocks.tip()?.height ?? 0n;
      for (let h = 1n; h <= tip; h++) {
        const b = await storage.blocks.getByHeight(h);
        if (!b) {
          violations.push(`validator ${i}: no stored block at height ${h} below its tip ${tip}`);
          break;
        }
        chain.push(bytesToHex(b.hash));
      }
      hashes.push(chain);
      if (longest === -1 || chain.length > hashes[longest]!.length) longest = i;
    } finally {
      await storage.close();
    }
  }
  const ref = hashes[longest] ?? [];
  for (const [i, chain] of hashes.entries()) {
    for (let h = 0; h < chain.length; h++) {
      if (chain[h] !== ref[h]) {
        violations.push(
          `validator ${i} and validator ${longest} stored different final blocks at height ${h + 1}`,
        );
        break;
      }
    }
  }
  // Double spends: every nullifier of the longest chain once.
  if (longest >= 0) {
    const storage = await NodeStorage.open(dataDirs[longest]!);
    try {
      for (let h = 1; h <= ref.length; h++) {
        const b = await storage.blocks.getByHeight(BigInt(h));
        for (const t of decodeBlock(b!.block).transactions) {
          for (const n of t.tx.statement.nullifiers) {
            const key = n.toString();
            const first = nullifierOwners.get(key);
            if (first !== undefined) violations.push(`nullifier ${key} spent at heights ${first} and ${h}`);
            else nullifierOwners.set(key, h);
          }
        }
      }
    } finally {
      await storage.close();
    }
  }
  return { hashes, longest };
}

/** 'block final' lines of every validator's log (all its runs): one hash per height, cohort-wide. */
export function checkAnnouncedFinal(logFiles: readonly string[], violations: string[]): number {
  const byHeight = new Map<string, { hash: string; validator: number }>();
  let lines = 0;
  for (const [i, file] of logFiles.entries()) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"block final"')) continue;
      let entry: { height?: string; hash?: string };
      try {
        entry = JSON.parse(line) as { height?: string; hash?: string };
      } catch {
        continue;
      }
      if (!entry.height || !entry.hash) continue;
      lines++;
      const seen = byHeight.get(entry.height);
      if (!seen) byHeight.set(entry.height, { hash: entry.hash, validator: i });
      else if (seen.hash !== entry.hash)
        violations.push(
          `height ${entry.height} announced final as ${seen.hash.slice(0, 12)} by validator ${seen.validator} and as ${entry.hash.slice(0, 12)} by validator ${i}`,
        );
    }
  }
  return lines;
}

export interface AckSummary {
  readonly submitted: number;
  readonly acknowledged: number;
  readonly final: number;
  /** Refused with a reason (4xx with a code), never acknowledged. */
  readonly refused: Readonly<Record<string, number>>;
  /** No validator answered at all (all down for this client). */
  readonly unanswered: number;
  readonly resubmitted: number;
  readonly depositsConfirmed: number;
  readonly depositsInL2: number;
}

export function checkAcknowledged(
  submissions: readonly Submission[],
  deposits: readonly DepositRecord[],
  published: ReadonlyMap<string, number>,
  violations: string[],
): AckSummary {
  const refused: Record<string, number> = {};
  let acknowledged = 0;
  let final = 0;
  let unanswered = 0;
  for (const s of submissions) {
    if (published.has(s.commitment)) final++;
    if (s.ackedAtMs !== undefined) {
      acknowledged++;
      if (!published.has(s.commitment))
        violations.push(
          `transfer ${s.index} acknowledged (202) by validator ${s.tried[0]} at ${s.ackedAtMs} ms is not final`,
        );
    } else if (s.status === 0) unanswered++;
    else refused[s.code ?? `HTTP_${s.status}`] = (refused[s.code ?? `HTTP_${s.status}`] ?? 0) + 1;
  }
  const confirmed = deposits.filter((d) => d.confirmedAtMs !== undefined);
  const inL2 = confirmed.filter((d) => published.has(d.commitment));
  for (const d of confirmed)
    if (!published.has(d.commitment))
      violations.push(`deposit ${d.commitment.slice(0, 12)} confirmed on chain is not in the L2 tree`);
  return {
    submitted: submissions.length,
    acknowledged,
    final,
    refused,
    unanswered,
    resubmitted: submissions.filter((s) => s.resubmitted > 0).length,
    depositsConfirmed: confirmed.length,
    depositsInL2: inL2.length,
  };
}

export interface Recovery {
  /** ms from the heal to every running validator past the height the best one had at the heal. */
  readonly recoverMs: number | null;
  readonly heightAtHeal: number;
}

/** From height samples: when, after `healAtMs`, every validator passed the best height at the heal. */
export function recoveryAfter(samples: readonly HeightSample[], healAtMs: number): Recovery {
  const at = samples.filter((s) => s.atMs <= healAtMs).at(-1) ?? samples[0];
  const heightAtHeal = Math.max(0, ...(at?.heights ?? []).map((h) => h ?? 0));
  for (const s of samples) {
    if (s.atMs < healAtMs) continue;
    if (s.heights.every((h) => h !== null && h > heightAtHeal))
      return { recoverMs: s.atMs - healAtMs, heightAtHeal };
  }
  return { recoverMs: null, heightAtHeal };
}

/** Blocks the cohort finalized (the best height's growth) within [fromMs, toMs). */
export function finalizedBetween(samples: readonly HeightSample[], fromMs: number, toMs: number): number {
  const best = (s: HeightSample | undefined) => Math.max(0, ...(s?.heights ?? []).map((h) => h ?? 0));
  const start = samples.filter((s) => s.atMs <= fromMs).at(-1) ?? samples[0];
  const end = samples.filter((s) => s.atMs < toMs).at(-1);
  return Math.max(0, best(end) - best(start));
}

export function percentile(xs: readonly number[], p: number): number | null {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const dataDirOf = (validatorDir: string) => join(validatorDir, 'data');
