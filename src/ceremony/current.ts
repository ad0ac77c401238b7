import { join } from 'node:path';
import { type ChainView, verifyChain } from './chain.js';
import { CeremonyError } from './errors.js';
import { exists, sha256File } from './files.js';
import { transcriptPath } from './layout.js';
import { type Entry, readTranscript, type Transcript } from './transcript.js';

export interface CeremonyState {
  readonly transcript: Transcript;
  readonly chain: ChainView;
  readonly last: Entry;
  /** Path of the zkey the next step builds on. */
  readonly zkey: string;
}

/**
 * Loads a ceremony directory for its next step: the transcript must be a sound chain, still open
 * (no beacon, not finalized), and the latest zkey must be the one the last entry recorded, so
 * nobody contributes on top of a swapped file.
 */
export async function loadOpenCeremony(dir: string): Promise<CeremonyState> {
  const transcript = await readTranscript(transcriptPath(dir));
  const chain = verifyChain(transcript);
  const last = transcript.entries.at(-1)!;
  if (last.kind === 'final' || last.kind === 'beacon') {
    throw new CeremonyError('CEREMONY_CLOSED', `ceremony is closed (last step: ${last.kind})`, {
      entry: last.index,
    });
  }
  const zkey = join(dir, last.zkey_file);
  if (!(await exists(zkey))) {
    throw new CeremonyError('ZKEY_MISSING', `${last.zkey_file} (entry #${last.index}) is missing`, {
      entry: last.index,
      file: last.zkey_file,
    });
  }
  const actual = await sha256File(zkey);
  if (actual !== last.zkey_sha256) {
    throw new CeremonyError('ZKEY_HASH_MISMATCH', `${last.zkey_file} differs from entry #${last.index}`, {
      entry: last.index,
      file: last.zkey_file,
      expected: last.zkey_sha256,
      actual,
    });
  }
  return { transcript, chain, last, zkey };
}
