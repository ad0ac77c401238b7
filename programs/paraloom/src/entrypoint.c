/* Entry: parse the loader's input buffer and dispatch on the Anchor-style 8-byte discriminator. */
#include "paraloom.h"

static u64 dispatch(Ctx *c, u64 disc) {
  switch (disc) {
  case IX_INITIALIZE: return ix_initialize(c);
  case IX_PAUSE: return ix_pause(c, true);
  case IX_UNPAUSE: return ix_pause(c, false);
  case IX_WRITE_VERIFYING_KEY: return ix_write_verifying_key(c);
  case IX_FINALIZE_VERIFYING_KEY: return ix_finalize_verifying_key(c);
  case IX_REGISTER_VALIDATOR: return ix_register_validator(c);
  case IX_UPDATE_VALIDATOR_ENDPOINTS: return ix_update_validator_endpoints(c);
  case IX_UNREGISTER_VALIDATOR: return ix_unregister_validator(c);
  case IX_WITHDRAW_UNBONDED: return ix_withdraw_unbonded(c);
  case IX_DEPOSIT: return ix_deposit(c);
  case IX_ANCHOR_ROOT: return ix_anchor_root(c);
  case IX_WITHDRAW: return ix_withdraw(c);
  case IX_SLASH: return ix_slash(c);
  case IX_CLAIM_REWARDS: return ix_claim_rewards(c);
  case IX_CLOSE_APPROVAL: return ix_close_approval(c);
  default: return ERR_INVALID_INSTRUCTION;
  }
}

u64 entrypoint(const u8 *input) {
  SolParameters params;
  if (!sol_deserialize(input, &params)) return ERR_NOT_ENOUGH_ACCOUNTS;
  if (params.data_len < 8) return ERR_INVALID_INSTRUCTION;
  Ctx c = {&params, params.data + 8, params.data_len - 8};
  return dispatch(&c, rd_u64(params.data));
}
