import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as snarkjs from 'snarkjs';
import { sha256Hex } from './canonical.js';
import { type ChainView, verifyChain } from './chain.js';
import { CeremonyError, type CeremonyErrorCode, type CeremonyErrorContexts } from './errors.js';
import { exportKey, gammaEqualsDelta } from './export.js';
import { exists, sha256File } from './files.js';
import {
  CHAIN_VERIFYING_KEY_FILE,
  r1csPath,
  transcriptPath,
  VERIFICATION_KEY_FILE,
  ZKEY_FILE_PATTERN,
} from './layout.js';
import type { CeremonyIO } from './progress.js';
import { exportVerificationKey, newZkey, verifyZkey, type ZkeyContribution } from './snark.js';
import { type Entry, type Phase1Record, readTranscript, type Transcript } from './transcript.js';

export interface AuditOptions {
  /** A ceremony directory or a finalized output directory. */
  readonly dir: string;
  /** The phase-1 file; must hash to the one the init entry recorded. */
  readonly ptau: string;
  /** Defaults to `<dir>/<circuit>.r1cs`. */
  readonly r1cs?: string;
  readonly io?: CeremonyIO;
}

export interface AuditedContribution {
  readonly index: number;
  readonly kind: 'contribution' | 'beacon';
  readonly name: string;
  readonly time: string;
  readonly contributionHash: string;
  readonly signer?: string;
}

export interface AuditReport {
  readonly circuit: string;
  readonly constraints: number;
  readonly phase1: Phase1Record;
  readonly entries: number;
  readonly contributions: readonly AuditedContribution[];
  /** Zkey files found and matched against their entries (intermediates may have been deleted). */
  readonly zkeysChecked: number;
  readonly finalZkey: string;
  readonly finalZkeySha256: string;
  readonly finalized: boolean;
  readonly verificationKey: Record<string, unknown>;
}

/** What finalize needs beyond the public report. */
export interface AuditResult {
  readonly report: AuditReport;
  readonly transcript: Transcript;
  readonly chain: ChainView;
  readonly r1cs: string;
  readonly initialVerificationKey: Record<string, unknown>;
}

type ZkeyEntry = Extract<Entry, { zkey_file: string }>;

function err<C extends CeremonyErrorCode>(code: C, message: string, ctx: CeremonyErrorContexts[C]) {
  return new CeremonyError(code, message, ctx);
}

async function checkInputs(dir: string, chain: ChainView, options: AuditOptions): Promise<string> {
  const { init } = chain;
  const r1cs = options.r1cs ?? r1csPath(dir, init.circuit);
  if (!(await exists(r1cs))) throw err('IO', `no r1cs at ${r1cs}`, { file: r1cs });
  if ((await sha256File(r1cs)) !== init.r1cs_sha256) {
    throw err('R1CS_MISMATCH', `${r1cs} is not the circuit entry #0 recorded`, { entry: 0, file: r1cs });
  }
  if ((await sha256File(options.ptau)) !== init.phase1.ptau_sha256) {
    throw err('PTAU_MISMATCH', `${options.ptau} is not the phase-1 file entry #0 recorded`, {
      entry: 0,
      expected: init.phase1.ptau_sha256,
    });
  }
  return r1cs;
}

/** Numbered zkeys newer than the transcript's last step mean entries were cut off its end. */
async function checkNoLaterZkeys(dir: string, circuit: string, lastIndex: number): Promise<void> {
  const pattern = ZKEY_FILE_PATTERN(circuit);
  for (const name of await readdir(dir)) {
    const m = pattern.exec(name);
    if (m && Number(m[1]) > lastIndex) {
      throw err('TRANSCRIPT_TRUNCATED', `${name} exists but the transcript ends at entry #${lastIndex}`, {
        entry: lastIndex + 1,
        file: name,
      });
    }
  }
}

function compareContributions(
  chain: ChainView,
  inZkey: readonly ZkeyContribution[],
  lastIndex: number,
): void {
  if (inZkey.length === 0) {
    throw err('NO_CONTRIBUTION', 'the final zkey carries no phase-2 contribution (gamma == delta)', {});
  }
  const { updates } = chain;
  for (let k = 0; k < Math.max(updates.length, inZkey.length); k++) {
    const u = updates[k];
    const c = inZkey[k];
    if (!u) {
      throw err(
        'TRANSCRIPT_TRUNCATED',
        `zkey holds contribution #${k + 1} "${c!.name}" the transcript lacks`,
        {
          entry: lastIndex + 1,
          recorded: updates.length,
          in_zkey: inZkey.length,
        },
      );
    }
    const at = { entry: u.index, contribution: k + 1 };
    if (!c) throw err('CONTRIBUTION_MISMATCH', `entry #${u.index} is not in the final zkey`, at);
    if (c.hash !== u.contribution_hash) {
      throw err('CONTRIBUTION_MISMATCH', `entry #${u.index}: hash differs from zkey contribution #${k + 1}`, {
        ...at,
        in_zkey: c.hash,
        recorded: u.contribution_hash,
      });
    }
    if (c.name !== u.name) {
      throw err('CONTRIBUTION_MISMATCH', `entry #${u.index}: name "${u.name}", zkey says "${c.name}"`, at);
    }
    const beaconOk =
      u.kind === 'beacon'
        ? c.beacon?.hex === u.beacon_hex && c.beacon.iterationsExp === u.iterations_exp
        : c.beacon === undefined;
    if (!beaconOk) throw err('CONTRIBUTION_MISMATCH', `entry #${u.index}: beacon parameters differ`, at);
  }
}

