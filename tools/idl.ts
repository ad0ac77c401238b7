import type { AccountName, EventName, InstructionName } from '../src/bridge/index.js';
import {
  accountDiscriminator,
  eventDiscriminator,
  INSTRUCTIONS_SYSVAR_ID,
  instructionDiscriminator,
  MAX_APPROVAL_DEPTH,
  SYSTEM_PROGRAM_ID,
} from '../src/bridge/index.js';

type Ty = string | { array: [Ty, number] } | { vec: Ty } | { defined: { name: string } };
interface Field {
  name: string;
  type: Ty;
}
type Seed = { kind: 'const'; value: number[] } | { kind: 'account'; path: string };
/** Key order follows Anchor's own IDL output, so a diff against an Anchor-built IDL stays readable. */
interface Acc {
  name: string;
  docs?: string[];
  writable?: boolean;
  signer?: boolean;
  optional?: boolean;
  address?: string;
  pda?: { seeds: Seed[] };
}

const b32: Ty = { array: ['u8', 32] };
const f = (name: string, type: Ty): Field => ({ name, type });
const w = (name: string, signer = false): Acc => ({ name, writable: true, ...(signer ? { signer } : {}) });
const r = (name: string, signer = false): Acc => ({ name, ...(signer ? { signer } : {}) });
const withDocs = ({ name, ...rest }: Acc, ...docs: string[]): Acc => ({ name, docs, ...rest });

// Seeds and fixed addresses let a generated client (Codama, Anchor) derive these accounts itself; the seeds
// are the ones in programs/paraloom/src (and src/bridge/pda.ts), checked by src/bridge/generated-client.test.ts.
const constSeed = (s: string): Seed => ({ kind: 'const', value: Array.from(new TextEncoder().encode(s)) });
const singleton = (name: string, writable: boolean): Acc => ({
  ...(writable ? w(name) : r(name)),
  pda: { seeds: [constSeed(name)] },
});
const bridgeState = (writable: boolean): Acc => singleton('bridge_state', writable);
const vault = (): Acc => singleton('vault', true);
const validatorRegistry = (writable: boolean): Acc => singleton('validator_registry', writable);
const verifyingKey = (writable: boolean): Acc => singleton('verifying_key', writable);
/** The ValidatorAccount of the instruction's `validator` signer: seeds ["validator", validator]. */
const ownValidatorAccount = (): Acc => ({
  ...w('validator_account'),
  pda: { seeds: [constSeed('validator'), { kind: 'account', path: 'validator' }] },
});
const systemProgram = (): Acc => ({ ...r('system_program'), address: SYSTEM_PROGRAM_ID });
const instructionsSysvar = (): Acc => ({ ...r('instructions_sysvar'), address: INSTRUCTIONS_SYSVAR_ID });
const approvalDoc = 'PDA ["approval", height u64 LE] of the anchor that approved the withdrawal.';

