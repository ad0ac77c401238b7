/* Validator lifecycle: register (stake into its PDA), update endpoints, unregister (start unbonding),
 * withdraw_unbonded (after the window; closes the PDA), claim_rewards. */
#include "paraloom.h"

static u64 validator_seeds_check(Ctx *c, const SolAccountInfo *pda, const SolPubkey *key, u8 *bump) {
  SolBytes seeds[2] = {{(const u8 *)"validator", 9}, {key->x, 32}};
  return check_pda(c, pda, seeds, 2, bump);
}

/* peer_id: bytes | multiaddrs: bytes (Borsh: u32 length + bytes each); *used = bytes consumed. */
static u64 parse_endpoints(const u8 *a, u64 len, ValidatorAccount *v, u64 *used) {
  if (len < 4) return ERR_INVALID_INSTRUCTION;
  u64 pl = rd_u32(a);
  if (pl > MAX_PEER_ID) return ERR_ENDPOINT_TOO_LONG;
  if (len < 4 + pl + 4) return ERR_INVALID_INSTRUCTION;
  u64 ml = rd_u32(a + 4 + pl);
  if (ml > MAX_MULTIADDRS) return ERR_ENDPOINT_TOO_LONG;
  if (len < 8 + pl + ml) return ERR_INVALID_INSTRUCTION;
  memset(v->peer_id, 0, MAX_PEER_ID);
  memset(v->multiaddrs, 0, MAX_MULTIADDRS);
  memcpy(v->peer_id, a + 4, pl);
  memcpy(v->multiaddrs, a + 8 + pl, ml);
  v->peer_id_len = (u8)pl;
  v->multiaddrs_len = (u16)ml;
  *used = 8 + pl + ml;
  return 0;
}

/* accounts: validator (signer, w), state, registry (w), validator_pda (w), system program.
 * args: stake u64 | peer_id bytes | multiaddrs bytes */
u64 ix_register_validator(Ctx *c) {
  TRY(require_accounts(c, 5));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  ValidatorRegistry *r;
  TRY(require_signer(&k[0]));
  TRY(require_writable(&k[2]));
  TRY(require_writable(&k[3]));
  TRY(require_system_program(&k[4]));
  TRY(load_state(c, &k[1], &s));
  TRY(load_registry(c, &k[2], &r));
  if (c->args_len < 8) return ERR_INVALID_INSTRUCTION;
  u64 stake = rd_u64(c->args);
  if (stake < s->min_stake) return ERR_STAKE_TOO_LOW;
  u8 bump;
  TRY(validator_seeds_check(c, &k[3], k[0].key, &bump));
  if (key_eq(k[3].owner, c->p->program_id)) return ERR_ALREADY_REGISTERED;
  if (r->active >= MAX_ACTIVE_VALIDATORS) return ERR_REGISTRY_FULL;

  /* Validate the endpoint arguments before moving any lamports. */
  ValidatorAccount scratch;
  u64 used;
  TRY(parse_endpoints(c->args + 8, c->args_len - 8, &scratch, &used));
  if (8 + used != c->args_len) return ERR_INVALID_INSTRUCTION;

  u64 rent;
  TRY(rent_minimum(sizeof(ValidatorAccount), &rent));
  SolBytes seeds[3] = {{(const u8 *)"validator", 9}, {k[0].key->x, 32}, {&bump, 1}};
  CreateSpec cs = {&k[0], &k[3], rent + stake, sizeof(ValidatorAccount), seeds, 3};
  TRY(cpi_create_account(c, &cs));
  ValidatorAccount *v = (ValidatorAccount *)k[3].data;
  u64 slot;
  TRY(current_slot(&slot));
  v->discriminator = DISC_VALIDATOR_ACCOUNT;
  v->key = *k[0].key;
  v->stake = stake;
  v->registered_slot = slot;
  v->reputation = 10000;
  v->active = 1;
  v->bump = bump;
  memcpy(v->peer_id, scratch.peer_id, MAX_PEER_ID);
  memcpy(v->multiaddrs, scratch.multiaddrs, MAX_MULTIADDRS);
  v->peer_id_len = scratch.peer_id_len;
  v->multiaddrs_len = scratch.multiaddrs_len;
  TRY(registry_add(r, k[0].key, stake));
  r->total++;
  return 0;
}

