import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { seal } from './chain.js';
import { CeremonyError } from './errors.js';
import { exists, readPtauHeader, readR1cs, sha256File } from './files.js';
import { r1csPath, transcriptPath, zkeyFileName } from './layout.js';
import type { CeremonyIO } from './progress.js';
import { newZkey } from './snark.js';
import { type InitEntry, TRANSCRIPT_FORMAT, type Transcript, writeTranscript } from './transcript.js';

export interface InitOptions {
  /** Ceremony directory (created if absent; must not already hold a transcript). */
  readonly dir: string;
  readonly r1cs: string;
  /** Any prepared bn128 powers-of-tau file of sufficient power. */
  readonly ptau: string;
  /** Defaults to the r1cs file name without extension. */
  readonly circuit?: string;
  /** How the phase-1 file was produced (whose ceremony, how many contributions, beacon). */
  readonly ptauProvenance?: string;
  /** Contributions (beacon not counted) finalize will insist on; committed in the init entry. */
  readonly minContributions?: number;
  readonly io?: CeremonyIO;
  readonly now?: () => Date;
}

/** Phase-1 import and `zkey new`: the contribution-free zkey and the transcript's first entry. */
export async function initCeremony(options: InitOptions): Promise<Transcript> {
  const { dir, io } = options;
  const circuit = options.circuit ?? basename(options.r1cs).replace(/\.r1cs$/, '');
  if (await exists(transcriptPath(dir))) {
    throw new CeremonyError('TRANSCRIPT_EXISTS', `${dir} already holds a ceremony`, { dir });
  }
  const r1cs = await readR1cs(options.r1cs);
  const header = await readPtauHeader(options.ptau);
  if (header.power < r1cs.requiredPower) {
    throw new CeremonyError(
      'PTAU_TOO_SMALL',
      `circuit needs phase-1 power ${r1cs.requiredPower}, ${options.ptau} has ${header.power}`,
      { required: r1cs.requiredPower, power: header.power },
    );
  }
  if (!header.prepared) {
    throw new CeremonyError('PTAU_NOT_PREPARED', `${options.ptau} lacks phase-2 preparation`, {
      hint: 'snarkjs powersoftau prepare phase2',
    });
  }
  await mkdir(dir, { recursive: true });
  const r1csCopy = r1csPath(dir, circuit);
  if (resolve(options.r1cs) !== resolve(r1csCopy)) await copyFile(options.r1cs, r1csCopy);
  const [r1csSha, ptauSha] = [await sha256File(r1csCopy), await sha256File(options.ptau)];

  const zkeyFile = zkeyFileName(circuit, 0);
  const circuitHash = await newZkey(r1csCopy, options.ptau, join(dir, zkeyFile), io);
  const entry = seal<InitEntry>(undefined, {
    kind: 'init',
    time: (options.now ?? (() => new Date()))().toISOString(),
    circuit,
    r1cs_sha256: r1csSha,
    constraints: r1cs.constraints,
    public_inputs: r1cs.publicInputs,
    circuit_hash: circuitHash,
    required_power: r1cs.requiredPower,
    phase1: {
      power: header.power,
      ptau_sha256: ptauSha,
      ptau_file: basename(options.ptau),
      provenance: options.ptauProvenance ?? 'not stated',
    },
    min_contributions: options.minContributions ?? 1,
    zkey_file: zkeyFile,
    zkey_sha256: await sha256File(join(dir, zkeyFile)),
  });
  const transcript: Transcript = {
    format: TRANSCRIPT_FORMAT,
    circuit,
    constraints: r1cs.constraints,
    entries: [entry],
  };
  await writeTranscript(transcriptPath(dir), transcript);
  return transcript;
}
