import { join } from 'node:path';
import { TRANSCRIPT_FILE } from './transcript.js';

/**
 * A ceremony directory: transcript.json, the circuit's r1cs, and one zkey per step named
 * `<circuit>_<index>.zkey` (index = transcript entry that produced it, four digits). Old zkeys
 * may be deleted to save space; the transcript keeps their hashes. A finalized output directory
 * instead holds only the last zkey as `<circuit>.zkey`.
 */
export function zkeyFileName(circuit: string, index: number): string {
  return `${circuit}_${String(index).padStart(4, '0')}.zkey`;
}

export const ZKEY_FILE_PATTERN = (circuit: string): RegExp =>
  new RegExp(`^${circuit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d{4,})\\.zkey$`);

export const transcriptPath = (dir: string): string => join(dir, TRANSCRIPT_FILE);
export const r1csPath = (dir: string, circuit: string): string => join(dir, `${circuit}.r1cs`);

/** Files a finalized directory holds, in SHA256SUMS order. */
export const VERIFICATION_KEY_FILE = 'verification_key.json';
export const CHAIN_VERIFYING_KEY_FILE = 'verifying_key.bin';
