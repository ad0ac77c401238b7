/**
 * The upgradeable BPF loader's instructions and account states (loader v3), encoded here from its
 * documented layout: instructions are a bincode enum (u32 little-endian tag, then the variant's
 * fields; a Vec<u8> is a u64 length then the bytes), account states likewise. The optional trailing
 * `close_buffer` flag of newer runtimes is left out: absent, it means "close", which is also what every
 * older runtime does.
 */
import {
  AccountRole,
  type Address,
  address,
  getAddressDecoder,
  getAddressEncoder,
  getProgramDerivedAddress,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { BridgeError } from '../errors.js';

export const LOADER_V3_ID: Address = address('BPFLoaderUpgradeab1e11111111111111111111111');
export const RENT_SYSVAR_ID: Address = address('SysvarRent111111111111111111111111111111111');
export const CLOCK_SYSVAR_ID: Address = address('SysvarC1ock11111111111111111111111111111111');
const SYSTEM_ID: Address = address('11111111111111111111111111111111');

export const LOADER_INSTRUCTION_TAGS = {
  initializeBuffer: 0,
  write: 1,
  deployWithMaxDataLen: 2,
  upgrade: 3,
  setAuthority: 4,
  close: 5,
  extendProgram: 6,
  setAuthorityChecked: 7,
} as const;

/** Metadata in front of the bytes: u32 tag + Option<Pubkey> (buffer); u32 + u64 slot + Option<Pubkey>. */
export const BUFFER_METADATA_BYTES = 37;
export const PROGRAM_ACCOUNT_BYTES = 36;
export const PROGRAMDATA_METADATA_BYTES = 45;
/** The largest account Solana allows (10 MiB): bounds max_data_len. */
export const MAX_PERMITTED_DATA_LENGTH = 10 * 1024 * 1024;

const addressEncoder = getAddressEncoder();
const addressDecoder = getAddressDecoder();

function tagged(tag: number, extra = 0): { data: Uint8Array; view: DataView } {
  const data = new Uint8Array(4 + extra);
  const view = new DataView(data.buffer);
  view.setUint32(0, tag, true);
  return { data, view };
}

const signerMeta = (signer: TransactionSigner, writable = false) => ({
  address: signer.address,
  role: writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER,
  signer,
});
const writable = (a: Address) => ({ address: a, role: AccountRole.WRITABLE });
const readonly = (a: Address) => ({ address: a, role: AccountRole.READONLY });

export async function findProgramDataAddress(programId: Address): Promise<Address> {
  const [pd] = await getProgramDerivedAddress({
    programAddress: LOADER_V3_ID,
    seeds: [addressEncoder.encode(programId)],
  });
  return pd;
}

/** Must share a transaction with the buffer's creation, or anyone could initialize it first. */
export function initializeBufferInstruction(buffer: Address, authority: Address): Instruction {
  return {
    programAddress: LOADER_V3_ID,
    accounts: [writable(buffer), readonly(authority)],
    data: tagged(LOADER_INSTRUCTION_TAGS.initializeBuffer).data,
  };
}

/** The encoded Write instruction's data length for `chunkLength` bytes: tag, offset, u64 length, bytes. */
export const writeInstructionDataLength = (chunkLength: number): number => 4 + 4 + 8 + chunkLength;

export function writeInstruction(
  buffer: Address,
  authority: TransactionSigner,
  offset: number,
  bytes: Uint8Array,
): Instruction {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffff_ffff) {
    throw new BridgeError('ARGUMENT_INVALID', 'a buffer write offset is a u32', { value: String(offset) });
  }
  const { data, view } = tagged(LOADER_INSTRUCTION_TAGS.write, 4 + 8 + bytes.length);
  view.setUint32(4, offset, true);
  view.setBigUint64(8, BigInt(bytes.length), true);
  data.set(bytes, 16);
  return { programAddress: LOADER_V3_ID, accounts: [writable(buffer), signerMeta(authority)], data };
}

export interface DeployAccounts {
  readonly payer: TransactionSigner;
  readonly programData: Address;
  readonly program: Address;
  readonly buffer: Address;
  readonly authority: TransactionSigner;
}

