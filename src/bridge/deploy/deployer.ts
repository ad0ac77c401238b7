/**
 * Puts a program on a cluster the way Solana's own CLI does, through ordinary transactions to the
 * upgradeable loader: a buffer account, the ELF written into it in chunks that each fill one packet,
 * then DeployWithMaxDataLen (or Upgrade). The buffer's address is derived from the payer, the program
 * id and the ELF's hash, so an interrupted run finds its buffer again and writes only the chunks
 * whose bytes differ from what the buffer holds.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  type Address,
  createAddressWithSeed,
  getAddressEncoder,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { getCreateAccountInstruction, getCreateAccountWithSeedInstruction } from '@solana-program/system';
import { createLogger, type Logger } from '../../common/index.js';
import { BridgeError } from '../errors.js';
import type { BridgeRpc } from '../rpc/client.js';
import { TransactionSender } from '../submit/sender.js';
import {
  BUFFER_METADATA_BYTES,
  decodeLoaderState,
  deployWithMaxDataLenInstruction,
  elfLength,
  findProgramDataAddress,
  initializeBufferInstruction,
  LOADER_V3_ID,
  MAX_PERMITTED_DATA_LENGTH,
  PROGRAM_ACCOUNT_BYTES,
  PROGRAMDATA_METADATA_BYTES,
  setAuthorityInstruction,
  upgradeInstruction,
  writeInstruction,
} from './loader.js';
import { loaderErrorOf } from './loader-errors.js';
import { readProgram, requireUpgradeAuthority } from './program-account.js';
import { assertFitsPacket, writeChunkBytes } from './wire.js';
import { sendPipelined } from './write-pipeline.js';

/** What a real cluster charges per signature (the localnet charges the same). */
export const LAMPORTS_PER_SIGNATURE = 5000n;

export interface DeployerOptions {
  /** Pays fees and rent; the buffer's base address. */
  readonly payer: TransactionSigner;
  /** Writes in flight at once (default 16). */
  readonly window?: number;
  /** Write rounds before giving up on a buffer that still differs (default 4). */
  readonly maxRounds?: number;
  readonly logger?: Logger;
  /** Called after each landed write with the count done and the count of this round. */
  readonly onWrite?: (done: number, total: number) => void;
}

export interface BufferReport {
  readonly buffer: Address;
  readonly chunkBytes: number;
  readonly chunks: number;
  /** Chunks already in the buffer from an earlier run, not written again. */
  readonly chunksSkipped: number;
}

export interface DeployReport extends BufferReport {
  readonly programId: Address;
  readonly programData: Address;
  readonly authority: Address;
  readonly maxDataLen: number;
  readonly slot: bigint;
  /** Transactions sent, resends included. */
  readonly transactions: number;
  /** What the payer's balance fell by (rent kept in the program's accounts, plus fees). */
  readonly lamportsSpent: bigint;
  readonly wallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The buffer's seed: one buffer per (program, ELF); 32 characters, the system program's limit. */
function bufferSeed(programId: Address, elf: Uint8Array): string {
  return bytesToHex(sha256(new Uint8Array([...getAddressEncoder().encode(programId), ...sha256(elf)]))).slice(
    0,
    32,
  );
}

export function assertElf(elf: Uint8Array, path?: string): void {
  if (elfLength(elf) === undefined) {
    throw new BridgeError('ELF_INVALID', `${path ?? 'program'} is not a 64-bit little-endian ELF`, {
      length: elf.length,
      ...(path ? { path } : {}),
    });
  }
}

export class ProgramDeployer {
  private readonly log: Logger;
  private readonly sender: TransactionSender;
  private sent = 0;

  constructor(
    private readonly rpc: BridgeRpc,
    private readonly options: DeployerOptions,
  ) {
    this.log = options.logger ?? createLogger('bridge.deploy');
    this.sender = new TransactionSender(rpc, {
      feePayer: options.payer,
      commitment: 'confirmed',
      maxAttempts: 5,
      pollMs: 100,
      logger: this.log,
    });
  }

  get payer(): TransactionSigner {
    return this.options.payer;
  }

  /** Transactions sent so far by this deployer (resends included). */
  get transactionCount(): number {
    return this.sent;
  }

