// Public face of the ceremony module: BGM17 phase 2 through snarkjs, with a hash-chained,
// optionally signed transcript that anyone can replay from the r1cs and the phase-1 file.

export { type AuditedContribution, type AuditOptions, type AuditReport, auditCeremony } from './audit.js';
export { entryHash } from './canonical.js';
export { type ChainView, verifyChain } from './chain.js';
export { type BeaconOptions, beacon, type ContributeOptions, contribute } from './contribute.js';
export { CeremonyError, type CeremonyErrorCode } from './errors.js';
export { type FinalizeOptions, type FinalizeResult, finalizeCeremony } from './finalize.js';
export { type InitOptions, initCeremony } from './init.js';
export { zkeyFileName } from './layout.js';
export type { CeremonyIO, ProgressEvent } from './progress.js';
export {
  generateSigningKey,
  readSigningKey,
  type SigningKey,
  signingKeyFromSeed,
  writeSigningKey,
} from './signing.js';
export { releaseSnarkjs } from './snark.js';
export {
  type BeaconEntry,
  type ContributionEntry,
  type Entry,
  type FinalEntry,
  type InitEntry,
  type Phase1Record,
  parseTranscript,
  readTranscript,
  TRANSCRIPT_FORMAT,
  type Transcript,
  writeTranscript,
} from './transcript.js';
