/* initialize, pause/unpause, and the two-step verifying-key upload. */
#include "paraloom.h"

static const u8 UPGRADEABLE_LOADER[32] = {2,   168, 246, 145, 78, 136, 161, 176, 226, 16,  21,
                                          62,  247, 99,  174, 43, 0,   194, 185, 61,  22,  193,
                                          36,  210, 192, 83,  122, 16, 4,   128, 0,   0};



/*
 * Only the deployer may initialize, so a front-runner cannot install its own admin or verifying key:
 * for an upgradeable program that is its upgrade authority (read from ProgramData), otherwise the
 * holder of the program id's own keypair.
 */
static u64 check_deployer(Ctx *c, const SolAccountInfo *admin, const SolAccountInfo *program,
                          const SolAccountInfo *program_data) {
  if (!key_eq(program->key, c->p->program_id)) return ERR_ACCOUNT_MISMATCH;
  if (bytes_eq(program->owner->x, UPGRADEABLE_LOADER, 32)) {
    /* Program account: u32 tag 2 | programdata address. ProgramData: u32 tag 3 | u64 slot | u8 some | authority. */
    if (program->data_len < 36 || rd_u32(program->data) != 2) return ERR_INVALID_ACCOUNT_DATA;
    if (!bytes_eq(program->data + 4, program_data->key->x, 32)) return ERR_ACCOUNT_MISMATCH;
    if (!bytes_eq(program_data->owner->x, UPGRADEABLE_LOADER, 32)) return ERR_ACCOUNT_MISMATCH;
    if (program_data->data_len < 45 || rd_u32(program_data->data) != 3) return ERR_INVALID_ACCOUNT_DATA;
    if (program_data->data[12] != 1) return ERR_UNAUTHORIZED; /* immutable program: nobody is the deployer */
    if (!bytes_eq(program_data->data + 13, admin->key->x, 32)) return ERR_UNAUTHORIZED;
    return 0;
  }
  return key_eq(admin->key, c->p->program_id) ? 0 : ERR_UNAUTHORIZED;
}

typedef struct {
  const SolAccountInfo *payer;
  const SolAccountInfo *account;
  const char *seed;
  u64 seed_len;
  u64 space;
  u8 *bump_out;
} SingletonSpec;

static u64 create_singleton(Ctx *c, const SingletonSpec *ss) {
  SolBytes seeds[2] = {{(const u8 *)ss->seed, ss->seed_len}, {NULL, 1}};
  TRY(require_writable(ss->account));
  TRY(check_pda(c, ss->account, seeds, 1, ss->bump_out));
  seeds[1].addr = ss->bump_out;
  CreateSpec cs = {ss->payer, ss->account, 0, ss->space, seeds, 2};
  TRY(rent_minimum(ss->space, &cs.lamports));
  return cpi_create_account(c, &cs);
}

/* args: cluster u8 | min_stake u64 | deposit_cap u64 | unbonding_slots u64 | slash_bps u16 | reporter_bps u16
 *       | ic_count u32 */
u64 ix_initialize(Ctx *c) {
  TRY(require_accounts(c, 8));
  SolAccountInfo *k = c->p->ka;
  SolAccountInfo *admin = &k[0], *state_a = &k[1], *vault = &k[2], *registry_a = &k[3], *vk_a = &k[4];
  if (c->args_len != 33) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(admin));
  TRY(require_system_program(&k[7]));
  TRY(check_deployer(c, admin, &k[5], &k[6]));
  if (key_eq(state_a->owner, c->p->program_id)) return ERR_ALREADY_INITIALIZED;

  const u8 *a = c->args;
  u64 min_stake = rd_u64(a + 1), deposit_cap = rd_u64(a + 9), unbonding = rd_u64(a + 17);
  u16 slash_bps = rd_u16(a + 25), reporter_bps = rd_u16(a + 27);
  u32 ic_count = rd_u32(a + 29);
  if (min_stake < 1000000000ULL || deposit_cap == 0 || unbonding == 0) return ERR_INVALID_PARAMETER;
  if (slash_bps == 0 || slash_bps > 10000 || reporter_bps > 10000) return ERR_INVALID_PARAMETER;
  if (ic_count < 2 || ic_count > VK_MAX_IC) return ERR_INVALID_PARAMETER;

  u8 bump, vault_bump, registry_bump, vk_bump;
  SingletonSpec specs[4] = {
      {admin, state_a, "bridge_state", 12, sizeof(BridgeState), &bump},
      {admin, vault, "vault", 5, VAULT_SIZE, &vault_bump},
      {admin, registry_a, "validator_registry", 18, sizeof(ValidatorRegistry), &registry_bump},
      {admin, vk_a, "verifying_key", 13, VK_HEADER + VK_FIXED + 64 * (u64)ic_count, &vk_bump},
  };
  for (int i = 0; i < 4; i++) TRY(create_singleton(c, &specs[i]));

  BridgeState *s = (BridgeState *)state_a->data;
  s->discriminator = DISC_BRIDGE_STATE;
  s->program_version = PROGRAM_VERSION;
  s->bump = bump;
  s->vault_bump = vault_bump;
  s->registry_bump = registry_bump;
  s->vk_bump = vk_bump;
  s->cluster = a[0];
  s->admin = *admin->key;
  s->min_stake = min_stake;
  s->deposit_cap = deposit_cap;
  s->unbonding_slots = unbonding;
  s->quorum_num = 2;
  s->quorum_den = 3;
  s->slash_bps = slash_bps;
  s->reporter_bps = reporter_bps;
  *(u64 *)vault->data = DISC_VAULT;
  ValidatorRegistry *r = (ValidatorRegistry *)registry_a->data;
  r->discriminator = DISC_VALIDATOR_REGISTRY;
  r->min_stake = min_stake;
  VerifyingKeyAccount *vk = (VerifyingKeyAccount *)vk_a->data;
  vk->discriminator = DISC_VERIFYING_KEY;
  vk->ic_count = ic_count;
  LOG("paraloom: initialized");
  return 0;
}

