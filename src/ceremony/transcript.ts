import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { CeremonyError } from './errors.js';

/** Version tag of the transcript format documented in docs/protocol.md ("Trusted-setup transcript"). */
export const TRANSCRIPT_FORMAT = 'paraloom-ceremony/1';
export const TRANSCRIPT_FILE = 'transcript.json';
export const GENESIS_PREV = '0'.repeat(64);

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
const contributionHash = z.string().regex(/^[0-9a-f]{128}$/, 'lower-case hex 64-byte BLAKE2b');
const fileName = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a bare file name');
const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const text = z.string().min(1).max(256);

// Field order here is the order entries are written in (hashes do not depend on it): position
// and kind first, the link and the entry's own hash last.
const head = { index: uint };
const time = { time: z.iso.datetime() };
const link = { prev_entry_sha256: sha256, entry_sha256: sha256 };

export const Phase1RecordSchema = z.strictObject({
  power: uint.max(28),
  ptau_sha256: sha256,
  ptau_file: fileName,
  provenance: z.string().min(1).max(1024),
});

const InitEntrySchema = z.strictObject({
  ...head,
  kind: z.literal('init'),
  ...time,
  circuit: fileName,
  r1cs_sha256: sha256,
  constraints: uint,
  public_inputs: uint,
  circuit_hash: contributionHash,
  required_power: uint,
  phase1: Phase1RecordSchema,
  min_contributions: uint,
  zkey_file: fileName,
  zkey_sha256: sha256,
  ...link,
});

const ContributionEntrySchema = z.strictObject({
  ...head,
  kind: z.literal('contribution'),
  ...time,
  name: text,
  contribution_hash: contributionHash,
  prev_zkey_sha256: sha256,
  zkey_file: fileName,
  zkey_sha256: sha256,
  signer_public_key: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  signature: z
    .string()
    .regex(/^[0-9a-f]{128}$/)
    .optional(),
  ...link,
});

const BeaconEntrySchema = z.strictObject({
  ...head,
  kind: z.literal('beacon'),
  ...time,
  name: text,
  beacon_hex: z.string().regex(/^([0-9a-f]{2}){1,255}$/),
  iterations_exp: z.number().int().min(10).max(63),
  contribution_hash: contributionHash,
  prev_zkey_sha256: sha256,
  zkey_file: fileName,
  zkey_sha256: sha256,
  ...link,
});

const FinalEntrySchema = z.strictObject({
  ...head,
  kind: z.literal('final'),
  ...time,
  zkey_file: fileName,
  zkey_sha256: sha256,
  contributions: uint,
  verification_key_sha256: sha256,
  chain_verifying_key_sha256: sha256,
  ...link,
});

export const EntrySchema = z.discriminatedUnion('kind', [
  InitEntrySchema,
  ContributionEntrySchema,
  BeaconEntrySchema,
  FinalEntrySchema,
]);

export const TranscriptSchema = z.strictObject({
  format: z.literal(TRANSCRIPT_FORMAT),
  // Mirrors of the init entry, kept at top level because the demo and benches read them.
  circuit: fileName,
  constraints: uint,
  entries: z.array(EntrySchema).max(100_000),
});

export type Phase1Record = z.infer<typeof Phase1RecordSchema>;
export type InitEntry = z.infer<typeof InitEntrySchema>;
export type ContributionEntry = z.infer<typeof ContributionEntrySchema>;
export type BeaconEntry = z.infer<typeof BeaconEntrySchema>;
export type FinalEntry = z.infer<typeof FinalEntrySchema>;
export type Entry = z.infer<typeof EntrySchema>;
/** An entry that produced a zkey by a phase-2 contribution (random or beacon). */
export type UpdateEntry = ContributionEntry | BeaconEntry;
export type Transcript = z.infer<typeof TranscriptSchema>;

export function isUpdate(entry: Entry): entry is UpdateEntry {
  return entry.kind === 'contribution' || entry.kind === 'beacon';
}

export function parseTranscript(json: unknown): Transcript {
  const parsed = TranscriptSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const entry =
      issue?.path[0] === 'entries' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    throw new CeremonyError('TRANSCRIPT_MALFORMED', `transcript field ${path}: ${issue?.message}`, {
      path,
      ...(entry === undefined ? {} : { entry }),
    });
  }
  return parsed.data;
}

export async function readTranscript(file: string): Promise<Transcript> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    throw new CeremonyError('TRANSCRIPT_MISSING', `no transcript at ${file}`, { file }, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    // A transcript cut short in transit is the usual cause; the chain cannot be checked at all.
    throw new CeremonyError('TRANSCRIPT_MALFORMED', `${file} is not complete JSON`, { file }, { cause: e });
  }
  return parseTranscript(json);
}

/** Writes through a temporary file and rename, so a crash never leaves half a transcript. */
export async function writeTranscript(file: string, transcript: Transcript): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(transcript, null, 2)}\n`);
  await rename(tmp, file);
}