export function deployWithMaxDataLenInstruction(a: DeployAccounts, maxDataLen: number): Instruction {
  if (!Number.isInteger(maxDataLen) || maxDataLen < 1 || maxDataLen > MAX_PERMITTED_DATA_LENGTH) {
    throw new BridgeError('ARGUMENT_INVALID', `max_data_len must be 1..${MAX_PERMITTED_DATA_LENGTH}`, {
      value: String(maxDataLen),
    });
  }
  const { data, view } = tagged(LOADER_INSTRUCTION_TAGS.deployWithMaxDataLen, 8);
  view.setBigUint64(4, BigInt(maxDataLen), true);
  return {
    programAddress: LOADER_V3_ID,
    accounts: [
      signerMeta(a.payer, true),
      writable(a.programData),
      writable(a.program),
      writable(a.buffer),
      readonly(RENT_SYSVAR_ID),
      readonly(CLOCK_SYSVAR_ID),
      readonly(SYSTEM_ID),
      signerMeta(a.authority),
    ],
    data,
  };
}

export interface UpgradeAccounts {
  readonly programData: Address;
  readonly program: Address;
  readonly buffer: Address;
  /** Receives the buffer's lamports and whatever ProgramData holds above its rent. */
  readonly spill: Address;
  readonly authority: TransactionSigner;
}

export function upgradeInstruction(a: UpgradeAccounts): Instruction {
  return {
    programAddress: LOADER_V3_ID,
    accounts: [
      writable(a.programData),
      writable(a.program),
      writable(a.buffer),
      writable(a.spill),
      readonly(RENT_SYSVAR_ID),
      readonly(CLOCK_SYSVAR_ID),
      signerMeta(a.authority),
    ],
    data: tagged(LOADER_INSTRUCTION_TAGS.upgrade).data,
  };
}

/**
 * Changes the authority of a buffer or a ProgramData account; `newAuthority` undefined makes a
 * program immutable for good. (A buffer's authority can be changed, never dropped.)
 */
export function setAuthorityInstruction(
  account: Address,
  currentAuthority: TransactionSigner,
  newAuthority: Address | undefined,
): Instruction {
  return {
    programAddress: LOADER_V3_ID,
    accounts: [
      writable(account),
      signerMeta(currentAuthority),
      ...(newAuthority ? [readonly(newAuthority)] : []),
    ],
    data: tagged(LOADER_INSTRUCTION_TAGS.setAuthority).data,
  };
}

/** As SetAuthority, with the new authority signing too: a typo cannot hand the program to nobody. */
export function setAuthorityCheckedInstruction(
  account: Address,
  currentAuthority: TransactionSigner,
  newAuthority: TransactionSigner,
): Instruction {
  return {
    programAddress: LOADER_V3_ID,
    accounts: [writable(account), signerMeta(currentAuthority), signerMeta(newAuthority)],
    data: tagged(LOADER_INSTRUCTION_TAGS.setAuthorityChecked).data,
  };
}

/** Closes a buffer (its lamports to `recipient`); for a ProgramData account pass its program too. */
export function closeInstruction(
  account: Address,
  recipient: Address,
  authority: TransactionSigner,
  program?: Address,
): Instruction {
  return {
    programAddress: LOADER_V3_ID,
    accounts: [
      writable(account),
      writable(recipient),
      signerMeta(authority),
      ...(program ? [writable(program)] : []),
    ],
    data: tagged(LOADER_INSTRUCTION_TAGS.close).data,
  };
}

export type LoaderState =
  | { readonly kind: 'uninitialized' }
  | { readonly kind: 'buffer'; readonly authority: Address | null; readonly bytes: Uint8Array }
  | { readonly kind: 'program'; readonly programData: Address }
  | {
      readonly kind: 'programData';
      readonly slot: bigint;
      readonly authority: Address | null;
      /** Everything after the metadata: the ELF then zero padding up to max_data_len. */
      readonly bytes: Uint8Array;
    };

function optionalAddress(data: Uint8Array, at: number): Address | null {
  const flag = data[at];
  if (flag === 0) return null;
  if (flag !== 1) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'loader account: Option<Pubkey> flag is not 0 or 1', {
      length: data.length,
    });
  }
  return addressDecoder.decode(data.subarray(at + 1, at + 33));
}

