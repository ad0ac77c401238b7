/* withdraw: pay out a shielded note. Everything the payout depends on is checked here, on chain:
 * the L2 approval (which binds the proof's root), expiry, derived public inputs, Groth16, and one
 * nullifier PDA per input. */
#include "paraloom.h"

#define W_PROOF 0
#define W_ROOT 128
#define W_NULL0 160
#define W_NULL1 192
#define W_OUT0 224
#define W_OUT1 256
#define W_EXT_AMOUNT 288
#define W_FEE 296
#define W_EXPIRATION 304
#define W_OUTPUTS_DIGEST 312
#define W_APPROVAL_INDEX 344
#define W_APPROVAL_DEPTH 348
#define W_SIBLINGS 349

/*
 * leaf = P4(nullifier0, nullifier1, ext_data_hash, root); parent = P2(left, right); bit i of index = side.
 * The root is in the leaf because the cohort admitted the withdrawal against that root: an approval is
 * also the approval of the root, so it needs no lookup in the 64-entry anchor ring and outlives it.
 */
static u64 check_approval(const u8 *a, const u8 *ext_hash, const u8 *wroot) {
  u32 index = rd_u32(a + W_APPROVAL_INDEX);
  u64 depth = a[W_APPROVAL_DEPTH];
  if (depth < 32 && (index >> depth) != 0) return ERR_APPROVAL_PATH_INVALID;
  u8 node[32];
  const u8 *leaf_in[4] = {a + W_NULL0, a + W_NULL1, ext_hash, a + W_ROOT};
  TRY(poseidon(leaf_in, 4, node));
  for (u64 i = 0; i < depth; i++) {
    const u8 *sib = a + W_SIBLINGS + 32 * i;
    if (!field_is_canonical(sib)) return ERR_NON_CANONICAL_FIELD;
    const u8 *in[2];
    u8 left[32];
    memcpy(left, node, 32);
    if ((index >> i) & 1) {
      in[0] = sib;
      in[1] = left;
    } else {
      in[0] = left;
      in[1] = sib;
    }
    TRY(poseidon(in, 2, node));
  }
  return bytes_eq(node, wroot, 32) ? 0 : ERR_APPROVAL_PATH_INVALID;
}

/* ext_data_hash = sha256(recipient | relayer | fee u64 | ext_amount i64 | expiration u64 | outputs_digest) mod p.
 * outputs_digest commits to the encrypted outputs off chain; the program never needs them. */
static u64 ext_data_hash(const u8 *a, const SolPubkey *recipient, const SolPubkey *relayer, u8 *out) {
  SolBytes parts[4] = {{recipient->x, 32}, {relayer->x, 32}, {NULL, 0}, {a + W_OUTPUTS_DIGEST, 32}};
  u8 nums[24];
  memcpy(nums, a + W_FEE, 8);
  memcpy(nums + 8, a + W_EXT_AMOUNT, 8);
  memcpy(nums + 16, a + W_EXPIRATION, 8);
  parts[2].addr = nums;
  parts[2].len = 24;
  TRY(sha256_parts(parts, 4, out));
  field_reduce(out);
  return 0;
}

/* Only anchor_root creates Approval accounts, each under a quorum: any live one is genuine. */
static u64 load_approval(Ctx *c, const SolAccountInfo *a, const ApprovalAccount **out) {
  if (!key_eq(a->owner, c->p->program_id) || a->data_len < sizeof(ApprovalAccount) ||
      *(const u64 *)a->data != DISC_APPROVAL)
    return ERR_UNKNOWN_APPROVAL_HEIGHT;
  *out = (const ApprovalAccount *)a->data;
  return 0;
}

static u64 create_nullifier(Ctx *c, const SolAccountInfo *payer, const SolAccountInfo *pda, const u8 *nullifier) {
  u8 bump;
  SolBytes seeds[3] = {{(const u8 *)"nullifier", 9}, {nullifier, 32}, {&bump, 1}};
  TRY(require_writable(pda));
  TRY(check_pda(c, pda, seeds, 2, &bump));
  if (key_eq(pda->owner, c->p->program_id)) return ERR_NULLIFIER_SPENT;
  CreateSpec cs = {payer, pda, 0, NULLIFIER_RECORD_SIZE, seeds, 3};
  TRY(rent_minimum(NULLIFIER_RECORD_SIZE, &cs.lamports));
  TRY(cpi_create_account(c, &cs));
  *(u64 *)pda->data = DISC_NULLIFIER_RECORD;
  return 0;
}

