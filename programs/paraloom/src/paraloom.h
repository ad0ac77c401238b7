/* Paraloom on-chain program: account layouts, errors and shared helpers. Every offset here is
 * documented byte for byte in docs/protocol.md ("On-chain program"); the static asserts pin them. */
#ifndef PARALOOM_H
#define PARALOOM_H
#include "../include/sol_abi.h"
#include "discriminators.h"

#define PROGRAM_VERSION 2

/* ---- errors: Anchor-style custom codes starting at 6000; the TS client maps them by number ---- */
enum {
  ERR_INVALID_INSTRUCTION = 6000,
  ERR_NOT_ENOUGH_ACCOUNTS = 6001,
  ERR_ACCOUNT_MISMATCH = 6002,
  ERR_MISSING_SIGNATURE = 6003,
  ERR_NOT_WRITABLE = 6004,
  ERR_UNAUTHORIZED = 6005,
  ERR_ALREADY_INITIALIZED = 6006,
  ERR_PAUSED = 6007,
  ERR_PAUSE_STATE_UNCHANGED = 6008,
  ERR_INVALID_PARAMETER = 6009,
  ERR_ZERO_AMOUNT = 6010,
  ERR_AMOUNT_OVER_CAP = 6011,
  ERR_NON_CANONICAL_FIELD = 6012,
  ERR_DEPOSIT_QUEUE_FULL = 6013,
  ERR_STAKE_TOO_LOW = 6014,
  ERR_VALIDATOR_NOT_ACTIVE = 6015,
  ERR_UNBONDING_NOT_FINISHED = 6016,
  ERR_REGISTRY_FULL = 6017,
  ERR_HEIGHT_NOT_INCREASING = 6018,
  ERR_DEPOSITS_OUT_OF_RANGE = 6019,
  ERR_DEPOSIT_ACC_MISMATCH = 6020,
  ERR_QUORUM_NOT_REACHED = 6021,
  ERR_BAD_SIGNATURE_INSTRUCTION = 6022,
  ERR_UNKNOWN_ROOT = 6023,
  ERR_UNKNOWN_APPROVAL_HEIGHT = 6024,
  ERR_APPROVAL_PATH_INVALID = 6025,
  ERR_EXPIRED = 6026,
  ERR_FEE_TOO_HIGH = 6027,
  ERR_INVALID_EXT_AMOUNT = 6028,
  ERR_PROOF_INVALID = 6029,
  ERR_VK_NOT_READY = 6030,
  ERR_VK_FINALIZED = 6031,
  ERR_VK_INVALID = 6032,
  ERR_NULLIFIER_SPENT = 6033,
  ERR_VAULT_INSUFFICIENT = 6034,
  ERR_EVIDENCE_INVALID = 6035,
  ERR_EVIDENCE_USED = 6036,
  ERR_NO_REWARDS = 6037,
  ERR_OVERFLOW = 6038,
  ERR_INVALID_ACCOUNT_DATA = 6039,
  ERR_SYSCALL_FAILED = 6040,
  ERR_ENDPOINT_TOO_LONG = 6041,
  ERR_UNSUPPORTED_ASSET = 6042,
  ERR_ALREADY_REGISTERED = 6043,
  ERR_RENT_UNSUPPORTED = 6044,
  ERR_PROOF_POINT_INVALID = 6045,
  ERR_APPROVAL_NOT_EXPIRED = 6046,
};

/* ---- BridgeState: PDA ["bridge_state"] ---- */
#define ANCHOR_RING 64
#define DEPOSIT_RING 96

typedef struct {
  u64 height;
  u8 root[32];
  u8 withdrawals_root[32];
  u8 block_hash[32];
} AnchorEntry;
static_assert(sizeof(AnchorEntry) == 104, "AnchorEntry");

