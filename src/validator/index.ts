// Public face of the validator module (off-chain part): the validator's Solana keypair file and the
// Ed25519 signing helpers consensus uses for votes and anchor approvals.
export { ValidatorError, type ValidatorErrorCode } from './errors.js';
export { readKeypairFile, writeKeypairFile } from './key-file.js';
export { generateKeypair, keypairFromSecretKey, keypairFromSeed, type ValidatorKeypair } from './keypair.js';
export {
  anchorMessage,
  type SignedAnchor,
  type SignedVote,
  type SigningDomain,
  ValidatorSigner,
  verifyAnchor,
  verifyVote,
  voteMessage,
} from './signing.js';