  async rent(bytes: number): Promise<bigint> {
    return BigInt(
      await this.rpc.call('getMinimumBalanceForRentExemption', (r) =>
        r.getMinimumBalanceForRentExemption(BigInt(bytes)),
      ),
    );
  }

  /**
   * Lamports a deploy of `elfBytes` with `maxDataLen` takes from the payer, and the payer's peak need
   * (the buffer's rent comes back when the deploy drains it). Fees count one signature per write.
   */
  async deployCost(
    elfBytes: number,
    maxDataLen: number,
    chunkBytes: number,
  ): Promise<{ rentKept: bigint; bufferRent: bigint; fees: bigint }> {
    const [programRent, programDataRent, bufferRent] = await Promise.all([
      this.rent(PROGRAM_ACCOUNT_BYTES),
      this.rent(PROGRAMDATA_METADATA_BYTES + maxDataLen),
      this.rent(BUFFER_METADATA_BYTES + elfBytes),
    ]);
    const writes = BigInt(Math.ceil(elfBytes / chunkBytes));
    // create buffer (1 signature), writes (1 each), deploy (payer + program keypair).
    const fees = LAMPORTS_PER_SIGNATURE * (1n + writes + 2n);
    return { rentKept: programRent + programDataRent, bufferRent, fees };
  }

  private async send(instructions: Instruction[], kind: string): Promise<bigint> {
    assertFitsPacket(this.options.payer, instructions, kind);
    try {
      const result = await this.sender.send(instructions, kind);
      this.sent += result.attempts;
      return result.slot;
    } catch (e) {
      // A refusal is counted once: it went out at least once before the loader refused it.
      this.sent += 1;
      throw loaderErrorOf(e) ?? e;
    }
  }

  private async balance(): Promise<bigint> {
    return this.rpc.balance(this.options.payer.address, 'confirmed');
  }

  private async requireFunds(required: bigint): Promise<void> {
    const balance = await this.balance();
    if (balance < required) {
      throw new BridgeError(
        'INSUFFICIENT_FUNDS',
        `payer ${this.options.payer.address} holds ${balance} lamports; this step needs ${required}`,
        { address: this.options.payer.address, balance: String(balance), required: String(required) },
      );
    }
  }

  /**
   * Creates (or finds) the buffer for `elf` under `authority`, and writes until its bytes equal the
   * ELF: chunks already there are skipped, the rest go out `window` at a time, and the buffer is read
   * back after each round, so a write that was lost or rolled back is written again.
   */
  async writeBuffer(
    programId: Address,
    elf: Uint8Array,
    authority: TransactionSigner,
  ): Promise<BufferReport> {
    const payer = this.options.payer;
    const seed = bufferSeed(programId, elf);
    const buffer = await createAddressWithSeed({
      baseAddress: payer.address,
      programAddress: LOADER_V3_ID,
      seed,
    });
    const space = BUFFER_METADATA_BYTES + elf.length;
    const chunkBytes = writeChunkBytes(payer, authority, buffer);
    const chunks = Math.ceil(elf.length / chunkBytes);
    let existing = await this.rpc.accountData(buffer, 'confirmed');
    if (!existing) {
      const rent = await this.rent(space);
      await this.requireFunds(rent + LAMPORTS_PER_SIGNATURE * BigInt(1 + chunks));
      await this.send(
        [
          getCreateAccountWithSeedInstruction({
            payer,
            newAccount: buffer,
            baseAccount: payer,
            base: payer.address,
            seed,
            amount: rent,
            space,
            programAddress: LOADER_V3_ID,
          }),
          initializeBufferInstruction(buffer, authority.address),
        ],
        'create buffer',
      );
      existing = await this.rpc.accountData(buffer, 'confirmed');
    }
    const state = existing && existing.owner === LOADER_V3_ID ? decodeLoaderState(existing.data) : undefined;
    if (state?.kind !== 'buffer') {
      throw new BridgeError('NOT_A_PROGRAM', `${buffer} is not an upgradeable-loader buffer`, {
        address: buffer,
        ...(existing ? { owner: existing.owner } : {}),
      });
    }
    if (state.authority !== authority.address) {
      throw new BridgeError(
        'AUTHORITY_MISMATCH',
        `buffer ${buffer} has authority ${state.authority ?? 'none'}, not ${authority.address}`,
        { account: buffer, authority: state.authority, signer: authority.address },
      );
    }
    if (state.bytes.length !== elf.length) {
      throw new BridgeError(
        'BUFFER_TOO_SMALL',
        `buffer ${buffer} holds ${state.bytes.length} bytes, the ELF ${elf.length}`,
        {
          buffer,
          capacity: state.bytes.length,
          length: elf.length,
        },
      );
    }
    let skipped = -1;
    for (let round = 0; ; round++) {
      const current = round === 0 ? state.bytes : await this.bufferBytes(buffer);
      const todo: number[] = [];
      for (let i = 0; i < chunks; i++) {
        const from = i * chunkBytes;
        const to = Math.min(elf.length, from + chunkBytes);
        if (!equalRange(current, elf, from, to)) todo.push(i);
      }
      if (skipped < 0) skipped = chunks - todo.length;
      if (todo.length === 0) break;
      if (round >= (this.options.maxRounds ?? 4)) {
        throw new BridgeError(
          'BUFFER_INCOMPLETE',
          `buffer ${buffer} still differs in ${todo.length} chunks`,
          {
            buffer,
            chunksLeft: todo.length,
          },
        );
      }
      this.log.info({ buffer, round, chunks: todo.length, chunkBytes }, 'writing the buffer');
      await this.writeChunks(buffer, authority, elf, chunkBytes, todo);
    }
    return { buffer, chunkBytes, chunks, chunksSkipped: skipped };
  }