static u64 load_admin_state(Ctx *c, BridgeState **s) {
  TRY(require_accounts(c, 2));
  SolAccountInfo *admin = &c->p->ka[0];
  TRY(require_signer(admin));
  TRY(load_state(c, &c->p->ka[1], s));
  return key_eq(admin->key, &(*s)->admin) ? 0 : ERR_UNAUTHORIZED;
}

/* accounts: admin (signer), state (w) */
u64 ix_pause(Ctx *c, bool pause) {
  BridgeState *s;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(load_admin_state(c, &s));
  TRY(require_writable(&c->p->ka[1]));
  if ((s->paused != 0) == pause) return ERR_PAUSE_STATE_UNCHANGED;
  s->paused = pause ? 1 : 0;
  return 0;
}

static u64 load_vk(Ctx *c, const SolAccountInfo *a, VerifyingKeyAccount **out) {
  TRY(require_program_account(c, a, DISC_VERIFYING_KEY, VK_HEADER + VK_FIXED));
  VerifyingKeyAccount *vk = (VerifyingKeyAccount *)a->data;
  if (a->data_len != VK_HEADER + VK_FIXED + 64 * (u64)vk->ic_count) return ERR_INVALID_ACCOUNT_DATA;
  *out = vk;
  return 0;
}

/* accounts: admin (signer), state, verifying_key (w). args: offset u32 | len u32 | bytes. The key (1 KB for
 * 8 public inputs) does not fit one transaction, so it is written in chunks and then sealed. */
u64 ix_write_verifying_key(Ctx *c) {
  BridgeState *s;
  VerifyingKeyAccount *vk;
  TRY(load_admin_state(c, &s));
  TRY(require_accounts(c, 3));
  TRY(require_writable(&c->p->ka[2]));
  TRY(load_vk(c, &c->p->ka[2], &vk));
  if (vk->finalized) return ERR_VK_FINALIZED;
  if (c->args_len < 8) return ERR_INVALID_INSTRUCTION;
  u64 offset = rd_u32(c->args), len = rd_u32(c->args + 4);
  if (c->args_len != 8 + len) return ERR_INVALID_INSTRUCTION;
  if (offset + len > c->p->ka[2].data_len - VK_HEADER) return ERR_INVALID_PARAMETER;
  memcpy(vk->blob + offset, c->args + 8, len);
  return 0;
}

/* Every G1 point must be on the curve (the add syscall rejects points that are not) and every G2 point
 * on the curve and in the subgroup (the pairing syscall checks both), and gamma != delta: a key whose
 * gamma equals delta has had no phase-2 contribution and lets anyone forge proofs. */
static u64 vk_validate(const u8 *blob, u32 ic_count) {
  const u8 *beta = blob + 64, *gamma = blob + 192, *delta = blob + 320;
  if (rd_u32(blob + 448) != ic_count) return ERR_VK_INVALID;
  if (bytes_eq(gamma, delta, 128)) return ERR_VK_INVALID;
  for (int g = 0; g < 3; g++) {
    const u8 *pt = blob + 64 + 128 * g;
    if (is_zero32(pt) && is_zero32(pt + 32) && is_zero32(pt + 64) && is_zero32(pt + 96)) return ERR_VK_INVALID;
  }
  u8 buf[3 * 192];
  memset(buf, 0, sizeof(buf));
  memcpy(buf + 64, beta, 128);
  memcpy(buf + 192 + 64, gamma, 128);
  memcpy(buf + 384 + 64, delta, 128);
  u8 out[64];
  if (sol_alt_bn128_group_op(ALT_BN128_PAIRING, buf, sizeof(buf), out) != 0) return ERR_VK_INVALID;
  u8 add_in[128];
  memset(add_in, 0, sizeof(add_in));
  for (u32 i = 0; i <= ic_count; i++) {
    const u8 *pt = i == 0 ? blob : blob + VK_FIXED + 64 * (u64)(i - 1);
    memcpy(add_in, pt, 64);
    if (is_zero32(pt) && is_zero32(pt + 32)) return ERR_VK_INVALID;
    if (sol_alt_bn128_group_op(ALT_BN128_ADD, add_in, 128, out) != 0) return ERR_VK_INVALID;
  }
  return 0;
}

/* accounts: admin (signer), state (w), verifying_key (w) */
u64 ix_finalize_verifying_key(Ctx *c) {
  BridgeState *s;
  VerifyingKeyAccount *vk;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(load_admin_state(c, &s));
  TRY(require_accounts(c, 3));
  TRY(require_writable(&c->p->ka[1]));
  TRY(require_writable(&c->p->ka[2]));
  TRY(load_vk(c, &c->p->ka[2], &vk));
  if (vk->finalized) return ERR_VK_FINALIZED;
  TRY(vk_validate(vk->blob, vk->ic_count));
  vk->finalized = 1;
  s->vk_ready = 1;
  LOG("paraloom: verifying key finalized");
  return 0;
}