typedef struct {
  u64 discriminator;
  u32 program_version;
  u8 bump;
  u8 vault_bump;
  u8 paused;
  u8 cluster;
  SolPubkey admin;
  u64 min_stake;
  u64 deposit_cap;
  u64 unbonding_slots;
  u32 quorum_num;
  u32 quorum_den;
  u16 slash_bps;
  u16 reporter_bps;
  u8 vk_ready;
  u8 registry_bump;
  u8 vk_bump;
  u8 reserved0;
  u64 last_height;
  u64 anchor_count;
  u64 deposit_count;
  u64 deposits_consumed;
  u64 total_deposited;
  u64 total_withdrawn;
  u64 total_fees_paid;
  u64 total_slashed;
  u64 reserved[4];
  AnchorEntry anchors[ANCHOR_RING];
  /* deposit_accs[i % DEPOSIT_RING] = acc_i for 1 <= i <= deposit_count; acc_0 = 0 is implicit */
  u8 deposit_accs[DEPOSIT_RING][32];
} BridgeState;
static_assert(__builtin_offsetof(BridgeState, admin) == 16, "admin");
static_assert(__builtin_offsetof(BridgeState, last_height) == 88, "last_height");
static_assert(__builtin_offsetof(BridgeState, anchors) == 184, "anchors");
static_assert(sizeof(BridgeState) == 9912, "BridgeState size");

/* ---- Vault: PDA ["vault"], 8 bytes of data; its lamports are the pool ---- */
#define VAULT_SIZE 8

/* ---- ValidatorRegistry: PDA ["validator_registry"] ---- */
#define MAX_VALIDATORS 64
/* The largest active set whose anchor_root transaction (quorum signers chosen heaviest stake first, the
 * submitter's transaction signature counting) fits Solana's 1,232-byte packet: register_validator
 * refuses the next one. docs/protocol.md ("Transaction sizes") gives the arithmetic. */
#define MAX_ACTIVE_VALIDATORS 10
typedef struct {
  SolPubkey key;
  u64 stake;
} ActiveValidator;

typedef struct {
  u64 discriminator;
  u32 total;
  u32 active;
  u64 total_active_stake;
  u64 min_stake;
  ActiveValidator validators[MAX_VALIDATORS];
} ValidatorRegistry;
static_assert(sizeof(ValidatorRegistry) == 2592, "ValidatorRegistry size");

/* ---- ValidatorAccount: PDA ["validator", key] ---- */
#define MAX_PEER_ID 64
#define MAX_MULTIADDRS 256
typedef struct {
  u64 discriminator;
  SolPubkey key;
  u64 stake;
  u64 registered_slot;
  u64 unbonding_until;
  u64 total_earnings;
  u64 pending_rewards;
  u64 total_slashed;
  u64 last_slash_slot;
  u32 reputation;
  u32 slash_count;
  u8 active;
  u8 bump;
  u8 peer_id_len;
  u8 reserved0;
  u16 multiaddrs_len;
  u16 reserved1;
  u8 peer_id[MAX_PEER_ID];
  u8 multiaddrs[MAX_MULTIADDRS];
} ValidatorAccount;
static_assert(__builtin_offsetof(ValidatorAccount, reputation) == 96, "reputation");
static_assert(__builtin_offsetof(ValidatorAccount, peer_id) == 112, "peer_id");
static_assert(sizeof(ValidatorAccount) == 432, "ValidatorAccount size");

/* ---- VerifyingKey: PDA ["verifying_key"]; blob = alpha|beta|gamma|delta|u32 n|IC[n] ---- */
#define VK_HEADER 16
#define VK_FIXED 452 /* 64 + 3*128 + 4 */
#define VK_MAX_IC 16
typedef struct {
  u64 discriminator;
  u32 ic_count;
  u8 finalized;
  u8 reserved[3];
  u8 blob[];
} VerifyingKeyAccount;

#define NULLIFIER_RECORD_SIZE 8

/* ---- Approval: PDA ["approval", height u64 LE], created by an anchor that approves withdrawals; it
 * lives until every withdrawal it approves has expired (close_approval), whatever the anchor ring does. */
typedef struct {
  u64 discriminator;
  u64 height;
  u8 withdrawals_root[32];
  u64 max_expiration_slot;
  SolPubkey payer;
  u8 bump;
  u8 reserved[7];
} ApprovalAccount;
static_assert(__builtin_offsetof(ApprovalAccount, max_expiration_slot) == 48, "max_expiration_slot");
static_assert(__builtin_offsetof(ApprovalAccount, payer) == 56, "payer");
static_assert(sizeof(ApprovalAccount) == 96, "ApprovalAccount size");

/* Deepest withdrawal approval path: the withdraw transaction at this depth fits 1,232 bytes with room left
 * for the asset argument of the SPL-token change (docs/protocol.md, "Transaction sizes"). */
#define MAX_APPROVAL_DEPTH 11
#define SLASH_RECORD_SIZE 48