/* accounts: payer (signer, w), state (w), vault (w), verifying_key, approval, nullifier0 (w), nullifier1 (w),
 *           recipient (w), relayer (w), system program */
u64 ix_withdraw(Ctx *c) {
  TRY(require_accounts(c, 10));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  const u8 *a = c->args;
  if (c->args_len < W_SIBLINGS) return ERR_INVALID_INSTRUCTION;
  u64 depth = a[W_APPROVAL_DEPTH];
  if (depth > MAX_APPROVAL_DEPTH || c->args_len != W_SIBLINGS + 32 * depth) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(require_writable(&k[2]));
  TRY(require_writable(&k[7]));
  TRY(require_writable(&k[8]));
  TRY(require_system_program(&k[9]));
  TRY(load_state(c, &k[1], &s));
  TRY(require_program_account(c, &k[2], DISC_VAULT, VAULT_SIZE));
  TRY(require_program_account(c, &k[3], DISC_VERIFYING_KEY, VK_HEADER + VK_FIXED));
  const VerifyingKeyAccount *vk = (const VerifyingKeyAccount *)k[3].data;
  if (s->paused) return ERR_PAUSED;
  if (!s->vk_ready || !vk->finalized) return ERR_VK_NOT_READY;

  const u8 *fields[5] = {a + W_ROOT, a + W_NULL0, a + W_NULL1, a + W_OUT0, a + W_OUT1};
  for (int i = 0; i < 5; i++)
    if (!field_is_canonical(fields[i])) return ERR_NON_CANONICAL_FIELD;
  i64 ext_amount = (i64)rd_u64(a + W_EXT_AMOUNT);
  u64 fee = rd_u64(a + W_FEE), expiration = rd_u64(a + W_EXPIRATION);
  if (ext_amount >= 0 || ext_amount == (i64)0x8000000000000000ULL) return ERR_INVALID_EXT_AMOUNT;
  u64 gross = (u64)(-ext_amount);
  if (fee > gross) return ERR_FEE_TOO_HIGH;
  u64 slot;
  TRY(current_slot(&slot));
  if (slot > expiration) return ERR_EXPIRED;
  const ApprovalAccount *approval;
  TRY(load_approval(c, &k[4], &approval));

  /* Public inputs in circuit order: root, public_amount, ext_data_hash, asset, n0, n1, out0, out1. */
  u8 inputs[8 * 32];
  memset(inputs, 0, sizeof(inputs));
  memcpy(inputs, a + W_ROOT, 32);
  field_neg_u64(gross, inputs + 32); /* public_amount = ext_amount mod p = p - gross */
  TRY(ext_data_hash(a, k[7].key, k[8].key, inputs + 64));
  /* inputs + 96: asset = 0 (native SOL) */
  memcpy(inputs + 128, a + W_NULL0, 128); /* n0, n1, out0, out1 */

  TRY(check_approval(a, inputs + 64, approval->withdrawals_root));
  TRY(groth16_verify(vk, a + W_PROOF, inputs, 8));

  /* Both nullifiers of every spend get a PDA: nobody can tell a dummy input from a real one. */
  TRY(create_nullifier(c, &k[0], &k[5], a + W_NULL0));
  TRY(create_nullifier(c, &k[0], &k[6], a + W_NULL1));
  u64 vault_min;
  TRY(rent_minimum(VAULT_SIZE, &vault_min));
  if (*k[2].lamports < gross || *k[2].lamports - gross < vault_min) return ERR_VAULT_INSUFFICIENT;

  *k[2].lamports -= gross;
  *k[7].lamports += gross - fee;
  *k[8].lamports += fee;
  s->total_withdrawn += gross;
  s->total_fees_paid += fee;

  /* Event: disc | nullifier0 | nullifier1 | amount u64 | fee u64 */
  u8 ev[8 + 64 + 16];
  wr_u64(ev, EVENT_WITHDRAW_EVENT);
  memcpy(ev + 8, a + W_NULL0, 64);
  wr_u64(ev + 72, gross);
  wr_u64(ev + 80, fee);
  SolBytes f = {ev, sizeof(ev)};
  sol_log_data(&f, 1);
  return 0;
}