static u64 load_own_validator(Ctx *c, const SolAccountInfo *signer, const SolAccountInfo *pda, ValidatorAccount **v) {
  TRY(require_signer(signer));
  TRY(require_writable(pda));
  TRY(load_validator(c, pda, v));
  return key_eq(&(*v)->key, signer->key) ? 0 : ERR_ACCOUNT_MISMATCH;
}

/* accounts: validator (signer), validator_pda (w). args: peer_id bytes | multiaddrs bytes */
u64 ix_update_validator_endpoints(Ctx *c) {
  TRY(require_accounts(c, 2));
  ValidatorAccount *v;
  TRY(load_own_validator(c, &c->p->ka[0], &c->p->ka[1], &v));
  ValidatorAccount scratch;
  u64 used;
  TRY(parse_endpoints(c->args, c->args_len, &scratch, &used));
  if (used != c->args_len) return ERR_INVALID_INSTRUCTION;
  memcpy(v->peer_id, scratch.peer_id, MAX_PEER_ID);
  memcpy(v->multiaddrs, scratch.multiaddrs, MAX_MULTIADDRS);
  v->peer_id_len = scratch.peer_id_len;
  v->multiaddrs_len = scratch.multiaddrs_len;
  return 0;
}

/* accounts: validator (signer), state, registry (w), validator_pda (w) */
u64 ix_unregister_validator(Ctx *c) {
  TRY(require_accounts(c, 4));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  ValidatorRegistry *r;
  ValidatorAccount *v;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(load_state(c, &k[1], &s));
  TRY(require_writable(&k[2]));
  TRY(load_registry(c, &k[2], &r));
  TRY(load_own_validator(c, &k[0], &k[3], &v));
  if (!v->active) return ERR_VALIDATOR_NOT_ACTIVE;
  u64 slot;
  TRY(current_slot(&slot));
  v->active = 0;
  v->unbonding_until = slot + s->unbonding_slots;
  registry_remove(r, &v->key);
  return 0;
}

/* accounts: validator (signer, w), registry (w), validator_pda (w). Closes the PDA: all its lamports
 * (stake, rewards, rent) go back to the validator and its data is zeroed. */
u64 ix_withdraw_unbonded(Ctx *c) {
  TRY(require_accounts(c, 3));
  SolAccountInfo *k = c->p->ka;
  ValidatorRegistry *r;
  ValidatorAccount *v;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(require_writable(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(load_registry(c, &k[1], &r));
  TRY(load_own_validator(c, &k[0], &k[2], &v));
  if (v->active || v->unbonding_until == 0) return ERR_VALIDATOR_NOT_ACTIVE;
  u64 slot;
  TRY(current_slot(&slot));
  if (slot < v->unbonding_until) return ERR_UNBONDING_NOT_FINISHED;
  u64 all = *k[2].lamports;
  *k[2].lamports = 0;
  *k[0].lamports += all;
  memset(k[2].data, 0, k[2].data_len);
  if (r->total > 0) r->total--;
  return 0;
}

/* accounts: validator (signer, w), validator_pda (w). Pays out pending_rewards held in the PDA. */
u64 ix_claim_rewards(Ctx *c) {
  TRY(require_accounts(c, 2));
  SolAccountInfo *k = c->p->ka;
  ValidatorAccount *v;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(require_writable(&k[0]));
  TRY(load_own_validator(c, &k[0], &k[1], &v));
  u64 amount = v->pending_rewards;
  if (amount == 0) return ERR_NO_REWARDS;
  if (*k[1].lamports < amount) return ERR_VAULT_INSUFFICIENT;
  v->pending_rewards = 0;
  *k[1].lamports -= amount;
  *k[0].lamports += amount;
  return 0;
}
