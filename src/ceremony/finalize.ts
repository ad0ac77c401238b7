import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type AuditReport, auditCeremony } from './audit.js';
import { seal } from './chain.js';
import { CeremonyError } from './errors.js';
import { exportKey } from './export.js';
import { sha256File } from './files.js';
import { CHAIN_VERIFYING_KEY_FILE, transcriptPath, VERIFICATION_KEY_FILE } from './layout.js';
import type { CeremonyIO } from './progress.js';
import { type FinalEntry, readTranscript, writeTranscript } from './transcript.js';

export interface FinalizeOptions {
  readonly dir: string;
  readonly ptau: string;
  /** Output directory for the keys (may equal `dir`). */
  readonly out: string;
  /** The circuit's witness generator, copied beside the keys when given. */
  readonly wasm?: string;
  /** Raises (never lowers) the minimum the init entry committed to. */
  readonly minContributions?: number;
  readonly io?: CeremonyIO;
  readonly now?: () => Date;
}

export interface FinalizeResult {
  readonly report: AuditReport;
  readonly final: FinalEntry;
  readonly files: readonly string[];
}

/**
 * Closes a ceremony: cheap refusals first (empty, too few contributions, already final), then the
 * full audit, then the check that delta moved, then the exports and SHA256SUMS over all of them.
 */
export async function finalizeCeremony(options: FinalizeOptions): Promise<FinalizeResult> {
  const { dir, out } = options;
  const transcript = await readTranscript(transcriptPath(dir));
  const last = transcript.entries.at(-1);
  if (last?.kind === 'final') {
    throw new CeremonyError('CEREMONY_CLOSED', 'ceremony is already finalized', { entry: last.index });
  }
  const updates = transcript.entries.filter((e) => e.kind === 'contribution' || e.kind === 'beacon');
  if (updates.length === 0) {
    throw new CeremonyError('TRANSCRIPT_EMPTY', 'no contribution recorded: the key would be forgeable');
  }
  const init = transcript.entries[0];
  const min = Math.max(init?.kind === 'init' ? init.min_contributions : 0, options.minContributions ?? 0);
  const contributions = updates.filter((e) => e.kind === 'contribution').length;
  if (contributions < min) {
    throw new CeremonyError(
      'TOO_FEW_CONTRIBUTIONS',
      `${contributions} contribution(s), at least ${min} required`,
      {
        contributions,
        required: min,
      },
    );
  }

  const audit = await auditCeremony({ dir, ptau: options.ptau, ...(options.io ? { io: options.io } : {}) });
  const vk = audit.report.verificationKey;
  if (JSON.stringify(vk.vk_delta_2) === JSON.stringify(audit.initialVerificationKey.vk_delta_2)) {
    throw new CeremonyError('DELTA_UNCHANGED', 'delta equals the initial zkey: contributions had no effect');
  }
  const key = await exportKey(vk);
  const circuit = audit.chain.init.circuit;
  await mkdir(out, { recursive: true });
  const zkeyName = `${circuit}.zkey`;
  const copies: [string, string][] = [
    [audit.report.finalZkey, zkeyName],
    [audit.r1cs, `${circuit}.r1cs`],
  ];
  if (options.wasm) copies.unshift([options.wasm, `${circuit}.wasm`]);
  for (const [from, name] of copies) {
    if (resolve(from) !== resolve(out, name)) await copyFile(from, join(out, name));
  }
  await writeFile(join(out, VERIFICATION_KEY_FILE), key.json);
  await writeFile(join(out, CHAIN_VERIFYING_KEY_FILE), key.chain);

  const final = seal<FinalEntry>(audit.transcript.entries.at(-1), {
    kind: 'final',
    time: (options.now ?? (() => new Date()))().toISOString(),
    zkey_file: zkeyName,
    zkey_sha256: audit.report.finalZkeySha256,
    contributions: updates.length,
    verification_key_sha256: key.jsonSha256,
    chain_verifying_key_sha256: key.chainSha256,
  });
  await writeTranscript(transcriptPath(out), {
    ...audit.transcript,
    entries: [...audit.transcript.entries, final],
  });

  const files = [
    ...copies.map(([, name]) => name),
    VERIFICATION_KEY_FILE,
    CHAIN_VERIFYING_KEY_FILE,
    'transcript.json',
  ];
  const lines = [];
  for (const name of files) lines.push(`${await sha256File(join(out, name))}  ${name}\n`);
  await writeFile(join(out, 'SHA256SUMS'), lines.join(''));
  return { report: audit.report, final, files: [...files, 'SHA256SUMS'] };
}