/* ---- instruction context ---- */
typedef struct {
  SolParameters *p;
  const u8 *args; /* instruction data after the 8-byte discriminator */
  u64 args_len;
} Ctx;

/* util.c */
void *memcpy(void *dst, const void *src, u64 n);
void *memset(void *dst, int c, u64 n);
int memcmp(const void *a, const void *b, u64 n);
bool key_eq(const SolPubkey *a, const SolPubkey *b);
bool bytes_eq(const u8 *a, const u8 *b, u64 n);
bool is_zero32(const u8 *a);
u64 rd_u64(const u8 *p);
u32 rd_u32(const u8 *p);
u16 rd_u16(const u8 *p);
void wr_u64(u8 *p, u64 v);
void log_msg(const char *s);
#define LOG(s) sol_log_((s), sizeof(s) - 1)

u64 require_accounts(Ctx *c, u64 n);
u64 require_signer(const SolAccountInfo *a);
u64 require_writable(const SolAccountInfo *a);
/* Owner == this program, data long enough, discriminator matches. */
u64 require_program_account(Ctx *c, const SolAccountInfo *a, u64 disc, u64 min_len);
u64 require_system_program(const SolAccountInfo *a);
u64 check_pda(Ctx *c, const SolAccountInfo *a, const SolBytes *seeds, u64 n, u8 *bump_out);
u64 rent_minimum(u64 data_len, u64 *out);
u64 current_slot(u64 *out);
typedef struct {
  const SolAccountInfo *payer;
  const SolAccountInfo *target;
  u64 lamports;
  u64 space;
  const SolBytes *seeds; /* the new PDA's seeds including its bump */
  u64 nseeds;
} CreateSpec;
u64 cpi_create_account(Ctx *c, const CreateSpec *cs);
u64 cpi_transfer(const SolAccountInfo *from, const SolAccountInfo *to, u64 lamports);

/* field.c: 32-byte big-endian BN254 scalars */
bool field_is_canonical(const u8 *be32);
void field_reduce(u8 *be32);
void field_neg_u64(u64 v, u8 *out);
u64 poseidon(const u8 *const *inputs, u64 n, u8 *out);
u64 sha256_parts(const SolBytes *parts, u64 n, u8 *out);

/* state.c */
u64 load_state(Ctx *c, const SolAccountInfo *a, BridgeState **out);
u64 load_registry(Ctx *c, const SolAccountInfo *a, ValidatorRegistry **out);
u64 load_validator(Ctx *c, const SolAccountInfo *a, ValidatorAccount **out);
u64 registry_add(ValidatorRegistry *r, const SolPubkey *key, u64 stake);
void registry_remove(ValidatorRegistry *r, const SolPubkey *key);
const ActiveValidator *registry_find(const ValidatorRegistry *r, const SolPubkey *key);

/* ed25519.c: introspection of the Instructions sysvar */
typedef struct {
  const u8 *pubkey;
  const u8 *message;
  u16 message_len;
} SignedMessage;
/* Collects every signature of every Ed25519-program instruction in the transaction (at most max). */
u64 ed25519_signatures(const SolAccountInfo *ix_sysvar, SignedMessage *out, u64 max, u64 *count);

/* groth16.c: proof = -A (32) | B (64) | C (32), compressed as the sol_alt_bn128_compression syscall reads them */
#define PROOF_COMPRESSED_SIZE 128
u64 groth16_verify(const VerifyingKeyAccount *vk, const u8 *proof, const u8 *inputs, u64 n_inputs);

/* instructions */
u64 ix_initialize(Ctx *c);
u64 ix_pause(Ctx *c, bool pause);
u64 ix_write_verifying_key(Ctx *c);
u64 ix_finalize_verifying_key(Ctx *c);
u64 ix_register_validator(Ctx *c);
u64 ix_update_validator_endpoints(Ctx *c);
u64 ix_unregister_validator(Ctx *c);
u64 ix_withdraw_unbonded(Ctx *c);
u64 ix_deposit(Ctx *c);
u64 ix_anchor_root(Ctx *c);
u64 ix_withdraw(Ctx *c);
u64 ix_slash(Ctx *c);
u64 ix_claim_rewards(Ctx *c);
u64 ix_close_approval(Ctx *c);

#define TRY(expr)            \
  do {                       \
    u64 _e = (expr);         \
    if (_e != 0) return _e; \
  } while (0)

#endif
