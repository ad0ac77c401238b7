/* anchor_root: the cohort commits an L2 block on chain. Signatures from validators holding more than
 * quorum_num/quorum_den of active stake must cover a domain-separated digest of the anchor. */
#include "paraloom.h"

#define MAX_SIGS 64

/* args: height u64 | root | deposits_consumed u64 | withdrawals_root | block_hash | max_expiration_slot u64 */
#define A_HEIGHT 0
#define A_ROOT 8
#define A_CONSUMED 40
#define A_WROOT 48
#define A_BLOCK_HASH 80
#define A_MAX_EXPIRATION 112
#define A_SIZE 120

/* digest = sha256("paraloom:anchor:v2" | program_id | cluster u8 | height u64 | root | deposits_consumed u64 |
 *                 deposit_acc | withdrawals_root | block_hash | max_expiration_slot u64)
 * deposit_acc is signed but not sent: the program puts its own accumulator of deposits_consumed in the
 * digest, so the signatures only count if the cohort consumed exactly the deposits this chain holds
 * (and the transaction is 32 bytes shorter, which is room for one more signer). */
static u64 anchor_digest(Ctx *c, const BridgeState *s, const u8 *acc, u8 *out) {
  const u8 *a = c->args;
  SolBytes parts[6] = {
      {(const u8 *)"paraloom:anchor:v2", 18},
      {c->p->program_id->x, 32},
      {&s->cluster, 1},
      {a, A_WROOT},
      {acc, 32},
      {a + A_WROOT, A_SIZE - A_WROOT},
  };
  return sha256_parts(parts, 6, out);
}

/* The anchor approves withdrawals: their Approval PDA ["approval", height u64 LE], rent paid by the submitter,
 * lives until max_expiration_slot has passed (close_approval), independently of the anchor ring. */
static u64 create_approval(Ctx *c, const SolAccountInfo *payer, const SolAccountInfo *pda, const u8 *a) {
  u8 bump;
  SolBytes seeds[3] = {{(const u8 *)"approval", 8}, {a + A_HEIGHT, 8}, {&bump, 1}};
  TRY(require_writable(payer));
  TRY(require_writable(pda));
  TRY(check_pda(c, pda, seeds, 2, &bump));
  CreateSpec cs = {payer, pda, 0, sizeof(ApprovalAccount), seeds, 3};
  TRY(rent_minimum(sizeof(ApprovalAccount), &cs.lamports));
  TRY(cpi_create_account(c, &cs));
  ApprovalAccount *ap = (ApprovalAccount *)pda->data;
  ap->discriminator = DISC_APPROVAL;
  ap->height = rd_u64(a + A_HEIGHT);
  memcpy(ap->withdrawals_root, a + A_WROOT, 32);
  ap->max_expiration_slot = rd_u64(a + A_MAX_EXPIRATION);
  ap->payer = *payer->key;
  ap->bump = bump;
  return 0;
}

/* floor(total * num / den) without a 128-bit product. */
static u64 threshold(u64 total, u64 num, u64 den) { return (total / den) * num + ((total % den) * num) / den; }

/* accounts: submitter (signer, w), state (w), registry, instructions sysvar, approval (w), system program */
u64 ix_anchor_root(Ctx *c) {
  TRY(require_accounts(c, 6));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  ValidatorRegistry *r;
  if (c->args_len != A_SIZE) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(load_state(c, &k[1], &s));
  TRY(load_registry(c, &k[2], &r));

  const u8 *a = c->args;
  u64 height = rd_u64(a + A_HEIGHT), consumed = rd_u64(a + A_CONSUMED);
  const u8 *root = a + A_ROOT, *wroot = a + A_WROOT, *bhash = a + A_BLOCK_HASH;
  bool approves = !is_zero32(wroot);
  if (!field_is_canonical(root) || !field_is_canonical(wroot)) return ERR_NON_CANONICAL_FIELD;
  if (height <= s->last_height) return ERR_HEIGHT_NOT_INCREASING;
  if (consumed < s->deposits_consumed || consumed > s->deposit_count) return ERR_DEPOSITS_OUT_OF_RANGE;
  /* The ring must still hold acc_consumed, or the digest would be built over another accumulator. */
  if (consumed != 0 && s->deposit_count - consumed >= DEPOSIT_RING) return ERR_DEPOSIT_ACC_MISMATCH;
  if (!approves && rd_u64(a + A_MAX_EXPIRATION) != 0) return ERR_INVALID_PARAMETER;
  if (approves) TRY(require_system_program(&k[5]));
  u8 zero_acc[32];
  memset(zero_acc, 0, 32);
  const u8 *acc = consumed == 0 ? zero_acc : s->deposit_accs[consumed % DEPOSIT_RING];

  u8 digest[32];
  TRY(anchor_digest(c, s, acc, digest));
  SignedMessage sigs[MAX_SIGS];
  u64 nsigs;
  TRY(ed25519_signatures(&k[3], sigs, MAX_SIGS, &nsigs));

  /* Each active validator counts once, whether it signed through Ed25519 or as the transaction's signer. */
  bool counted[MAX_VALIDATORS];
  memset(counted, 0, sizeof(counted));
  u64 stake = 0, signers = 0;
  for (u64 i = 0; i <= nsigs; i++) {
    const u8 *pk;
    if (i == nsigs) {
      pk = k[0].key->x; /* the submitter's own transaction signature */
    } else {
      if (sigs[i].message_len != 32 || !bytes_eq(sigs[i].message, digest, 32)) continue;
      pk = sigs[i].pubkey;
    }
    for (u32 j = 0; j < r->active && j < MAX_VALIDATORS; j++) {
      if (!counted[j] && bytes_eq(r->validators[j].key.x, pk, 32)) {
        counted[j] = true;
        stake += r->validators[j].stake;
        signers++;
        break;
      }
    }
  }
  if (r->total_active_stake == 0 || stake <= threshold(r->total_active_stake, s->quorum_num, s->quorum_den))
    return ERR_QUORUM_NOT_REACHED;

  AnchorEntry *e = &s->anchors[s->anchor_count % ANCHOR_RING];
  e->height = height;
  memcpy(e->root, root, 32);
  memcpy(e->withdrawals_root, wroot, 32);
  memcpy(e->block_hash, bhash, 32);
  s->anchor_count++;
  s->last_height = height;
  s->deposits_consumed = consumed;
  if (approves) TRY(create_approval(c, &k[0], &k[4], a));

  /* Event: disc | height u64 | root | deposits_consumed u64 | signers u64 | signed_stake u64 */
  u8 ev[8 + 8 + 32 + 8 + 8 + 8];
  wr_u64(ev, EVENT_ANCHOR_EVENT);
  wr_u64(ev + 8, height);
  memcpy(ev + 16, root, 32);
  wr_u64(ev + 48, consumed);
  wr_u64(ev + 56, signers);
  wr_u64(ev + 64, stake);
  SolBytes f = {ev, sizeof(ev)};
  sol_log_data(&f, 1);
  return 0;
}
