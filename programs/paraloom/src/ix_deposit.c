/* deposit: shield SOL. The program computes the note commitment itself, so the amount is bound to the
 * note without a deposit proof, and appends it to the deposit queue the cohort must consume in order. */
#include "paraloom.h"

/* accounts: depositor (signer, w), state (w), vault (w), system program.
 * args: amount u64 | owner_pk [32] | blinding [32] | asset [32]   (field elements big-endian) */
u64 ix_deposit(Ctx *c) {
  TRY(require_accounts(c, 4));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  if (c->args_len != 8 + 96) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(require_writable(&k[2]));
  TRY(require_system_program(&k[3]));
  TRY(load_state(c, &k[1], &s));
  TRY(require_program_account(c, &k[2], DISC_VAULT, VAULT_SIZE));
  if (s->paused) return ERR_PAUSED;

  u64 amount = rd_u64(c->args);
  const u8 *owner = c->args + 8, *blinding = c->args + 40, *asset = c->args + 72;
  if (amount == 0) return ERR_ZERO_AMOUNT;
  if (amount > s->deposit_cap) return ERR_AMOUNT_OVER_CAP;
  if (!field_is_canonical(owner) || !field_is_canonical(blinding) || !field_is_canonical(asset))
    return ERR_NON_CANONICAL_FIELD;
  if (!is_zero32(asset)) return ERR_UNSUPPORTED_ASSET; /* the vault holds SOL only: asset 0 */
  /* Keep acc at index deposits_consumed in the ring: the next anchor may still need it. */
  if (s->deposit_count - s->deposits_consumed >= DEPOSIT_RING - 1) return ERR_DEPOSIT_QUEUE_FULL;

  u8 amount_be[32];
  memset(amount_be, 0, 32);
  for (int i = 0; i < 8; i++) amount_be[31 - i] = (u8)(amount >> (8 * i));
  u8 commitment[32];
  const u8 *cin[4] = {amount_be, owner, blinding, asset};
  TRY(poseidon(cin, 4, commitment));

  u64 index = s->deposit_count; /* 0-based index of this deposit */
  u8 zero[32];
  memset(zero, 0, 32);
  const u8 *prev = index == 0 ? zero : s->deposit_accs[index % DEPOSIT_RING];
  u8 acc[32];
  const u8 *ain[2] = {prev, commitment};
  TRY(poseidon(ain, 2, acc));

  TRY(cpi_transfer(&k[0], &k[2], amount));
  s->deposit_count = index + 1;
  memcpy(s->deposit_accs[(index + 1) % DEPOSIT_RING], acc, 32);
  s->total_deposited += amount;

  /* Event (Anchor "Program data:" form): disc | index u64 | amount u64 | commitment | acc */
  u8 ev[8 + 8 + 8 + 64];
  wr_u64(ev, EVENT_DEPOSIT_EVENT);
  wr_u64(ev + 8, index);
  wr_u64(ev + 16, amount);
  memcpy(ev + 24, commitment, 32);
  memcpy(ev + 56, acc, 32);
  SolBytes f = {ev, sizeof(ev)};
  sol_log_data(&f, 1);
  return 0;
}
