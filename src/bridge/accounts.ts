import { type Address, type Decoder, isSolanaError, type ReadonlyUint8Array } from '@solana/kit';
import { bytesEqual } from '../common/index.js';
import {
  type AccountName,
  ANCHOR_RING,
  accountDiscriminator,
  DEPOSIT_RING,
  MAX_MULTIADDRS,
  MAX_PEER_ID,
  MAX_VALIDATORS,
  VK_FIXED,
  VK_HEADER,
} from './constants.js';
import { BridgeError } from './errors.js';
import {
  getApprovalDecoder,
  getApprovalSize,
  getBridgeStateDecoder,
  getBridgeStateSize,
  getValidatorAccountDecoder,
  getValidatorAccountSize,
  getValidatorRegistryDecoder,
  getValidatorRegistrySize,
  getVerifyingKeyDecoder,
} from './generated/index.js';

/**
 * The generated decoders read whatever bytes they are given; the size and discriminator checks here make a
 * short or foreign account a typed ACCOUNT_DECODE_FAILED, as is anything the codecs themselves refuse.
 */
function decodeAccount<T>(data: Uint8Array, name: AccountName, minSize: number, decoder: Decoder<T>): T {
  if (data.length < minSize) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', `${name}: ${data.length} bytes, need ${minSize}`);
  }
  if (!isAccountOfType(data, name)) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', `${name}: wrong discriminator`);
  }
  try {
    return decoder.decode(data);
  } catch (err) {
    if (!isSolanaError(err)) throw err;
    throw new BridgeError(
      'ACCOUNT_DECODE_FAILED',
      `${name}: data does not decode`,
      { length: data.length, solanaCode: err.context.__code },
      { cause: err },
    );
  }
}

const copy = (b: ReadonlyUint8Array): Uint8Array => Uint8Array.from(b);

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
  const s = decodeAccount(data, 'BridgeState', getBridgeStateSize(), getBridgeStateDecoder());
  // The rings are stored by slot (index mod ring size); callers want the live entries in order.
  const anchors: AnchorEntry[] = [];
  const ring = BigInt(ANCHOR_RING);
  const live = s.anchorCount < ring ? s.anchorCount : ring;
  for (let k = s.anchorCount - live; k < s.anchorCount; k++) {
    const e = s.anchors[Number(k % ring)]!;
    anchors.push({
      height: e.height,
      root: copy(e.root),
      withdrawalsRoot: copy(e.withdrawalsRoot),
      blockHash: copy(e.blockHash),
    });
  }
  const depositAccs = new Map<bigint, Uint8Array>();
  for (let i = s.depositCount; i > 0n && i > s.depositCount - BigInt(DEPOSIT_RING) + 1n; i--) {
    depositAccs.set(i, copy(s.depositAccs[Number(i % BigInt(DEPOSIT_RING))]!));
  }
  return {
    programVersion: s.programVersion,
    bump: s.bump,
    vaultBump: s.vaultBump,
    paused: s.paused !== 0,
    cluster: s.cluster,
    admin: s.admin,
    minStake: s.minStake,
    depositCap: s.depositCap,
    unbondingSlots: s.unbondingSlots,
    quorumNum: s.quorumNum,
    quorumDen: s.quorumDen,
    slashBps: s.slashBps,
    reporterBps: s.reporterBps,
    vkReady: s.vkReady !== 0,
    lastHeight: s.lastHeight,
    anchorCount: s.anchorCount,
    depositCount: s.depositCount,
    depositsConsumed: s.depositsConsumed,
    totalDeposited: s.totalDeposited,
    totalWithdrawn: s.totalWithdrawn,
    totalFeesPaid: s.totalFeesPaid,
    totalSlashed: s.totalSlashed,
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
  const r = decodeAccount(
    data,
    'ValidatorRegistry',
    getValidatorRegistrySize(),
    getValidatorRegistryDecoder(),
  );
  if (r.active > MAX_VALIDATORS) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', `ValidatorRegistry: active > ${MAX_VALIDATORS}`);
  }
  return {
    total: r.total,
    active: r.active,
    totalActiveStake: r.totalActiveStake,
    minStake: r.minStake,
    validators: r.validators.slice(0, r.active).map(({ key, stake }) => ({ key, stake })),
  };
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
  const v = decodeAccount(data, 'ValidatorAccount', getValidatorAccountSize(), getValidatorAccountDecoder());
  if (v.peerIdLen > MAX_PEER_ID || v.multiaddrsLen > MAX_MULTIADDRS) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'ValidatorAccount: bad lengths', {
      peerIdLen: v.peerIdLen,
      multiaddrsLen: v.multiaddrsLen,
    });
  }
  return {
    key: v.key,
    stake: v.stake,
    registeredSlot: v.registeredSlot,
    unbondingUntil: v.unbondingUntil,
    totalEarnings: v.totalEarnings,
    pendingRewards: v.pendingRewards,
    totalSlashed: v.totalSlashed,
    lastSlashSlot: v.lastSlashSlot,
    reputation: v.reputation,
    slashCount: v.slashCount,
    active: v.active !== 0,
    bump: v.bump,
    peerId: copy(v.peerId.subarray(0, v.peerIdLen)),
    multiaddrs: copy(v.multiaddrs.subarray(0, v.multiaddrsLen)),
  };
}

export interface VerifyingKeyAccount {
  icCount: number;
  finalized: boolean;
  /** alpha | beta | gamma | delta | u32 n | IC[n], as verifyingKeyToChainBytes writes it. */
  body: Uint8Array;
}

export function decodeVerifyingKeyAccount(data: Uint8Array): VerifyingKeyAccount {
  const k = decodeAccount(data, 'VerifyingKey', VK_HEADER + VK_FIXED, getVerifyingKeyDecoder());
  // The account is allocated for ic_count points at initialize; the body is written into it chunk by chunk.
  if (data.length !== VK_HEADER + VK_FIXED + 64 * k.icCount) {
    throw new BridgeError('ACCOUNT_DECODE_FAILED', 'VerifyingKey: size does not match ic_count', {
      length: data.length,
      icCount: k.icCount,
    });
  }
  return { icCount: k.icCount, finalized: k.finalized !== 0, body: data.slice(VK_HEADER) };
}

export function isAccountOfType(data: Uint8Array, name: AccountName): boolean {
  return data.length >= 8 && bytesEqual(data.subarray(0, 8), accountDiscriminator(name));
}

/** An anchor's approval of withdrawals: PDA ["approval", height u64 LE], alive until max_expiration_slot. */
export interface Approval {
  height: bigint;
  withdrawalsRoot: Uint8Array;
  maxExpirationSlot: bigint;
  /** Paid its rent at anchor time; close_approval returns it there. */
  payer: Address;
}

export function decodeApproval(data: Uint8Array): Approval {
  const a = decodeAccount(data, 'Approval', getApprovalSize(), getApprovalDecoder());
  return {
    height: a.height,
    withdrawalsRoot: copy(a.withdrawalsRoot),
    maxExpirationSlot: a.maxExpirationSlot,
    payer: a.payer,
  };
}
