/* close_approval: an Approval whose withdrawals have all expired approves nothing the program would still
 * pay (withdraw refuses slot > expiration_slot), so anyone may close it; its rent goes back to whoever paid
 * for it at anchor time. */
#include "paraloom.h"

/* accounts: approval (w), payer (w): the payer recorded in the approval. No arguments. */
u64 ix_close_approval(Ctx *c) {
  TRY(require_accounts(c, 2));
  SolAccountInfo *k = c->p->ka;
  if (c->args_len != 0) return ERR_INVALID_INSTRUCTION;
  TRY(require_writable(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(require_program_account(c, &k[0], DISC_APPROVAL, sizeof(ApprovalAccount)));
  ApprovalAccount *ap = (ApprovalAccount *)k[0].data;
  if (!key_eq(&ap->payer, k[1].key)) return ERR_ACCOUNT_MISMATCH;
  u64 slot;
  TRY(current_slot(&slot));
  if (slot <= ap->max_expiration_slot) return ERR_APPROVAL_NOT_EXPIRED;

  u64 lamports = *k[0].lamports;
  *k[1].lamports += lamports;
  *k[0].lamports = 0;
  /* A zero-lamport account is removed after the transaction; zeroing the data first means no instruction
   * later in this same transaction can read it as an Approval. */
  memset(k[0].data, 0, k[0].data_len);
  LOG("paraloom: approval closed");
  return 0;
}