  private async bufferBytes(buffer: Address): Promise<Uint8Array> {
    const account = await this.rpc.accountData(buffer, 'confirmed');
    if (!account) throw new BridgeError('NOT_A_PROGRAM', `buffer ${buffer} disappeared`, { address: buffer });
    return account.data.subarray(BUFFER_METADATA_BYTES);
  }

  /** Up to `window` writes in flight, confirmed together; each re-signed if its blockhash expires. */
  private async writeChunks(
    buffer: Address,
    authority: TransactionSigner,
    elf: Uint8Array,
    chunkBytes: number,
    todo: readonly number[],
  ): Promise<void> {
    let done = 0;
    this.sent += await sendPipelined(
      this.rpc,
      todo,
      (i) => {
        const instructions = [
          writeInstruction(
            buffer,
            authority,
            i * chunkBytes,
            elf.subarray(i * chunkBytes, (i + 1) * chunkBytes),
          ),
        ];
        assertFitsPacket(this.options.payer, instructions, `write ${i}`);
        return instructions;
      },
      { feePayer: this.options.payer, window: this.options.window ?? 16, logger: this.log },
      () => this.options.onWrite?.(++done, todo.length),
    );
  }

  /**
   * A first deploy of `elf` at `program`'s address (its keypair signs the account's creation), with
   * `authority` (the payer by default) as upgrade authority and room for upgrades up to `maxDataLen`.
   */
  async deploy(o: {
    program: TransactionSigner;
    elf: Uint8Array;
    maxDataLen?: number;
    authority?: TransactionSigner;
  }): Promise<DeployReport> {
    const t0 = performance.now();
    const payer = this.options.payer;
    const authority = o.authority ?? payer;
    const programId = o.program.address;
    assertElf(o.elf);
    const maxDataLen = o.maxDataLen ?? 2 * o.elf.length;
    if (maxDataLen < o.elf.length || maxDataLen > MAX_PERMITTED_DATA_LENGTH) {
      throw new BridgeError(
        'ARGUMENT_INVALID',
        `max_data_len must be ${o.elf.length}..${MAX_PERMITTED_DATA_LENGTH}`,
        {
          value: String(maxDataLen),
        },
      );
    }
    const existing = await this.rpc.accountData(programId, 'confirmed');
    if (existing) {
      throw new BridgeError(
        'PROGRAM_EXISTS',
        `${programId} is already in use (owner ${existing.owner}); upgrade it instead`,
        {
          programId,
          owner: existing.owner,
        },
      );
    }
    const before = await this.balance();
    const sentBefore = this.sent;
    const chunkBytes = writeChunkBytes(payer, authority, programId);
    const cost = await this.deployCost(o.elf.length, maxDataLen, chunkBytes);
    await this.requireFunds(
      cost.rentKept + cost.fees + (cost.bufferRent > cost.rentKept ? cost.bufferRent - cost.rentKept : 0n),
    );
    const written = await this.writeBuffer(programId, o.elf, authority);
    const programData = await findProgramDataAddress(programId);
    const programRent = await this.rent(PROGRAM_ACCOUNT_BYTES);
    const slot = await this.send(
      [
        getCreateAccountInstruction({
          payer,
          newAccount: o.program,
          lamports: programRent,
          space: PROGRAM_ACCOUNT_BYTES,
          programAddress: LOADER_V3_ID,
        }),
        deployWithMaxDataLenInstruction(
          { payer, programData, program: programId, buffer: written.buffer, authority },
          maxDataLen,
        ),
      ],
      'deploy',
    );
    await this.waitPastSlot(slot);
    return {
      ...written,
      programId,
      programData,
      authority: authority.address,
      maxDataLen,
      slot,
      transactions: this.sent - sentBefore,
      lamportsSpent: before - (await this.balance()),
      wallMs: performance.now() - t0,
    };
  }