/** Decodes an account owned by the upgradeable loader. */
export function decodeLoaderState(data: Uint8Array): LoaderState {
  const need = (n: number) => {
    if (data.length < n)
      throw new BridgeError('ACCOUNT_DECODE_FAILED', 'loader account shorter than its state', {
        length: data.length,
      });
  };
  need(4);
  const tag = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  switch (tag) {
    case 0:
      return { kind: 'uninitialized' };
    case 1: {
      // The Option is written as one byte when None, but the bytes always start at offset 37.
      need(BUFFER_METADATA_BYTES);
      return {
        kind: 'buffer',
        authority: optionalAddress(data, 4),
        bytes: data.subarray(BUFFER_METADATA_BYTES),
      };
    }
    case 2:
      need(PROGRAM_ACCOUNT_BYTES);
      return { kind: 'program', programData: addressDecoder.decode(data.subarray(4, 36)) };
    case 3: {
      need(PROGRAMDATA_METADATA_BYTES);
      const slot = new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(4, true);
      return {
        kind: 'programData',
        slot,
        authority: optionalAddress(data, 12),
        bytes: data.subarray(PROGRAMDATA_METADATA_BYTES),
      };
    }
    default:
      throw new BridgeError('ACCOUNT_DECODE_FAILED', `loader account with unknown state tag ${tag}`, {
        length: data.length,
      });
  }
}

/** The ProgramData layout a deploy leaves: tag 3, slot, Some(authority), ELF, zeros up to max_data_len. */
export function encodeProgramData(
  slot: bigint,
  authority: Address | null,
  elf: Uint8Array,
  maxDataLen: number,
): Uint8Array {
  const data = new Uint8Array(PROGRAMDATA_METADATA_BYTES + Math.max(maxDataLen, elf.length));
  const view = new DataView(data.buffer);
  view.setUint32(0, 3, true);
  view.setBigUint64(4, slot, true);
  if (authority) {
    data[12] = 1;
    data.set(addressEncoder.encode(authority), 13);
  }
  data.set(elf, PROGRAMDATA_METADATA_BYTES);
  return data;
}

/** The Program account's data: tag 2 then its ProgramData address. */
export function encodeProgramAccount(programData: Address): Uint8Array {
  const data = new Uint8Array(PROGRAM_ACCOUNT_BYTES);
  new DataView(data.buffer).setUint32(0, 2, true);
  data.set(addressEncoder.encode(programData), 4);
  return data;
}

/**
 * The ELF's own length, from its headers: the farthest end of the program headers, the section
 * headers, and every segment and section with file contents. The padding after it up to
 * max_data_len is zeros, but so may be the ELF's own last bytes (the committed .so ends in 15 zero
 * bytes: the last section header's zero fields), so stripping trailing zeros would cut the ELF.
 * Undefined when the bytes are not a 64-bit little-endian ELF whose headers lie inside them.
 */
export function elfLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    return undefined;
  if (bytes[4] !== 2 || bytes[5] !== 1) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(v.getBigUint64(0x20, true));
  const shoff = Number(v.getBigUint64(0x28, true));
  const phentsize = v.getUint16(0x36, true);
  const phnum = v.getUint16(0x38, true);
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  let end = Math.max(64, phoff + phnum * phentsize, shoff + shnum * shentsize);
  if (end > bytes.length) return undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (phentsize < 0x28) return undefined;
    end = Math.max(end, Number(v.getBigUint64(at + 0x08, true) + v.getBigUint64(at + 0x20, true)));
  }
  const SHT_NOBITS = 8;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (shentsize < 0x28) return undefined;
    if (v.getUint32(at + 0x04, true) === SHT_NOBITS) continue;
    end = Math.max(end, Number(v.getBigUint64(at + 0x18, true) + v.getBigUint64(at + 0x20, true)));
  }
  return end <= bytes.length ? end : undefined;
}

/** The deployed ELF inside ProgramData bytes (`bytes` of its state), without the padding to max_data_len. */
export function deployedElf(programDataBytes: Uint8Array): Uint8Array {
  const length = elfLength(programDataBytes);
  if (length !== undefined) return programDataBytes.subarray(0, length);
  // Not an ELF we can measure: the loader would not have deployed it, but show what is there.
  let end = programDataBytes.length;
  while (end > 0 && programDataBytes[end - 1] === 0) end--;
  return programDataBytes.subarray(0, end);
}
