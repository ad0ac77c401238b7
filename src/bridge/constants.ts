import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, address } from '@solana/kit';

/** Program version the off-chain side expects in BridgeState.program_version (the version handshake). */
export const PROGRAM_VERSION = 2;

/** Address the dev/localnet deployment uses; real clusters pass their own program id everywhere. */
export const PARALOOM_DEV_PROGRAM_ID: Address = address('PaRa1oomDev11111111111111111111111111111111');

export const SYSTEM_PROGRAM_ID: Address = address('11111111111111111111111111111111');
export const ED25519_PROGRAM_ID: Address = address('Ed25519SigVerify111111111111111111111111111');
export const INSTRUCTIONS_SYSVAR_ID: Address = address('Sysvar1nstructions1111111111111111111111111');
export const UPGRADEABLE_LOADER_ID: Address = address('BPFLoaderUpgradeab1e11111111111111111111111');

export const LAMPORTS_PER_SOL = 1_000_000_000n;
export const ANCHOR_RING = 64;
export const DEPOSIT_RING = 96;
export const MAX_VALIDATORS = 64;
export const MAX_PEER_ID = 64;
export const MAX_MULTIADDRS = 256;
/**
 * Deepest approval path: the withdraw transaction at this depth fits the 1,232-byte packet with room to
 * spare (docs/protocol.md, "Transaction sizes"); an anchor approves at most 2^depth withdrawals.
 */
export const MAX_APPROVAL_DEPTH = 11;
/** Largest active validator set whose anchor_root transaction fits the packet; register_validator refuses more. */
export const MAX_ACTIVE_VALIDATORS = 10;
export const VK_HEADER = 16;
export const VK_FIXED = 452;

export const SIZES = {
  bridgeState: 9912,
  vault: 8,
  validatorRegistry: 2592,
  validatorAccount: 432,
  nullifierRecord: 8,
  slashRecord: 48,
  approval: 96,
} as const;

const enc = new TextEncoder();
const disc = (s: string): Uint8Array => sha256(enc.encode(s)).slice(0, 8);

/** Anchor conventions: sha256("global:<ix>")[..8], sha256("account:<Name>")[..8], sha256("event:<Name>")[..8]. */
export const INSTRUCTION_NAMES = [
  'initialize',
  'pause',
  'unpause',
  'write_verifying_key',
  'finalize_verifying_key',
  'register_validator',
  'update_validator_endpoints',
  'unregister_validator',
  'withdraw_unbonded',
  'deposit',
  'anchor_root',
  'withdraw',
  'slash',
  'claim_rewards',
  'close_approval',
] as const;
export type InstructionName = (typeof INSTRUCTION_NAMES)[number];
export const ACCOUNT_NAMES = [
  'BridgeState',
  'Vault',
  'VerifyingKey',
  'ValidatorRegistry',
  'ValidatorAccount',
  'NullifierRecord',
  'SlashRecord',
  'Approval',
] as const;
export type AccountName = (typeof ACCOUNT_NAMES)[number];
export const EVENT_NAMES = ['DepositEvent', 'AnchorEvent', 'WithdrawEvent', 'SlashEvent'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export const instructionDiscriminator = (name: InstructionName): Uint8Array => disc(`global:${name}`);
export const accountDiscriminator = (name: AccountName): Uint8Array => disc(`account:${name}`);
export const eventDiscriminator = (name: EventName): Uint8Array => disc(`event:${name}`);

/** Domain tags of the signed messages (see messages.ts). */
export const ANCHOR_DOMAIN = 'paraloom:anchor:v2';
export const VOTE_DOMAIN = 'paraloom:vote:v1';

export const CLUSTER_IDS = { localnet: 0, devnet: 1, 'mainnet-beta': 2, testnet: 3 } as const;
export type ClusterName = keyof typeof CLUSTER_IDS;