const INSTRUCTIONS: [InstructionName, Acc[], Field[]][] = [
  [
    'initialize',
    [
      w('admin', true),
      bridgeState(true),
      vault(),
      validatorRegistry(true),
      verifyingKey(true),
      r('program'),
      withDocs(
        r('program_data'),
        "The program's ProgramData account (admin must be its upgrade authority); for a non-upgradeable",
        'deployment, the program id itself, with the program keypair signing the transaction.',
      ),
      systemProgram(),
    ],
    [
      f('cluster', 'u8'),
      f('min_stake', 'u64'),
      f('deposit_cap', 'u64'),
      f('unbonding_slots', 'u64'),
      f('slash_bps', 'u16'),
      f('reporter_bps', 'u16'),
      f('ic_count', 'u32'),
    ],
  ],
  ['pause', [r('admin', true), bridgeState(true)], []],
  ['unpause', [r('admin', true), bridgeState(true)], []],
  [
    'write_verifying_key',
    [r('admin', true), bridgeState(false), verifyingKey(true)],
    [f('offset', 'u32'), f('chunk', 'bytes')],
  ],
  ['finalize_verifying_key', [r('admin', true), bridgeState(true), verifyingKey(true)], []],
  [
    'register_validator',
    [
      w('validator', true),
      bridgeState(false),
      validatorRegistry(true),
      ownValidatorAccount(),
      systemProgram(),
    ],
    [f('stake', 'u64'), f('peer_id', 'bytes'), f('multiaddrs', 'bytes')],
  ],
  [
    'update_validator_endpoints',
    [r('validator', true), ownValidatorAccount()],
    [f('peer_id', 'bytes'), f('multiaddrs', 'bytes')],
  ],
  [
    'unregister_validator',
    [r('validator', true), bridgeState(false), validatorRegistry(true), ownValidatorAccount()],
    [],
  ],
  ['withdraw_unbonded', [w('validator', true), validatorRegistry(true), ownValidatorAccount()], []],
  [
    'deposit',
    [w('depositor', true), bridgeState(true), vault(), systemProgram()],
    [f('amount', 'u64'), f('owner_pk', b32), f('blinding', b32), f('asset', b32)],
  ],
  [
    'anchor_root',
    [
      withDocs(
        w('submitter', true),
        "Signs, and pays the Approval account's rent when the anchor approves withdrawals.",
      ),
      bridgeState(true),
      validatorRegistry(false),
      instructionsSysvar(),
      withDocs(
        w('approval'),
        'PDA ["approval", height u64 LE]: created when withdrawals_root != 0, untouched otherwise.',
      ),
      systemProgram(),
    ],
    [
      f('height', 'u64'),
      f('root', b32),
      f('deposits_consumed', 'u64'),
      f('withdrawals_root', b32),
      f('block_hash', b32),
      f('max_expiration_slot', 'u64'),
    ],
  ],
  [
    'withdraw',
    [
      w('payer', true),
      bridgeState(true),
      vault(),
      verifyingKey(false),
      withDocs(r('approval'), approvalDoc),
      withDocs(w('nullifier0'), 'PDA ["nullifier", nullifiers[0]] (32-byte big-endian nullifier).'),
      withDocs(w('nullifier1'), 'PDA ["nullifier", nullifiers[1]].'),
      w('recipient'),
      w('relayer'),
      systemProgram(),
    ],
    [
      f('proof', { array: ['u8', 128] }),
      f('root', b32),
      f('nullifiers', { array: [b32, 2] }),
      f('outputs', { array: [b32, 2] }),
      f('ext_amount', 'i64'),
      f('fee', 'u64'),
      f('expiration_slot', 'u64'),
      f('outputs_digest', b32),
      f('approval_index', 'u32'),
      f('approval_siblings', { defined: { name: 'ApprovalSiblings' } }),
    ],
  ],
  [
    'slash',
    [
      w('reporter', true),
      bridgeState(true),
      validatorRegistry(true),
      withDocs(w('validator_account'), 'PDA ["validator", the slashed validator].'),
      withDocs(
        w('slash_record'),
        'PDA ["slash", validator, height u64 LE | round u32 LE | vote_type u8] of the two conflicting votes.',
      ),
      vault(),
      instructionsSysvar(),
      systemProgram(),
      {
        ...withDocs(
          w('reporter_validator_account'),
          'The reporter\'s own ValidatorAccount (PDA ["validator", reporter]): the reward accrues there,',
          'claimable, instead of going to the reporter wallet.',
        ),
        optional: true,
      },
    ],
    [f('signature_a', 'u8'), f('signature_b', 'u8')],
  ],
  ['claim_rewards', [w('validator', true), ownValidatorAccount()], []],
  [
    'close_approval',
    [
      withDocs(w('approval'), approvalDoc, 'Closable once the current slot > its max_expiration_slot.'),
      withDocs(w('payer'), 'The payer the approval recorded: its rent goes back there.'),
    ],
    [],
  ],
];

const ACCOUNTS: [AccountName, Field[]][] = [
  [
    'BridgeState',
    [
      f('program_version', 'u32'),
      f('bump', 'u8'),
      f('vault_bump', 'u8'),
      f('paused', 'u8'),
      f('cluster', 'u8'),
      f('admin', 'pubkey'),
      f('min_stake', 'u64'),
      f('deposit_cap', 'u64'),
      f('unbonding_slots', 'u64'),
      f('quorum_num', 'u32'),
      f('quorum_den', 'u32'),
      f('slash_bps', 'u16'),
      f('reporter_bps', 'u16'),
      f('vk_ready', 'u8'),
      f('registry_bump', 'u8'),
      f('vk_bump', 'u8'),
      f('reserved0', 'u8'),
      f('last_height', 'u64'),
      f('anchor_count', 'u64'),
      f('deposit_count', 'u64'),
      f('deposits_consumed', 'u64'),
      f('total_deposited', 'u64'),
      f('total_withdrawn', 'u64'),
      f('total_fees_paid', 'u64'),
      f('total_slashed', 'u64'),
      f('reserved', { array: ['u64', 4] }),
      f('anchors', { array: [{ defined: { name: 'AnchorEntry' } }, 64] }),
      f('deposit_accs', { array: [b32, 96] }),
    ],
  ],
  ['Vault', []],
  [
    'VerifyingKey',
    [
      f('ic_count', 'u32'),
      f('finalized', 'u8'),
      f('reserved', { array: ['u8', 3] }),
      f('alpha_g1', { array: ['u8', 64] }),
      f('beta_g2', { array: ['u8', 128] }),
      f('gamma_g2', { array: ['u8', 128] }),
      f('delta_g2', { array: ['u8', 128] }),
      f('ic', { vec: { array: ['u8', 64] } }),
    ],
  ],
  [
    'ValidatorRegistry',
    [
      f('total', 'u32'),
      f('active', 'u32'),
      f('total_active_stake', 'u64'),
      f('min_stake', 'u64'),
      f('validators', { array: [{ defined: { name: 'ActiveValidator' } }, 64] }),
    ],
  ],
  [
    'ValidatorAccount',
    [
      f('key', 'pubkey'),
      f('stake', 'u64'),
      f('registered_slot', 'u64'),
      f('unbonding_until', 'u64'),
      f('total_earnings', 'u64'),
      f('pending_rewards', 'u64'),
      f('total_slashed', 'u64'),
      f('last_slash_slot', 'u64'),
      f('reputation', 'u32'),
      f('slash_count', 'u32'),
      f('active', 'u8'),
      f('bump', 'u8'),
      f('peer_id_len', 'u8'),
      f('reserved0', 'u8'),
      f('multiaddrs_len', 'u16'),
      f('reserved1', 'u16'),
      f('peer_id', { array: ['u8', 64] }),
      f('multiaddrs', { array: ['u8', 256] }),
    ],
  ],
  ['NullifierRecord', []],
  ['SlashRecord', [f('reporter', 'pubkey'), f('slot', 'u64')]],
  [
    'Approval',
    [
      f('height', 'u64'),
      f('withdrawals_root', b32),
      f('max_expiration_slot', 'u64'),
      f('payer', 'pubkey'),
      f('bump', 'u8'),
      f('reserved', { array: ['u8', 7] }),
    ],
  ],
];

