import {
  type Address,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  bridgeGenesisTransactions,
  decodeLoaderState,
  deriveProgramAddresses,
  encodeProgramData,
  type InitializeParams,
  LAMPORTS_PER_SOL,
  LOADER_V3_ID,
  LOCALNET_DEV_ADMIN_SEED,
  loadParaloomProgram,
  PARALOOM_DEV_PROGRAM_ID,
  programDataAddress,
} from '../bridge/index.js';
import type { LocalChain } from './chain.js';
import { LocalnetError } from './errors.js';
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
 * Gives a program loaded at genesis the ProgramData a deploy through the loader leaves: `admin` as
 * upgrade authority (LiteSVM loads programs without one) and room for upgrades up to twice the ELF,
 * rent-exempt. The loaded program is unchanged: the loader ignores the zero padding. Run again after
 * a restart from a ledger snapshot, where the program is loaded afresh.
 */
export async function shapeLoadedProgram(
  chain: LocalChain,
  opts: Pick<ParaloomInitOptions, 'programId' | 'adminSeed'> = {},
): Promise<{ programId: Address; admin: Address }> {
  const programId = opts.programId ?? PARALOOM_DEV_PROGRAM_ID;
  const admin = (await createKeyPairSignerFromPrivateKeyBytes(opts.adminSeed ?? LOCALNET_DEV_ADMIN_SEED))
    .address;
  const pd = await programDataAddress(programId);
  const programData = chain.account(pd, 'processed');
  const state =
    programData && programData.owner === LOADER_V3_ID ? decodeLoaderState(programData.data) : undefined;
  if (state?.kind !== 'programData')
    throw new LocalnetError(
      'PROGRAM_LOAD_FAILED',
      `program ${programId} is not loaded (no ProgramData at ${pd})`,
    );
  if (state.authority !== admin) {
    const elf = state.bytes;
    const data = encodeProgramData(state.slot, admin, elf, 2 * elf.length);
    const lamports = chain.svm.minimumBalanceForRentExemption(BigInt(data.length));
    chain.setAccount(pd, { ...programData!, data, lamports, space: data.length });
  }
  return { programId, admin };
}

/**
 * Shapes the loaded program as a deploy would (the program only lets its upgrade authority
 * initialize), then runs initialize + chunked verifying-key upload + finalize as ordinary
 * transactions. Does nothing more when the bridge state already exists (a restored localnet).
 */
export async function initializeParaloom(
  chain: LocalChain,
  opts: ParaloomInitOptions = {},
): Promise<{ programId: Address; admin: Address; initialized: boolean }> {
  const programId = opts.programId ?? PARALOOM_DEV_PROGRAM_ID;
  const admin = await createKeyPairSignerFromPrivateKeyBytes(opts.adminSeed ?? LOCALNET_DEV_ADMIN_SEED);
  await shapeLoadedProgram(chain, { programId, adminSeed: opts.adminSeed ?? LOCALNET_DEV_ADMIN_SEED });
  const p = await deriveProgramAddresses(programId);
  if (chain.account(p.bridgeState, 'processed'))
    return { programId, admin: admin.address, initialized: false };
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
