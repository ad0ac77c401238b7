/* Memory, byte and account helpers shared by every instruction. */
#include "paraloom.h"

/* clang may lower struct copies to these calls; they must exist and must not recurse into themselves. */
void *memcpy(void *dst, const void *src, u64 n) {
  sol_memcpy_(dst, src, n);
  return dst;
}

void *memset(void *dst, int c, u64 n) {
  sol_memset_(dst, (u8)c, n);
  return dst;
}

int memcmp(const void *a, const void *b, u64 n) {
  i32 r = 0;
  sol_memcmp_(a, b, n, &r);
  return r;
}

bool bytes_eq(const u8 *a, const u8 *b, u64 n) {
  for (u64 i = 0; i < n; i++)
    if (a[i] != b[i]) return false;
  return true;
}

bool key_eq(const SolPubkey *a, const SolPubkey *b) {
  const u64 *x = (const u64 *)a->x, *y = (const u64 *)b->x;
  return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

bool is_zero32(const u8 *a) {
  u8 acc = 0;
  for (int i = 0; i < 32; i++) acc |= a[i];
  return acc == 0;
}

/* Instruction data is not aligned: read byte by byte. */
u64 rd_u64(const u8 *p) {
  u64 v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}
u32 rd_u32(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24); }
u16 rd_u16(const u8 *p) { return (u16)(p[0] | (p[1] << 8)); }
void wr_u64(u8 *p, u64 v) {
  for (int i = 0; i < 8; i++) p[i] = (u8)(v >> (8 * i));
}

u64 require_accounts(Ctx *c, u64 n) { return c->p->ka_num < n ? ERR_NOT_ENOUGH_ACCOUNTS : 0; }
u64 require_signer(const SolAccountInfo *a) { return a->is_signer ? 0 : ERR_MISSING_SIGNATURE; }
u64 require_writable(const SolAccountInfo *a) { return a->is_writable ? 0 : ERR_NOT_WRITABLE; }

u64 require_program_account(Ctx *c, const SolAccountInfo *a, u64 disc, u64 min_len) {
  if (!key_eq(a->owner, c->p->program_id)) return ERR_INVALID_ACCOUNT_DATA;
  if (a->data_len < min_len || a->data_len < 8) return ERR_INVALID_ACCOUNT_DATA;
  if (*(const u64 *)a->data != disc) return ERR_INVALID_ACCOUNT_DATA;
  return 0;
}

u64 require_system_program(const SolAccountInfo *a) {
  return is_zero32(a->key->x) ? 0 : ERR_ACCOUNT_MISMATCH;
}

/* Derives the canonical PDA for `seeds` and insists the account is at that address. */
u64 check_pda(Ctx *c, const SolAccountInfo *a, const SolBytes *seeds, u64 n, u8 *bump_out) {
  SolPubkey derived;
  u8 bump = 0;
  if (sol_try_find_program_address(seeds, n, c->p->program_id, &derived, &bump) != 0) return ERR_SYSCALL_FAILED;
  if (!key_eq(&derived, a->key)) return ERR_ACCOUNT_MISMATCH;
  if (bump_out) *bump_out = bump;
  return 0;
}

/* SBF has no FPU: the threshold is read as f64 bits and only the values the runtime uses are accepted. */
u64 rent_minimum(u64 data_len, u64 *out) {
  SolRent rent;
  if (sol_get_rent_sysvar(&rent) != 0) return ERR_SYSCALL_FAILED;
  u64 years;
  if (rent.exemption_threshold_f64_bits == 0x4000000000000000ULL) years = 2;
  else if (rent.exemption_threshold_f64_bits == 0x3FF0000000000000ULL) years = 1;
  else return ERR_RENT_UNSUPPORTED;
  *out = (128 + data_len) * rent.lamports_per_byte_year * years;
  return 0;
}

u64 current_slot(u64 *out) {
  SolClock clock;
  if (sol_get_clock_sysvar(&clock) != 0) return ERR_SYSCALL_FAILED;
  *out = clock.slot;
  return 0;
}

typedef struct {
  const SolAccountInfo *a; /* first account: always signs (wallet or PDA) */
  const SolAccountInfo *b; /* optional second account */
  bool b_signs;
  u8 *data;
  u64 len;
  const SolBytes *seeds; /* PDA signer seeds, or NULL */
  u64 nseeds;
} SystemCall;

static u64 system_invoke(const SystemCall *sc) {
  SolPubkey system_id;
  memset(&system_id, 0, sizeof(system_id));
  SolAccountMeta metas[2] = {{sc->a->key, true, true}, {sc->b ? sc->b->key : NULL, true, sc->b_signs}};
  u64 n = sc->b ? 2 : 1;
  SolInstruction ix = {&system_id, metas, n, sc->data, sc->len};
  SolAccountInfo infos[2];
  infos[0] = *sc->a;
  if (sc->b) infos[1] = *sc->b;
  SolSignerSeeds signer = {sc->seeds, sc->nseeds};
  if (sol_invoke_signed_c(&ix, infos, n, sc->seeds ? &signer : NULL, sc->seeds ? 1 : 0) != 0) return ERR_SYSCALL_FAILED;
  /* The callee may have resized an account (Allocate, CreateAccount). The runtime updated the length in
   * the input buffer, just before the data; our cached copy must follow, or the next CPI would look like
   * this program resizing an account it does not own. */
  ((SolAccountInfo *)sc->a)->data_len = *(const u64 *)(sc->a->data - 8);
  if (sc->b) ((SolAccountInfo *)sc->b)->data_len = *(const u64 *)(sc->b->data - 8);
  return 0;
}

/*
 * Creates a program-owned PDA. Anyone can send lamports to a PDA address before it exists (nullifiers
 * are public before the withdrawal lands); CreateAccount would then fail forever, so an already-funded
 * system account is topped up, allocated and assigned instead.
 */
u64 cpi_create_account(Ctx *c, const CreateSpec *cs) {
  u8 data[52];
  const SolAccountInfo *target = cs->target;
  memset(data, 0, 4);
  if (*target->lamports == 0) {
    wr_u64(data + 4, cs->lamports);
    wr_u64(data + 12, cs->space);
    memcpy(data + 20, c->p->program_id->x, 32);
    SystemCall sc = {cs->payer, target, true, data, 52, cs->seeds, cs->nseeds};
    return system_invoke(&sc);
  }
  if (!is_zero32(target->owner->x) || target->data_len != 0) return ERR_ACCOUNT_MISMATCH;
  if (*target->lamports < cs->lamports) TRY(cpi_transfer(cs->payer, target, cs->lamports - *target->lamports));
  data[0] = 8; /* Allocate */
  wr_u64(data + 4, cs->space);
  SystemCall alloc = {target, NULL, false, data, 12, cs->seeds, cs->nseeds};
  TRY(system_invoke(&alloc));
  data[0] = 1; /* Assign */
  memcpy(data + 4, c->p->program_id->x, 32);
  SystemCall assign = {target, NULL, false, data, 36, cs->seeds, cs->nseeds};
  return system_invoke(&assign);
}

/* System program Transfer (u32 2 | lamports) from a signing wallet. */
u64 cpi_transfer(const SolAccountInfo *from, const SolAccountInfo *to, u64 lamports) {
  u8 data[12] = {2, 0, 0, 0};
  wr_u64(data + 4, lamports);
  SystemCall sc = {from, to, false, data, sizeof(data), NULL, 0};
  return system_invoke(&sc);
}
