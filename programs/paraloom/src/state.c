/* Loading and validating the program's own accounts, and the active-validator list. */
#include "paraloom.h"

u64 load_state(Ctx *c, const SolAccountInfo *a, BridgeState **out) {
  TRY(require_program_account(c, a, DISC_BRIDGE_STATE, sizeof(BridgeState)));
  *out = (BridgeState *)a->data;
  return 0;
}

u64 load_registry(Ctx *c, const SolAccountInfo *a, ValidatorRegistry **out) {
  TRY(require_program_account(c, a, DISC_VALIDATOR_REGISTRY, sizeof(ValidatorRegistry)));
  *out = (ValidatorRegistry *)a->data;
  return 0;
}

u64 load_validator(Ctx *c, const SolAccountInfo *a, ValidatorAccount **out) {
  TRY(require_program_account(c, a, DISC_VALIDATOR_ACCOUNT, sizeof(ValidatorAccount)));
  *out = (ValidatorAccount *)a->data;
  return 0;
}

const ActiveValidator *registry_find(const ValidatorRegistry *r, const SolPubkey *key) {
  for (u32 i = 0; i < r->active && i < MAX_VALIDATORS; i++)
    if (key_eq(&r->validators[i].key, key)) return &r->validators[i];
  return NULL;
}

u64 registry_add(ValidatorRegistry *r, const SolPubkey *key, u64 stake) {
  if (r->active >= MAX_VALIDATORS) return ERR_REGISTRY_FULL;
  r->validators[r->active].key = *key;
  r->validators[r->active].stake = stake;
  r->active++;
  r->total_active_stake += stake;
  return 0;
}

/* Swap-remove keeps the list dense; order carries no meaning. */
void registry_remove(ValidatorRegistry *r, const SolPubkey *key) {
  for (u32 i = 0; i < r->active && i < MAX_VALIDATORS; i++) {
    if (key_eq(&r->validators[i].key, key)) {
      r->total_active_stake -= r->validators[i].stake;
      r->validators[i] = r->validators[r->active - 1];
      memset(&r->validators[r->active - 1], 0, sizeof(ActiveValidator));
      r->active--;
      return;
    }
  }
}