async function checkExports(dir: string, chain: ChainView, vk: Record<string, unknown>): Promise<void> {
  const { final } = chain;
  if (!final) return;
  const key = await exportKey(vk);
  const checks: [string, string, string, Uint8Array | string][] = [
    ['verification key', final.verification_key_sha256, VERIFICATION_KEY_FILE, key.json],
    ['on-chain verifying key', final.chain_verifying_key_sha256, CHAIN_VERIFYING_KEY_FILE, key.chain],
  ];
  for (const [what, recorded, file, derived] of checks) {
    if (sha256Hex(derived) !== recorded) {
      throw err('EXPORT_MISMATCH', `${what} derived from the zkey differs from entry #${final.index}`, {
        entry: final.index,
      });
    }
    const path = join(dir, file);
    if ((await exists(path)) && (await sha256File(path)) !== recorded) {
      throw err('EXPORT_MISMATCH', `${file} differs from entry #${final.index}`, {
        entry: final.index,
        file,
      });
    }
  }
}

/**
 * Replays a ceremony from its inputs: the chain (numbering, hashes, links, signatures), the r1cs and
 * ptau hashes, every zkey that is present, the initial zkey regenerated from r1cs + ptau, snarkjs'
 * full verification of the final zkey, the contribution hashes inside it against the entries in
 * order, gamma != delta, and for a finalized directory the exported keys.
 */
export async function auditCeremony(options: AuditOptions): Promise<AuditResult> {
  const { dir, io } = options;
  const transcript = await readTranscript(transcriptPath(dir));
  const chain = verifyChain(transcript);
  const { init, updates, final } = chain;
  const r1cs = await checkInputs(dir, chain, options);
  const lastZkeyEntry: ZkeyEntry = final ?? updates.at(-1) ?? init;
  if (!final) await checkNoLaterZkeys(dir, init.circuit, lastZkeyEntry.index);

  let finalZkey: string | undefined;
  for (const name of new Set([lastZkeyEntry.zkey_file, `${init.circuit}.zkey`])) {
    if (!finalZkey && (await exists(join(dir, name)))) finalZkey = join(dir, name);
  }
  if (!finalZkey) {
    throw err(
      'ZKEY_MISSING',
      `final zkey ${lastZkeyEntry.zkey_file} (entry #${lastZkeyEntry.index}) is missing`,
      {
        entry: lastZkeyEntry.index,
      },
    );
  }
  let zkeysChecked = 0;
  const zkeyEntries = transcript.entries.filter((e): e is ZkeyEntry => 'zkey_file' in e);
  for (const e of zkeyEntries) {
    const path = join(dir, e.zkey_file);
    if (path === finalZkey || !(await exists(path))) continue;
    const actual = await sha256File(path);
    if (actual !== e.zkey_sha256) {
      throw err('ZKEY_HASH_MISMATCH', `${e.zkey_file} differs from the hash entry #${e.index} recorded`, {
        entry: e.index,
        file: e.zkey_file,
        expected: e.zkey_sha256,
        actual,
      });
    }
    zkeysChecked++;
  }

  const initZkey: snarkjs.MemFile = { type: 'mem' };
  const circuitHash = await newZkey(r1cs, options.ptau, initZkey, io);
  if (circuitHash !== init.circuit_hash || sha256Hex(initZkey.data!) !== init.zkey_sha256) {
    throw err('INIT_MISMATCH', 'the initial zkey regenerated from r1cs + ptau differs from entry #0', {
      entry: 0,
    });
  }
  const finalSha = await sha256File(finalZkey);
  const result = await verifyZkey(initZkey, options.ptau, finalZkey, io);
  if (finalSha !== lastZkeyEntry.zkey_sha256) {
    const recorded = updates.map((u) => u.contribution_hash);
    const prefix = result.ok && recorded.every((h, i) => result.contributions[i]?.hash === h);
    if (prefix && result.contributions.length > recorded.length) {
      compareContributions(chain, result.contributions, lastZkeyEntry.index);
    }
    throw err(
      'ZKEY_HASH_MISMATCH',
      `final zkey differs from the hash entry #${lastZkeyEntry.index} recorded`,
      {
        entry: lastZkeyEntry.index,
        file: finalZkey,
        expected: lastZkeyEntry.zkey_sha256,
        actual: finalSha,
      },
    );
  }
  zkeysChecked++;
  if (!result.ok) {
    throw err('ZKEY_INVALID', `snarkjs rejects the final zkey: ${result.reason || 'see its log'}`, {
      entry: lastZkeyEntry.index,
    });
  }
  compareContributions(chain, result.contributions, lastZkeyEntry.index);
  const vk = await exportVerificationKey(finalZkey);
  if (gammaEqualsDelta(vk)) throw err('NO_CONTRIBUTION', 'final verifying key has gamma == delta', {});
  await checkExports(dir, chain, vk);

  return {
    transcript,
    chain,
    r1cs,
    initialVerificationKey: await exportVerificationKey(initZkey),
    report: {
      circuit: init.circuit,
      constraints: init.constraints,
      phase1: init.phase1,
      entries: transcript.entries.length,
      contributions: updates.map((u) => ({
        index: u.index,
        kind: u.kind,
        name: u.name,
        time: u.time,
        contributionHash: u.contribution_hash,
        ...(u.kind === 'contribution' && u.signer_public_key ? { signer: u.signer_public_key } : {}),
      })),
      zkeysChecked,
      finalZkey,
      finalZkeySha256: finalSha,
      finalized: final !== undefined,
      verificationKey: vk,
    },
  };
}
