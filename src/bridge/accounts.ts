import { type Address, getAddressDecoder } from '@solana/kit';
import { bytesEqual } from '../common/index.js';
import { ByteReader } from './bytes.js';
import {
  type AccountName,
  ANCHOR_RING,
  accountDiscriminator,
  DEPOSIT_RING,
  MAX_VALIDATORS,
  SIZES,
  VK_FIXED,
  VK_HEADER,
} from './constants.js';
import { BridgeError } from './errors.js';

const addrDec = getAddressDecoder();

function open(data: Uint8Array, name: AccountName, minSize: number): ByteReader {
  if (data.length < minSize) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', `${name}: ${data.length} bytes, need ${minSize}`);
  }
  if (!bytesEqual(data.subarray(0, 8), accountDiscriminator(name))) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', `${name}: wrong discriminator`);
  }
  return new ByteReader(data, name);
}

const address32 = (r: ByteReader, off: number): Address => addrDec.decode(r.bytes(off, 32));

export interface AnchorEntry {
  height: bigint;
  root: Uint8Array;
  withdrawalsRoot: Uint8Array;
  blockHash: Uint8Array;
}

export interface BridgeState {
  programVersion: number;
  bump: number;
  vaultBump: number;
  paused: boolean;
  cluster: number;
  admin: Address;
  minStake: bigint;
  depositCap: bigint;
  unbondingSlots: bigint;
  quorumNum: number;
  quorumDen: number;
  slashBps: number;
  reporterBps: number;
  vkReady: boolean;
  lastHeight: bigint;
  anchorCount: bigint;
  depositCount: bigint;
  depositsConsumed: bigint;
  totalDeposited: bigint;
  totalWithdrawn: bigint;
  totalFeesPaid: bigint;
  totalSlashed: bigint;
  /** Anchored entries currently in the ring, oldest first. */
  anchors: AnchorEntry[];
  /** acc_i for the deposit indexes still in the ring (i in (count - 96, count]). */
  depositAccs: Map<bigint, Uint8Array>;
}

export function decodeBridgeState(data: Uint8Array): BridgeState {
  const r = open(data, 'BridgeState', SIZES.bridgeState);
  const anchorCount = r.u64(96);
  const anchors: AnchorEntry[] = [];
  const n = anchorCount < BigInt(ANCHOR_RING) ? Number(anchorCount) : ANCHOR_RING;
  for (let k = 0; k < n; k++) {
    const slot = Number((anchorCount - BigInt(n) + BigInt(k)) % BigInt(ANCHOR_RING));
    const o = 184 + slot * 104;
    anchors.push({
      height: r.u64(o),
      root: r.bytes(o + 8, 32),
      withdrawalsRoot: r.bytes(o + 40, 32),
      blockHash: r.bytes(o + 72, 32),
    });
  }
  const depositCount = r.u64(104);
  const depositAccs = new Map<bigint, Uint8Array>();
  for (let i = depositCount; i > 0n && i > depositCount - BigInt(DEPOSIT_RING) + 1n; i--) {
    depositAccs.set(i, r.bytes(184 + ANCHOR_RING * 104 + Number(i % BigInt(DEPOSIT_RING)) * 32, 32));
  }
  return {
    programVersion: r.u32(8),
    bump: r.u8(12),
    vaultBump: r.u8(13),
    paused: r.u8(14) !== 0,
    cluster: r.u8(15),
    admin: address32(r, 16),
    minStake: r.u64(48),
    depositCap: r.u64(56),
    unbondingSlots: r.u64(64),
    quorumNum: r.u32(72),
    quorumDen: r.u32(76),
    slashBps: r.u16(80),
    reporterBps: r.u16(82),
    vkReady: r.u8(84) !== 0,
    lastHeight: r.u64(88),
    anchorCount,
    depositCount,
    depositsConsumed: r.u64(112),
    totalDeposited: r.u64(120),
    totalWithdrawn: r.u64(128),
    totalFeesPaid: r.u64(136),
    totalSlashed: r.u64(144),
    anchors,
    depositAccs,
  };
}

export interface ValidatorRegistry {
  total: number;
  active: number;
  totalActiveStake: bigint;
  minStake: bigint;
  validators: { key: Address; stake: bigint }[];
}

export function decodeValidatorRegistry(data: Uint8Array): ValidatorRegistry {
  const r = open(data, 'ValidatorRegistry', SIZES.validatorRegistry);
  const active = r.u32(12);
  if (active > MAX_VALIDATORS)
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'ValidatorRegistry: active > 64');
  const validators = [];
  for (let i = 0; i < active; i++)
    validators.push({ key: address32(r, 32 + 40 * i), stake: r.u64(64 + 40 * i) });
  return { total: r.u32(8), active, totalActiveStake: r.u64(16), minStake: r.u64(24), validators };
}

export interface ValidatorAccount {
  key: Address;
  stake: bigint;
  registeredSlot: bigint;
  unbondingUntil: bigint;
  totalEarnings: bigint;
  pendingRewards: bigint;
  totalSlashed: bigint;
  lastSlashSlot: bigint;
  reputation: number;
  slashCount: number;
  active: boolean;
  bump: number;
  peerId: Uint8Array;
  multiaddrs: Uint8Array;
}

export function decodeValidatorAccount(data: Uint8Array): ValidatorAccount {
  const r = open(data, 'ValidatorAccount', SIZES.validatorAccount);
  const peerLen = r.u8(106);
  const addrLen = r.u16(108);
  if (peerLen > 64 || addrLen > 256)
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'ValidatorAccount: bad lengths');
  return {
    key: address32(r, 8),
    stake: r.u64(40),
    registeredSlot: r.u64(48),
    unbondingUntil: r.u64(56),
    totalEarnings: r.u64(64),
    pendingRewards: r.u64(72),
    totalSlashed: r.u64(80),
    lastSlashSlot: r.u64(88),
    reputation: r.u32(96),
    slashCount: r.u32(100),
    active: r.u8(104) !== 0,
    bump: r.u8(105),
    peerId: r.bytes(112, peerLen),
    multiaddrs: r.bytes(176, addrLen),
  };
}

export interface VerifyingKeyAccount {
  icCount: number;
  finalized: boolean;
  /** alpha | beta | gamma | delta | u32 n | IC[n], as verifyingKeyToChainBytes writes it. */
  body: Uint8Array;
}

export function decodeVerifyingKeyAccount(data: Uint8Array): VerifyingKeyAccount {
  const r = open(data, 'VerifyingKey', VK_HEADER + VK_FIXED);
  const icCount = r.u32(8);
  const size = VK_HEADER + VK_FIXED + 64 * icCount;
  if (data.length !== size)
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'VerifyingKey: size does not match ic_count');
  return { icCount, finalized: r.u8(12) !== 0, body: r.bytes(VK_HEADER, size - VK_HEADER) };
}

export function isAccountOfType(data: Uint8Array, name: AccountName): boolean {
  return data.length >= 8 && bytesEqual(data.subarray(0, 8), accountDiscriminator(name));
}
