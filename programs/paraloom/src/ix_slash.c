/* slash: equivocation evidence is two different signed votes of one type for one height and round by
 * the same validator. Both signatures are verified by the Ed25519 program in the same transaction, so
 * no admin is involved; a SlashRecord PDA per (validator, height, round, type) makes evidence one-shot. */
#include "paraloom.h"

#define VOTE_LEN 94
#define VOTE_TAG "paraloom:vote:v1"
#define VOTE_PROGRAM 16
#define VOTE_CLUSTER 48
#define VOTE_HRT 49 /* height u64 | round u32 | type u8: 13 bytes */
#define VOTE_HASH 62
#define MAX_SIGS 16

static u64 check_vote(Ctx *c, const BridgeState *s, const SignedMessage *m) {
  if (m->message_len != VOTE_LEN) return ERR_EVIDENCE_INVALID;
  if (!bytes_eq(m->message, (const u8 *)VOTE_TAG, 16)) return ERR_EVIDENCE_INVALID;
  if (!bytes_eq(m->message + VOTE_PROGRAM, c->p->program_id->x, 32)) return ERR_EVIDENCE_INVALID;
  if (m->message[VOTE_CLUSTER] != s->cluster) return ERR_EVIDENCE_INVALID;
  return 0;
}

/* floor(x * bps / 10000) without overflow */
static u64 bps_of(u64 x, u64 bps) { return (x / 10000) * bps + ((x % 10000) * bps) / 10000; }

/* accounts: reporter (signer, w), state (w), registry (w), validator_pda (w), slash_record (w), vault (w),
 *           instructions sysvar, system program, [reporter's validator_pda (w)]. args: sig_a u8 | sig_b u8 (indexes into the transaction's
 *           Ed25519 signatures, in instruction order) */
u64 ix_slash(Ctx *c) {
  TRY(require_accounts(c, 8));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  ValidatorRegistry *r;
  ValidatorAccount *v;
  if (c->args_len != 2) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(&k[0]));
  for (int i = 1; i <= 5; i++) TRY(require_writable(&k[i]));
  TRY(require_system_program(&k[7]));
  TRY(load_state(c, &k[1], &s));
  TRY(load_registry(c, &k[2], &r));
  TRY(load_validator(c, &k[3], &v));
  TRY(require_program_account(c, &k[5], DISC_VAULT, VAULT_SIZE));

  SignedMessage sigs[MAX_SIGS];
  u64 n;
  TRY(ed25519_signatures(&k[6], sigs, MAX_SIGS, &n));
  u8 ia = c->args[0], ib = c->args[1];
  if (ia >= n || ib >= n || ia == ib) return ERR_EVIDENCE_INVALID;
  const SignedMessage *x = &sigs[ia], *y = &sigs[ib];
  TRY(check_vote(c, s, x));
  TRY(check_vote(c, s, y));
  if (!bytes_eq(x->pubkey, v->key.x, 32) || !bytes_eq(y->pubkey, v->key.x, 32)) return ERR_EVIDENCE_INVALID;
  if (!bytes_eq(x->message + VOTE_HRT, y->message + VOTE_HRT, 13)) return ERR_EVIDENCE_INVALID;
  if (bytes_eq(x->message + VOTE_HASH, y->message + VOTE_HASH, 32)) return ERR_EVIDENCE_INVALID;

  u8 bump;
  SolBytes seeds[4] = {{(const u8 *)"slash", 5}, {v->key.x, 32}, {x->message + VOTE_HRT, 13}, {&bump, 1}};
  TRY(check_pda(c, &k[4], seeds, 3, &bump));
  if (key_eq(k[4].owner, c->p->program_id)) return ERR_EVIDENCE_USED;
  CreateSpec cs = {&k[0], &k[4], 0, SLASH_RECORD_SIZE, seeds, 4};
  TRY(rent_minimum(SLASH_RECORD_SIZE, &cs.lamports));
  TRY(cpi_create_account(c, &cs));
  u64 slot;
  TRY(current_slot(&slot));
  u8 *rec = k[4].data;
  wr_u64(rec, DISC_SLASH_RECORD);
  memcpy(rec + 8, k[0].key->x, 32);
  wr_u64(rec + 40, slot);

  u64 amount = bps_of(v->stake, s->slash_bps);
  u64 reward = bps_of(amount, s->reporter_bps);
  v->stake -= amount;
  v->total_slashed += amount;
  v->slash_count++;
  v->last_slash_slot = slot;
  v->reputation /= 2;
  *k[3].lamports -= amount;
  /* A reporting validator may pass its own ValidatorAccount (optional 9th account): the reward then
   * accrues there as pending_rewards, claimable later, instead of going to the reporter's wallet. */
  ValidatorAccount *rv = NULL;
  if (c->p->ka_num >= 9 && k[8].is_writable && load_validator(c, &k[8], &rv) == 0 && key_eq(&rv->key, k[0].key) &&
      !key_eq(&rv->key, &v->key)) {
    rv->pending_rewards += reward;
    rv->total_earnings += reward;
    *k[8].lamports += reward;
  } else {
    *k[0].lamports += reward;
  }
  *k[5].lamports += amount - reward;
  s->total_slashed += amount;
  if (v->active) {
    for (u32 j = 0; j < r->active && j < MAX_VALIDATORS; j++) {
      if (key_eq(&r->validators[j].key, &v->key)) {
        r->validators[j].stake = v->stake;
        r->total_active_stake -= amount;
      }
    }
    if (v->stake < s->min_stake) {
      registry_remove(r, &v->key);
      v->active = 0;
      v->unbonding_until = slot + s->unbonding_slots;
    }
  }

  /* Event: disc | validator | height u64 | round u32 | type u8 | amount u64 | reward u64 */
  u8 ev[8 + 32 + 13 + 16];
  wr_u64(ev, EVENT_SLASH_EVENT);
  memcpy(ev + 8, v->key.x, 32);
  memcpy(ev + 40, x->message + VOTE_HRT, 13);
  wr_u64(ev + 53, amount);
  wr_u64(ev + 61, reward);
  SolBytes f = {ev, sizeof(ev)};
  sol_log_data(&f, 1);
  return 0;
}