const EVENTS: [EventName, Field[]][] = [
  ['DepositEvent', [f('index', 'u64'), f('amount', 'u64'), f('commitment', b32), f('deposit_acc', b32)]],
  [
    'AnchorEvent',
    [
      f('height', 'u64'),
      f('root', b32),
      f('deposits_consumed', 'u64'),
      f('signers', 'u64'),
      f('signed_stake', 'u64'),
    ],
  ],
  ['WithdrawEvent', [f('nullifier0', b32), f('nullifier1', b32), f('amount', 'u64'), f('fee', 'u64')]],
  [
    'SlashEvent',
    [
      f('validator', 'pubkey'),
      f('height', 'u64'),
      f('round', 'u32'),
      f('vote_type', 'u8'),
      f('amount', 'u64'),
      f('reward', 'u64'),
    ],
  ],
];

const struct = (name: string, fields: Field[]) => ({
  name,
  serialization: 'bytemuck',
  repr: { kind: 'c' },
  type: { kind: 'struct', fields },
});
const arr = (u: Uint8Array): number[] => Array.from(u);

export function buildIdl(programId: string, errorBase: number, errorCodes: readonly string[]) {
  return {
    address: programId,
    metadata: {
      name: 'paraloom',
      version: '0.1.0',
      spec: '0.1.0',
      description: 'Paraloom privacy L2 settlement program (C, SBPFv0)',
    },
    instructions: INSTRUCTIONS.map(([name, accounts, args]) => ({
      name,
      discriminator: arr(instructionDiscriminator(name)),
      accounts,
      args,
    })),
    accounts: ACCOUNTS.map(([name]) => ({ name, discriminator: arr(accountDiscriminator(name)) })),
    events: EVENTS.map(([name]) => ({ name, discriminator: arr(eventDiscriminator(name)) })),
    errors: errorCodes.map((code, i) => ({
      code: errorBase + i,
      name: code
        .toLowerCase()
        .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
        .replace(/^./, (c) => c.toUpperCase()),
      msg: code.toLowerCase().replaceAll('_', ' '),
    })),
    types: [
      ...ACCOUNTS.map(([name, fields]) => struct(name, fields)),
      ...EVENTS.map(([name, fields]) => ({ name, type: { kind: 'struct', fields } })),
      struct('AnchorEntry', [
        f('height', 'u64'),
        f('root', b32),
        f('withdrawals_root', b32),
        f('block_hash', b32),
      ]),
      struct('ActiveValidator', [f('key', 'pubkey'), f('stake', 'u64')]),
      {
        name: 'ApprovalSiblings',
        docs: [
          `The withdrawal approval path: u8 depth, then depth x 32-byte siblings (depth <= ${MAX_APPROVAL_DEPTH}). An Anchor IDL`,
          'vec has a u32 length, so the path is an enum whose u8 variant index is the depth.',
        ],
        type: {
          kind: 'enum',
          variants: Array.from({ length: MAX_APPROVAL_DEPTH + 1 }, (_, depth) =>
            depth === 0
              ? { name: 'Depth0' }
              : { name: `Depth${depth}`, fields: [f('siblings', { array: [b32, depth] })] },
          ),
        },
      },
    ],
  };
}