  /**
   * Replaces a deployed program's bytes: a buffer under the program's authority, then Upgrade; the
   * buffer's lamports (and ProgramData's excess) go to `spill`, the payer by default.
   */
  async upgrade(o: {
    programId: Address;
    elf: Uint8Array;
    authority?: TransactionSigner;
    spill?: Address;
  }): Promise<DeployReport> {
    const t0 = performance.now();
    const authority = o.authority ?? this.options.payer;
    assertElf(o.elf);
    const info = await readProgram(this.rpc, o.programId);
    requireUpgradeAuthority(info, authority.address, 'upgrade it');
    if (o.elf.length > info.bytes.length) {
      throw new BridgeError(
        'PROGRAM_DATA_TOO_SMALL',
        `the new ELF is ${o.elf.length} bytes; program ${o.programId} has room for ${info.bytes.length}`,
        { programId: o.programId, capacity: info.bytes.length, length: o.elf.length },
      );
    }
    const before = await this.balance();
    const sentBefore = this.sent;
    const written = await this.writeBuffer(o.programId, o.elf, authority);
    const slot = await this.send(
      [
        upgradeInstruction({
          programData: info.programData,
          program: o.programId,
          buffer: written.buffer,
          spill: o.spill ?? this.options.payer.address,
          authority,
        }),
      ],
      'upgrade',
    );
    await this.waitPastSlot(slot);
    return {
      ...written,
      programId: o.programId,
      programData: info.programData,
      authority: authority.address,
      maxDataLen: info.bytes.length,
      slot,
      transactions: this.sent - sentBefore,
      lamportsSpent: before - (await this.balance()),
      wallMs: performance.now() - t0,
    };
  }

  /**
   * Hands the upgrade authority to `newAuthority` (a multisig vault, say: it does not sign, so check
   * the address) or, with null, drops it: the program can then never change again.
   */
  async setUpgradeAuthority(o: {
    programId: Address;
    authority?: TransactionSigner;
    newAuthority: Address | null;
  }): Promise<{ programData: Address; slot: bigint }> {
    const authority = o.authority ?? this.options.payer;
    const info = await readProgram(this.rpc, o.programId);
    requireUpgradeAuthority(info, authority.address, 'change its upgrade authority');
    const slot = await this.send(
      [setAuthorityInstruction(info.programData, authority, o.newAuthority ?? undefined)],
      'set upgrade authority',
    );
    return { programData: info.programData, slot };
  }

  /** A program deployed in slot s runs from slot s + 1 on (as on Solana): wait until then. */
  private async waitPastSlot(slot: bigint): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await this.rpc.slot('confirmed')) > slot) return;
      await sleep(100);
    }
    throw new BridgeError('CONFIRMATION_TIMEOUT', `the cluster did not pass slot ${slot} within 20 s`, {
      kind: 'deploy',
    });
  }
}

function equalRange(current: Uint8Array, elf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (current[i] !== elf[i]) return false;
  return true;
}
