import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { seal } from './chain.js';
import { loadOpenCeremony } from './current.js';
import { mixEntropy } from './entropy.js';
import { CeremonyError } from './errors.js';
import { sha256File } from './files.js';
import { transcriptPath, zkeyFileName } from './layout.js';
import type { CeremonyIO } from './progress.js';
import type { SigningKey } from './signing.js';
import { beaconZkey, contributeZkey } from './snark.js';
import { type BeaconEntry, type ContributionEntry, type Transcript, writeTranscript } from './transcript.js';

export interface ContributeOptions {
  readonly dir: string;
  /** Public name recorded in the zkey and the transcript. */
  readonly name: string;
  /** Extra text typed by the contributor, mixed with OS randomness. */
  readonly typedEntropy?: string;
  readonly signer?: SigningKey;
  readonly io?: CeremonyIO;
  readonly now?: () => Date;
}

function checkName(name: string): void {
  if (!/^\P{Cc}{1,256}$/u.test(name)) {
    throw new CeremonyError(
      'TRANSCRIPT_MALFORMED',
      'contributor name: 1-256 characters, no control characters',
    );
  }
}

/** Applies one random BGM17 contribution to the latest zkey and appends its entry. */
export async function contribute(options: ContributeOptions): Promise<ContributionEntry> {
  checkName(options.name);
  const { transcript, last, zkey } = await loadOpenCeremony(options.dir);
  const file = zkeyFileName(transcript.circuit, last.index + 1);
  const out = join(options.dir, file);
  // Write beside and rename: an interrupted contribution never leaves a zkey the transcript lacks.
  const hash = await contributeZkey(
    zkey,
    `${out}.tmp`,
    options.name,
    mixEntropy(options.typedEntropy),
    options.io,
  );
  await rename(`${out}.tmp`, out);
  const entry = seal<ContributionEntry>(
    last,
    {
      kind: 'contribution',
      time: (options.now ?? (() => new Date()))().toISOString(),
      name: options.name,
      contribution_hash: hash,
      prev_zkey_sha256: last.zkey_sha256,
      zkey_file: file,
      zkey_sha256: await sha256File(out),
    },
    options.signer,
  );
  await append(options.dir, transcript, entry);
  return entry;
}

export interface BeaconOptions {
  readonly dir: string;
  /** Public randomness fixed in advance (e.g. a future block hash), lower-case hex. */
  readonly beaconHex: string;
  /** log2 of the SHA-256 iterations applied to the beacon (10..63), as snarkjs takes it. */
  readonly iterationsExp: number;
  readonly name?: string;
  readonly io?: CeremonyIO;
  readonly now?: () => Date;
}

/** The closing public-randomness step; no contribution may follow it. */
export async function beacon(options: BeaconOptions): Promise<BeaconEntry> {
  const hex = options.beaconHex.toLowerCase().replace(/^0x/, '');
  if (!/^([0-9a-f]{2}){1,255}$/.test(hex)) {
    throw new CeremonyError('BEACON_INVALID', 'beacon must be 1-255 bytes of hex');
  }
  const exp = options.iterationsExp;
  if (!Number.isInteger(exp) || exp < 10 || exp > 63) {
    throw new CeremonyError('BEACON_INVALID', 'iterations exponent must be an integer in 10..63');
  }
  const name = options.name ?? 'beacon';
  checkName(name);
  const { transcript, last, zkey } = await loadOpenCeremony(options.dir);
  if (last.kind === 'init') {
    throw new CeremonyError('TRANSCRIPT_EMPTY', 'a beacon alone is no ceremony: contribute first');
  }
  const file = zkeyFileName(transcript.circuit, last.index + 1);
  const out = join(options.dir, file);
  const hash = await beaconZkey(zkey, `${out}.tmp`, name, hex, exp, options.io);
  await rename(`${out}.tmp`, out);
  const entry = seal<BeaconEntry>(last, {
    kind: 'beacon',
    time: (options.now ?? (() => new Date()))().toISOString(),
    name,
    beacon_hex: hex,
    iterations_exp: exp,
    contribution_hash: hash,
    prev_zkey_sha256: last.zkey_sha256,
    zkey_file: file,
    zkey_sha256: await sha256File(out),
  });
  await append(options.dir, transcript, entry);
  return entry;
}

async function append(dir: string, transcript: Transcript, entry: ContributionEntry | BeaconEntry) {
  await writeTranscript(transcriptPath(dir), { ...transcript, entries: [...transcript.entries, entry] });
}
