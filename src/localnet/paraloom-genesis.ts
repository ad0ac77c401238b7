import {
  type Address,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getAddressEncoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  bridgeGenesisTransactions,
  deriveProgramAddresses,
  type InitializeParams,
  LAMPORTS_PER_SOL,
  LOCALNET_DEV_ADMIN_SEED,
  loadParaloomProgram,
  PARALOOM_DEV_PROGRAM_ID,
  programDataAddress,
} from '../bridge/index.js';
import type { LocalChain } from './chain.js';
import type { LocalnetProgram } from './localnet.js';

const base64 = getBase64Encoder();

/** The committed Paraloom program at `programId` (the dev id by default), for LocalnetOptions.programs. */
export function paraloomProgram(programId: Address = PARALOOM_DEV_PROGRAM_ID): LocalnetProgram {
  return { programId, bytes: loadParaloomProgram() };
}

export interface ParaloomInitOptions {
  readonly programId?: Address;
  /** 32-byte seed of the admin (upgrade authority); the public localnet dev admin by default. */
  readonly adminSeed?: Uint8Array;
  readonly params?: InitializeParams;
}

/**
 * Makes the admin the program's upgrade authority (the program only lets its deployer initialize),
 * then runs initialize + chunked verifying-key upload + finalize as ordinary transactions. Does
 * nothing when the bridge state already exists (a localnet restored from its ledger snapshot).
 */
export async function initializeParaloom(
  chain: LocalChain,
  opts: ParaloomInitOptions = {},
): Promise<{ programId: Address; admin: Address; initialized: boolean }> {
  const programId = opts.programId ?? PARALOOM_DEV_PROGRAM_ID;
  const admin = await createKeyPairSignerFromPrivateKeyBytes(opts.adminSeed ?? LOCALNET_DEV_ADMIN_SEED);
  const p = await deriveProgramAddresses(programId);
  if (chain.account(p.bridgeState, 'processed'))
    return { programId, admin: admin.address, initialized: false };
  const pd = await programDataAddress(programId);
  const programData = chain.account(pd, 'processed');
  if (!programData) throw new Error(`program ${programId} is not loaded (no ProgramData at ${pd})`);
  // ProgramData: u32 tag 3 | u64 slot | Option<Pubkey> upgrade authority | ELF.
  const data = new Uint8Array(programData.data);
  data[12] = 1;
  data.set(getAddressEncoder().encode(admin.address), 13);
  chain.setAccount(pd, { ...programData, data });
  if ((chain.account(admin.address, 'processed')?.lamports ?? 0n) < 10n * LAMPORTS_PER_SOL)
    chain.airdrop(admin.address, 100n * LAMPORTS_PER_SOL);
  for (const instructions of await bridgeGenesisTransactions(p, admin, opts.params)) {
    const tx = await signTransactionMessageWithSigners(
      pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(admin, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(chain.latestBlockhash(), m),
        (m) => appendTransactionMessageInstructions(instructions, m),
      ),
    );
    chain.send(new Uint8Array(base64.encode(getBase64EncodedWireTransaction(tx))));
  }
  return { programId, admin: admin.address, initialized: true };
}
