/* anchor_root: the cohort commits an L2 block on chain. Signatures from validators holding more than
 * quorum_num/quorum_den of active stake must cover a domain-separated digest of the anchor. */
#include "paraloom.h"

#define MAX_SIGS 64

/* digest = sha256("paraloom:anchor:v1" | program_id | cluster u8 | height u64 | root | deposits_consumed u64 |
 *                 deposit_acc | withdrawals_root | block_hash) */
static u64 anchor_digest(Ctx *c, const BridgeState *s, u8 *out) {
  const u8 *a = c->args;
  SolBytes parts[5] = {
      {(const u8 *)"paraloom:anchor:v1", 18},
      {c->p->program_id->x, 32},
      {&s->cluster, 1},
      {a, 144},
  };
  return sha256_parts(parts, 4, out);
}

/* floor(total * num / den) without a 128-bit product. */
static u64 threshold(u64 total, u64 num, u64 den) { return (total / den) * num + ((total % den) * num) / den; }

/* accounts: submitter (signer), state (w), registry, instructions sysvar.
 * args: height u64 | root | deposits_consumed u64 | deposit_acc | withdrawals_root | block_hash */
u64 ix_anchor_root(Ctx *c) {
  TRY(require_accounts(c, 4));
  SolAccountInfo *k = c->p->ka;
  BridgeState *s;
  ValidatorRegistry *r;
  if (c->args_len != 144) return ERR_INVALID_INSTRUCTION;
  TRY(require_signer(&k[0]));
  TRY(require_writable(&k[1]));
  TRY(load_state(c, &k[1], &s));
  TRY(load_registry(c, &k[2], &r));

  const u8 *a = c->args;
  u64 height = rd_u64(a), consumed = rd_u64(a + 40);
  const u8 *root = a + 8, *acc = a + 48, *wroot = a + 80, *bhash = a + 112;
  if (!field_is_canonical(root) || !field_is_canonical(acc) || !field_is_canonical(wroot))
    return ERR_NON_CANONICAL_FIELD;
  if (height <= s->last_height) return ERR_HEIGHT_NOT_INCREASING;
  if (consumed < s->deposits_consumed || consumed > s->deposit_count) return ERR_DEPOSITS_OUT_OF_RANGE;
  if (consumed == 0 ? !is_zero32(acc) : !bytes_eq(acc, s->deposit_accs[consumed % DEPOSIT_RING], 32))
    return ERR_DEPOSIT_ACC_MISMATCH;

  u8 digest[32];
  TRY(anchor_digest(c, s, digest));
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
